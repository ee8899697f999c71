package io.github.frozenimages.images.core.store;

import java.io.IOException;
import java.io.InputStream;

/** Opens the bytes of a blob, typically a registry response body; called only when the store lacks the blob. */
@FunctionalInterface
public interface BlobSource {

    InputStream open() throws IOException;
}
