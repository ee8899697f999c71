package io.github.frozenimages.images.core.registry;

import io.github.frozenimages.images.core.http.BoundedBody;
import io.github.frozenimages.images.core.http.HttpTransport;
import io.github.frozenimages.images.core.shared.ImagePullException.Reason;
import io.github.frozenimages.images.core.shared.PullListener;
import java.io.IOException;
import java.net.URI;
import java.util.Map;
import java.util.Optional;
import org.apache.hc.core5.http.ClassicHttpResponse;
import org.apache.hc.core5.http.Header;
import org.apache.hc.core5.http.HttpEntity;
import org.apache.hc.core5.http.HttpHeaders;
import org.apache.hc.core5.http.io.support.ClassicRequestBuilder;

/**
 * Follows a registry's redirects itself, since HttpClient's own following would carry the Authorization header
 * anywhere: credentials go only to the registry's own origin, and https is never downgraded to http. Blob
 * downloads are redirected to storage (S3, a CDN) with signed URLs, whose query is itself a credential and
 * is therefore never logged.
 */
final class RedirectFollower {

    private static final int MAX_REDIRECTS = 10;

    private final HttpTransport transport;
    private final PullListener listener;

    RedirectFollower(HttpTransport transport, PullListener listener) {
        this.transport = transport;
        this.listener = listener;
    }

    /** @param origin the registry's endpoint: the one origin that may receive {@code authorization} */
    ClassicHttpResponse send(String method, Operation op, RegistryEndpoint origin, URI start, Map<String, String> headers,
                             HttpEntity body, Optional<String> authorization) throws IOException {
        URI uri = start;
        for (int hop = 0; hop <= MAX_REDIRECTS; hop++) {
            ClassicRequestBuilder request = ClassicRequestBuilder.create(method).setUri(uri);
            headers.forEach(request::addHeader);
            if (body != null) {
                request.setEntity(body);
            }
            if (authorization.isPresent() && origin.sameOrigin(uri)) {
                request.addHeader(HttpHeaders.AUTHORIZATION, authorization.get());
            }
            ClassicHttpResponse response = transport.open(request.build());
            int status = response.getCode();
            if (status != 301 && status != 302 && status != 303 && status != 307 && status != 308) {
                return response;
            }
            Header location = response.getFirstHeader(HttpHeaders.LOCATION);
            BoundedBody.abort(response);
            uri = next(op, uri, status, location);
        }
        throw op.failure(Reason.PROTOCOL, "more than " + MAX_REDIRECTS + " redirects");
    }

    private URI next(Operation op, URI uri, int status, Header location) {
        if (location == null) {
            throw op.failure(Reason.PROTOCOL, "HTTP " + status + " redirect without a Location header");
        }
        URI next;
        try {
            next = uri.resolve(location.getValue());
        } catch (IllegalArgumentException e) {
            throw op.failure(Reason.PROTOCOL, "HTTP " + status + " redirect to an invalid Location", e);
        }
        if ("https".equalsIgnoreCase(uri.getScheme()) && !"https".equalsIgnoreCase(next.getScheme())) {
            throw op.failure(Reason.PROTOCOL, "refusing a redirect from https to " + next.getScheme() + " (" + next.getHost() + ")");
        }
        listener.debug("following HTTP " + status + " to " + next.getScheme() + "://" + next.getRawAuthority() + next.getRawPath());
        return next;
    }
}
