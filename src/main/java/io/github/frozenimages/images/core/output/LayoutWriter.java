package io.github.frozenimages.images.core.output;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/** Writes one output format into an empty folder, reading blobs only from the store. */
public interface LayoutWriter {

    void write(Path directory, List<OutputImage> images) throws IOException;
}
