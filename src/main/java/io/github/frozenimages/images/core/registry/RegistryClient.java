package io.github.frozenimages.images.core.registry;

import io.github.frozenimages.images.core.ImagePullException;
import io.github.frozenimages.images.core.ImagePullException.Reason;
import io.github.frozenimages.images.core.PullListener;
import io.github.frozenimages.images.core.auth.AuthChallenge;
import io.github.frozenimages.images.core.auth.AuthenticationException;
import io.github.frozenimages.images.core.auth.RegistryAuthenticator;
import io.github.frozenimages.images.core.http.HttpTransport;
import io.github.frozenimages.images.core.ref.ImageReference;
import java.io.IOException;
import java.net.URI;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.apache.hc.core5.http.ClassicHttpResponse;
import org.apache.hc.core5.http.Header;
import org.apache.hc.core5.http.HttpHeaders;
import org.apache.hc.core5.http.io.support.ClassicRequestBuilder;

/**
 * Sends the requests of one registry: pings {@code /v2/} once, answers its challenges, renews a refused
 * token once, and follows redirects itself so that credentials are only ever sent to the registry's own
 * origin and never downgraded from https to http. Thread-safe; one instance serves every image of a registry.
 */
public final class RegistryClient {

    private static final int MAX_REDIRECTS = 10;

    private final RegistryEndpoint endpoint;
    private final HttpTransport transport;
    private final RegistryAuthenticator authenticator;
    private final PullListener listener;
    private boolean pinged;

    public RegistryClient(RegistryEndpoint endpoint, HttpTransport transport, RegistryAuthenticator authenticator, PullListener listener) {
        this.endpoint = endpoint;
        this.transport = transport;
        this.authenticator = authenticator;
        this.listener = listener;
    }

    public RegistryEndpoint endpoint() {
        return endpoint;
    }

    /** Where a request failed, for error messages: the image, the registry, and what was being fetched. */
    public record Context(ImageReference image, String action, String digest) {
    }

    /**
     * GETs a path under {@code /v2/<repository>/} and returns a 2xx response, which the caller closes.
     * Every other outcome is an {@link ImagePullException} naming the image, registry and digest.
     */
    public ClassicHttpResponse get(Context ctx, String pathUnderRepository, String accept) {
        ping(ctx);
        String repository = ctx.image().repository();
        URI uri = endpoint.resolve("/v2/" + repository + "/" + pathUnderRepository);
        ClassicHttpResponse response = followRedirects(ctx, uri, accept, authorization(ctx, repository, false));
        if (response.getCode() == 401 && authenticator.accept(challenges(response))) {
            // an expired or too narrow token: renew it once, then the registry's word is final
            close(response);
            listener.debug("registry " + endpoint.registry() + " refused the token for " + repository + "; renewing it");
            response = followRedirects(ctx, uri, accept, authorization(ctx, repository, true));
        }
        return checked(ctx, response);
    }

    private synchronized void ping(Context ctx) {
        if (pinged) {
            return;
        }
        URI uri = endpoint.resolve("/v2/");
        try (ClassicHttpResponse response = transport.open(ClassicRequestBuilder.get(uri).build())) {
            int status = response.getCode();
            if (status == 401) {
                authenticator.accept(challenges(response));
            } else if (status == 404) {
                throw failure(ctx, Reason.PROTOCOL, endpoint + " does not serve the registry API (/v2/ answered HTTP 404)", null);
            }
            listener.debug("registry " + endpoint.registry() + " at " + endpoint + ": /v2/ answered HTTP " + status
                    + (authenticator.hasChallenge() ? ", authentication required" : ""));
            pinged = true;
        } catch (IOException e) {
            throw unreachable(ctx, e);
        }
    }

    private Optional<String> authorization(Context ctx, String repository, boolean renew) {
        try {
            return authenticator.authorization(repository, renew);
        } catch (AuthenticationException e) {
            throw failure(ctx, e.unreachable() ? Reason.UNREACHABLE : Reason.DENIED, e.getMessage(), e);
        }
    }

    private ClassicHttpResponse followRedirects(Context ctx, URI start, String accept, Optional<String> authorization) {
        URI uri = start;
        for (int hop = 0; hop <= MAX_REDIRECTS; hop++) {
            ClassicRequestBuilder request = ClassicRequestBuilder.get(uri);
            if (accept != null) {
                request.addHeader(HttpHeaders.ACCEPT, accept);
            }
            if (authorization.isPresent() && endpoint.sameOrigin(uri)) {
                request.addHeader(HttpHeaders.AUTHORIZATION, authorization.get());
            }
            ClassicHttpResponse response;
            try {
                response = transport.open(request.build());
            } catch (IOException e) {
                throw unreachable(ctx, e);
            }
            int status = response.getCode();
            if (status != 301 && status != 302 && status != 303 && status != 307 && status != 308) {
                return response;
            }
            Header location = response.getFirstHeader(HttpHeaders.LOCATION);
            close(response);
            if (location == null) {
                throw failure(ctx, Reason.PROTOCOL, "HTTP " + status + " redirect without a Location header", null);
            }
            URI next;
            try {
                next = uri.resolve(location.getValue());
            } catch (IllegalArgumentException e) {
                throw failure(ctx, Reason.PROTOCOL, "HTTP " + status + " redirect to an invalid Location", e);
            }
            if ("https".equalsIgnoreCase(uri.getScheme()) && !"https".equalsIgnoreCase(next.getScheme())) {
                throw failure(ctx, Reason.PROTOCOL, "refusing a redirect from https to " + next.getScheme() + " (" + next.getHost() + ")", null);
            }
            listener.debug("following HTTP " + status + " to " + next.getScheme() + "://" + next.getAuthority() + next.getPath());
            uri = next;
        }
        throw failure(ctx, Reason.PROTOCOL, "more than " + MAX_REDIRECTS + " redirects", null);
    }

    private ClassicHttpResponse checked(Context ctx, ClassicHttpResponse response) {
        int status = response.getCode();
        if (status >= 200 && status < 300) {
            return response;
        }
        String body = io.github.frozenimages.images.core.http.BoundedBody.readQuietly(response, RegistryErrors.MAX_BODY);
        close(response);
        String detail = RegistryErrors.describe(status, body);
        Reason reason = switch (status) {
            case 401, 403 -> Reason.DENIED;
            case 404 -> Reason.NOT_FOUND;
            default -> Reason.PROTOCOL;
        };
        if (status == 401 || status == 403) {
            detail += authenticator.credentials().map(c -> "; the credentials from " + c.source() + " were rejected")
                    .orElse("; no credentials are configured for " + endpoint.registry());
        }
        throw failure(ctx, reason, detail, null);
    }

    private static List<AuthChallenge> challenges(ClassicHttpResponse response) {
        return Arrays.stream(response.getHeaders(HttpHeaders.WWW_AUTHENTICATE))
                .flatMap(h -> AuthChallenge.parse(h.getValue()).stream())
                .toList();
    }

    private ImagePullException unreachable(Context ctx, IOException e) {
        return failure(ctx, Reason.UNREACHABLE, "registry " + endpoint + " is unreachable: " + e.getClass().getSimpleName()
                + (e.getMessage() == null ? "" : " " + e.getMessage()), e);
    }

    public ImagePullException failure(Context ctx, Reason reason, String detail, Throwable cause) {
        return new ImagePullException(reason, ImagePullException.describe(ctx.action(), ctx.image().familiarString(),
                ctx.digest(), endpoint.registry(), detail), cause);
    }

    static void close(ClassicHttpResponse response) {
        try {
            response.close();
        } catch (IOException e) {
            // nothing useful to do: the connection is discarded either way
        }
    }
}
