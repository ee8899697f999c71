package io.github.frozenimages.images.testing;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A request the {@link FaultProxy} received. Rules may forward a rewritten copy upstream (for example with
 * another {@code Range}); the recorded request stays the one the client sent.
 *
 * @param target the request target as sent: path and query
 */
public record ProxyRequest(String method, String target, List<HttpHeader> headers) {

    public ProxyRequest {
        headers = List.copyOf(headers);
    }

    /** The target without its query, which is what rules match on. */
    public String path() {
        int query = target.indexOf('?');
        return query < 0 ? target : target.substring(0, query);
    }

    public Optional<String> header(String name) {
        return HttpHeader.first(headers, name);
    }

    /** A copy with every {@code name} header replaced by one with {@code value}. */
    public ProxyRequest withHeader(String name, String value) {
        List<HttpHeader> changed = new ArrayList<>(HttpHeader.without(headers, name));
        changed.add(new HttpHeader(name, value));
        return new ProxyRequest(method, target, changed);
    }

    public ProxyRequest withoutHeader(String name) {
        return new ProxyRequest(method, target, HttpHeader.without(headers, name));
    }
}
