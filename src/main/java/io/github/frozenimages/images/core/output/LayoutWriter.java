package io.github.frozenimages.images.core.output;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/** Decides one output format's tree, reading blobs only from the store. */
public interface LayoutWriter {

    LayoutPlan plan(List<OutputImage> images) throws IOException;

    /** Writes the planned tree into an empty folder. */
    default void write(Path directory, List<OutputImage> images) throws IOException {
        plan(images).writeTo(directory);
    }
}
