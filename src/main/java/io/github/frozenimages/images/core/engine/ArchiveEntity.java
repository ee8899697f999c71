package io.github.frozenimages.images.core.engine;

import java.io.BufferedOutputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.http.io.entity.AbstractHttpEntity;

/**
 * The archive as the body of {@code POST /images/load}: with its length when it is a file, chunked when it is a
 * folder tarred on the fly. It tells the two failures that share the call stack apart: one of reading the
 * archive is the user's file, and ends the load at once; one of the socket is the engine's, and is kept, since
 * the engine may have said why before it stopped reading (see {@link EngineConnectionFactory}).
 */
final class ArchiveEntity extends AbstractHttpEntity {

    private static final ContentType TAR = ContentType.create("application/x-tar");

    private final ArchiveSource archive;
    private final long length;
    private volatile IOException sendFailure;

    private ArchiveEntity(ArchiveSource archive, long length) {
        super(TAR, null, length < 0);
        this.archive = archive;
        this.length = length;
    }

    /** @throws EngineException when the archive's size cannot be read */
    static ArchiveEntity of(ArchiveSource archive) {
        try {
            return new ArchiveEntity(archive, archive.length());
        } catch (IOException e) {
            throw EngineClient.archiveUnreadable(archive, e);
        }
    }

    @Override
    public long getContentLength() {
        return length;
    }

    @Override
    public boolean isStreaming() {
        return true;
    }

    @Override
    public boolean isRepeatable() {
        return false;
    }

    @Override
    public InputStream getContent() {
        throw new UnsupportedOperationException("the archive is only written");
    }

    @Override
    public void writeTo(OutputStream out) throws IOException {
        Counting counted = new Counting(new BufferedOutputStream(new SocketSide(out), 1 << 16));
        try {
            archive.writeTo(counted);
            counted.flush();
        } catch (SocketSideException e) {
            throw e.getCause();
        } catch (IOException e) {
            throw EngineClient.archiveUnreadable(archive, e);
        }
        if (length >= 0 && counted.count != length) {
            throw new EngineException(EngineException.Reason.IO, "the archive " + archive + " changed while it was sent ("
                    + length + " bytes announced, " + counted.count + " read)");
        }
    }

    /** What the socket said when sending stopped early, or null while it has not. */
    IOException sendFailure() {
        return sendFailure;
    }

    private void brokeOff(IOException e) {
        if (sendFailure == null) {
            sendFailure = e;
        }
    }

    @Override
    public void close() {
        // nothing is held: the archive is opened and closed inside writeTo
    }

    @Override
    public String toString() {
        return archive.toString();
    }

    /** Marks failures of the socket, as opposed to those of reading the archive. */
    private static final class SocketSideException extends IOException {
        SocketSideException(IOException cause) {
            super(cause.getMessage(), cause);
        }

        @Override
        public synchronized IOException getCause() {
            return (IOException) super.getCause();
        }
    }

    private final class SocketSide extends FilterOutputStream {
        SocketSide(OutputStream out) {
            super(out);
        }

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            try {
                out.write(b, off, len);
            } catch (IOException e) {
                brokeOff(e);
                throw new SocketSideException(e);
            }
        }

        @Override
        public void flush() throws IOException {
            try {
                out.flush();
            } catch (IOException e) {
                brokeOff(e);
                throw new SocketSideException(e);
            }
        }

        @Override
        public void close() {
            // HttpClient ends the body itself (the last chunk, or nothing after Content-Length bytes)
        }
    }

    private static final class Counting extends FilterOutputStream {
        long count;

        Counting(OutputStream out) {
            super(out);
        }

        @Override
        public void write(int b) throws IOException {
            out.write(b);
            count++;
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
            count += len;
        }
    }
}
