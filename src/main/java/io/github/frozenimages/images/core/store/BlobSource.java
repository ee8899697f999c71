package io.github.frozenimages.images.core.store;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;

/** Opens the bytes of a blob from an offset, typically a registry response body; called only when the store lacks them. */
@FunctionalInterface
public interface BlobSource {

    /**
     * @param offset the number of bytes already held; 0 for the whole blob
     * @return the body and the offset it really starts at: 0 when the server ignored the range
     */
    Body open(long offset) throws IOException;

    /** An open body; closing it releases the connection. */
    record Body(InputStream stream, long start) implements Closeable {
        @Override
        public void close() throws IOException {
            stream.close();
        }
    }

    /** A source for bytes already in memory; it serves any offset. */
    static BlobSource of(byte[] bytes) {
        return offset -> new Body(new java.io.ByteArrayInputStream(bytes, (int) offset, bytes.length - (int) offset), offset);
    }
}
