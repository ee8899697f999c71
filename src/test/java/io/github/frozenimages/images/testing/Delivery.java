package io.github.frozenimages.images.testing;

import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;

/**
 * How the {@link FaultProxy} puts a response body on the wire once the head is written. The proxy frames
 * what a delivery writes (Content-Length or chunked) and counts it; the socket is there for faults that act
 * on the connection itself (a later stall, reset or throttle is one more implementation).
 */
@FunctionalInterface
public interface Delivery {

    /** Bytes per write, so that byte counts follow the client's reading closely. */
    int SLICE = 64 * 1024;

    /**
     * Writes (some of) {@code body} to {@code out}.
     *
     * @return true if the message is complete and the connection may carry another request; false to make the
     *         proxy close the connection right after, leaving the message unfinished
     */
    boolean send(Socket socket, OutputStream out, byte[] body) throws IOException;

    /** The whole body. */
    Delivery COMPLETE = (socket, out, body) -> {
        write(out, body, body.length);
        return true;
    };

    /** The first {@code n} bytes, then the connection is closed: a transfer that broke off. */
    static Delivery cutAfter(int n) {
        if (n < 0) {
            throw new IllegalArgumentException("negative byte count: " + n);
        }
        return (socket, out, body) -> {
            write(out, body, Math.min(n, body.length));
            return false;
        };
    }

    private static void write(OutputStream out, byte[] body, int length) throws IOException {
        for (int offset = 0; offset < length; offset += SLICE) {
            out.write(body, offset, Math.min(SLICE, length - offset));
        }
        out.flush();
    }
}
