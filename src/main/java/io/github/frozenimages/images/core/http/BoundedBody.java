package io.github.frozenimages.images.core.http;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import org.apache.hc.core5.http.ClassicHttpResponse;
import org.apache.hc.core5.http.HttpEntity;

/** Reads a response body into memory, refusing anything larger than a limit before it fills the heap. */
public final class BoundedBody {

    private BoundedBody() {
    }

    /** Thrown when the body exceeds the limit. */
    public static final class TooLargeException extends IOException {
        public TooLargeException(String message) {
            super(message);
        }
    }

    /** The whole body; on any failure the response is already dropped (see {@link #abort}), so callers need not. */
    public static byte[] read(ClassicHttpResponse response, int limit) throws IOException {
        HttpEntity entity = response.getEntity();
        if (entity == null) {
            return new byte[0];
        }
        long declared = entity.getContentLength();
        if (declared > limit) {
            abort(response);
            throw new TooLargeException("the response declares " + declared + " bytes, more than the limit of " + limit);
        }
        InputStream in;
        byte[] bytes;
        try {
            in = entity.getContent();
            bytes = read(in, limit);
        } catch (IOException | RuntimeException e) {
            // closing the stream would read the rest of the body to keep the connection: drop it instead
            abort(response);
            throw e;
        }
        in.close(); // at the end of the body: nothing is left to read, and the connection is kept
        return bytes;
    }

    /**
     * Drops a response whose body was not read to its end. A plain close would read the rest of the body to
     * keep the connection, which lets a hostile registry make a refused body cost its whole announced size.
     */
    public static void abort(ClassicHttpResponse response) {
        if (response instanceof org.apache.hc.core5.io.ModalCloseable modal) {
            modal.close(org.apache.hc.core5.io.CloseMode.IMMEDIATE);
            return;
        }
        try {
            response.close();
        } catch (IOException e) {
            // nothing useful to do: the connection is discarded either way
        }
    }

    public static byte[] read(InputStream in, int limit) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buffer = new byte[8192];
        int total = 0;
        int n;
        while ((n = in.read(buffer)) >= 0) {
            total += n;
            if (total > limit) {
                throw new TooLargeException("the response is larger than the limit of " + limit + " bytes");
            }
            out.write(buffer, 0, n);
        }
        return out.toByteArray();
    }

    /** Reads at most {@code limit} bytes and ignores the rest: for error bodies shown in messages. */
    public static String readQuietly(ClassicHttpResponse response, int limit) {
        HttpEntity entity = response.getEntity();
        if (entity == null) {
            return "";
        }
        try {
            byte[] bytes = entity.getContent().readNBytes(limit);
            return new String(bytes, java.nio.charset.StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        } finally {
            abort(response); // never drained: an error body may be endless
        }
    }
}
