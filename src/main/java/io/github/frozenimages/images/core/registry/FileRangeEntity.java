package io.github.frozenimages.images.core.registry;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.http.io.entity.AbstractHttpEntity;

/**
 * A byte range of a file as a request body: repeatable (a retried request reads it again from the file, not from
 * memory), so a chunk of a gigabyte layer costs no heap.
 */
final class FileRangeEntity extends AbstractHttpEntity {

    private static final int BUFFER = 256 * 1024;

    private final Path file;
    private final long offset;
    private final long length;

    FileRangeEntity(Path file, long offset, long length) {
        super(ContentType.APPLICATION_OCTET_STREAM, null);
        this.file = file;
        this.offset = offset;
        this.length = length;
    }

    @Override
    public boolean isRepeatable() {
        return true;
    }

    @Override
    public long getContentLength() {
        return length;
    }

    @Override
    public InputStream getContent() throws IOException {
        FileChannel channel = FileChannel.open(file, StandardOpenOption.READ).position(offset);
        return new java.io.FilterInputStream(Channels.newInputStream(channel)) {
            private long left = length;

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                if (left <= 0) {
                    return -1;
                }
                int n = super.read(b, off, (int) Math.min(len, left));
                if (n > 0) {
                    left -= n;
                }
                return n;
            }

            @Override
            public int read() throws IOException {
                byte[] one = new byte[1];
                return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
            }
        };
    }

    @Override
    public void writeTo(OutputStream out) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            ByteBuffer buffer = ByteBuffer.allocate(BUFFER);
            long position = offset;
            long end = offset + length;
            while (position < end) {
                buffer.clear().limit((int) Math.min(BUFFER, end - position));
                int n = channel.read(buffer, position);
                if (n < 0) {
                    throw new IOException(file + " ended at byte " + position + ", before the " + end + " to send");
                }
                out.write(buffer.array(), 0, n);
                position += n;
            }
        }
    }

    @Override
    public boolean isStreaming() {
        return false;
    }

    @Override
    public void close() {
    }
}
