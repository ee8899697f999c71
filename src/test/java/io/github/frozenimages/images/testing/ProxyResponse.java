package io.github.frozenimages.images.testing;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The response the {@link FaultProxy} is about to send, as an immutable value that faults rewrite. The
 * framing headers (Content-Length, Transfer-Encoding, Connection) are not in {@link #headers}: the proxy
 * writes them from {@link #contentLength}, so that a changed body gets a matching length unless a fault
 * says otherwise ({@link #withContentLength}, {@link #withDelivery}). The body array is shared, not copied, so
 * that large bodies stay cheap: faults make a new array instead of changing one.
 *
 * @param contentLength what Content-Length announces; -1 for none (a GET body is then sent chunked)
 */
public record ProxyResponse(int status, String reason, List<HttpHeader> headers, byte[] body, long contentLength,
        Delivery delivery) {

    private static final List<String> FRAMING = List.of("Content-Length", "Transfer-Encoding", "Connection", "Keep-Alive");

    public ProxyResponse {
        Objects.requireNonNull(reason, "reason");
        Objects.requireNonNull(body, "body");
        Objects.requireNonNull(delivery, "delivery");
        List<HttpHeader> kept = headers;
        for (String name : FRAMING) {
            kept = HttpHeader.without(kept, name);
        }
        headers = List.copyOf(kept);
    }

    /** A complete response whose Content-Length is the body's length. */
    public static ProxyResponse of(int status, List<HttpHeader> headers, byte[] body) {
        return new ProxyResponse(status, HttpWire.reason(status), headers, body, body.length, Delivery.COMPLETE);
    }

    public Optional<String> header(String name) {
        return HttpHeader.first(headers, name);
    }

    /** Every {@code name} header replaced by one with {@code value}. */
    public ProxyResponse withHeader(String name, String value) {
        List<HttpHeader> changed = new ArrayList<>(HttpHeader.without(headers, name));
        changed.add(new HttpHeader(name, value));
        return new ProxyResponse(status, reason, changed, body, contentLength, delivery);
    }

    public ProxyResponse withoutHeader(String name) {
        return new ProxyResponse(status, reason, HttpHeader.without(headers, name), body, contentLength, delivery);
    }

    /** Another body, announced with its own length. */
    public ProxyResponse withBody(byte[] newBody) {
        return new ProxyResponse(status, reason, headers, newBody, newBody.length, delivery);
    }

    /** Announces {@code length} whatever the body is; -1 sends no Content-Length (chunked). */
    public ProxyResponse withContentLength(long length) {
        return new ProxyResponse(status, reason, headers, body, length, delivery);
    }

    /** The body without Content-Length, in chunked transfer coding. */
    public ProxyResponse chunked() {
        return withContentLength(-1);
    }

    public ProxyResponse withDelivery(Delivery newDelivery) {
        return new ProxyResponse(status, reason, headers, body, contentLength, newDelivery);
    }

    @Override
    public String toString() {
        return "ProxyResponse[" + status + " " + reason + ", " + body.length + " bytes, announced " + contentLength + "]";
    }
}
