package io.github.frozenimages.images.testing;

import java.util.List;
import java.util.function.UnaryOperator;

/** The proxy's fault modes. Each is a {@link Fault}; new modes are new factory methods here. */
public final class Faults {

    private Faults() {
    }

    /** The registry's answer, unchanged. */
    public static Fault passThrough() {
        return (request, upstream) -> upstream.forward(request);
    }

    /** The registry's answer, rewritten by {@code change}. */
    public static Fault rewrite(UnaryOperator<ProxyResponse> change) {
        return (request, upstream) -> change.apply(upstream.forward(request));
    }

    /** Replaces every {@code name} header of the registry's answer, e.g. a wrong Docker-Content-Digest. */
    public static Fault replaceHeader(String name, String value) {
        return rewrite(response -> response.withHeader(name, value));
    }

    /** Inverts every bit of body byte {@code index}; the length stays, so only a hash can tell. */
    public static Fault flipByte(int index) {
        return rewrite(response -> response.withBody(flipped(response.body(), index)));
    }

    /** Adds {@code extra} after the body; Content-Length announces the longer body. */
    public static Fault appendBytes(byte[] extra) {
        byte[] copy = extra.clone();
        return rewrite(response -> {
            byte[] body = response.body();
            byte[] longer = java.util.Arrays.copyOf(body, body.length + copy.length);
            System.arraycopy(copy, 0, longer, body.length, copy.length);
            return response.withBody(longer);
        });
    }

    /** Announces the full body but sends only its first {@code n} bytes, then closes the connection. */
    public static Fault truncateBody(int n) {
        return rewrite(response -> response.withDelivery(Delivery.cutAfter(n)));
    }

    /** The registry's status and headers with another body (announced with its own length). */
    public static Fault replaceBody(byte[] body) {
        byte[] copy = body.clone();
        return rewrite(response -> response.withBody(copy));
    }

    /** A fixed answer; the registry is not asked. */
    public static Fault answer(int status, List<HttpHeader> headers, byte[] body) {
        ProxyResponse fixed = ProxyResponse.of(status, headers, body);
        return (request, upstream) -> fixed;
    }

    /** {@code body} with byte {@code index} inverted, as {@link #flipByte} serves it: for computing the digest a client sees. */
    public static byte[] flipped(byte[] body, int index) {
        if (index < 0 || index >= body.length) {
            throw new IllegalArgumentException("byte " + index + " is outside a body of " + body.length + " bytes");
        }
        byte[] copy = body.clone();
        copy[index] = (byte) ~copy[index];
        return copy;
    }
}
