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

    public static byte[] read(ClassicHttpResponse response, int limit) throws IOException {
        HttpEntity entity = response.getEntity();
        if (entity == null) {
            return new byte[0];
        }
        long declared = entity.getContentLength();
        if (declared > limit) {
            throw new TooLargeException("the response declares " + declared + " bytes, more than the limit of " + limit);
        }
        try (InputStream in = entity.getContent()) {
            return read(in, limit);
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
        try (InputStream in = entity.getContent()) {
            byte[] bytes = in.readNBytes(limit);
            return new String(bytes, java.nio.charset.StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }
}
