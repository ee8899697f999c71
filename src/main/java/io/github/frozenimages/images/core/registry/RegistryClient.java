package io.github.frozenimages.images.core.registry;

import io.github.frozenimages.images.core.ImagePullException;
import io.github.frozenimages.images.core.ImagePullException.Reason;
import io.github.frozenimages.images.core.PullListener;
import io.github.frozenimages.images.core.auth.AuthChallenge;
import io.github.frozenimages.images.core.auth.AuthenticationException;
import io.github.frozenimages.images.core.auth.RegistryAuthenticator;
import io.github.frozenimages.images.core.http.BoundedBody;
import io.github.frozenimages.images.core.http.HttpTransport;
import io.github.frozenimages.images.core.http.RetryPolicy;
import io.github.frozenimages.images.core.ref.ImageReference;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.hc.core5.http.ClassicHttpResponse;
import org.apache.hc.core5.http.Header;
import org.apache.hc.core5.http.HttpHeaders;
import org.apache.hc.core5.http.io.support.ClassicRequestBuilder;

/**
 * Sends the requests of one registry: pings {@code /v2/} once, answers its challenges, renews a refused
 * token once, retries what is transient, and follows redirects itself so that credentials are only ever
 * sent to the registry's own origin and never downgraded from https to http. Thread-safe; one instance
 * serves every image of a registry.
 */
public final class RegistryClient {

    private static final int MAX_REDIRECTS = 10;

    private final RegistryEndpoint endpoint;
    private final HttpTransport transport;
    private final RegistryAuthenticator authenticator;
    private final RetryPolicy retries;
    private final PullListener listener;
    private boolean pinged;
    private final Map<ImageReference, java.util.concurrent.atomic.AtomicInteger> retriesByImage = new java.util.concurrent.ConcurrentHashMap<>();
    private final Map<ImageReference, String> rateLimitByImage = new java.util.concurrent.ConcurrentHashMap<>();

    public RegistryClient(RegistryEndpoint endpoint, HttpTransport transport, RegistryAuthenticator authenticator,
                          RetryPolicy retries, PullListener listener) {
        this.endpoint = endpoint;
        this.transport = transport;
        this.authenticator = authenticator;
        this.retries = retries;
        this.listener = listener;
    }

    public RegistryEndpoint endpoint() {
        return endpoint;
    }

    public PullListener listener() {
        return listener;
    }

    public RetryPolicy retries() {
        return retries;
    }

    /** Where a request failed, for error messages: the image, the registry, and what was being fetched. */
    public record Context(ImageReference image, String action, String digest) {
    }

    /**
     * GETs a path under {@code /v2/<repository>/} and returns a 2xx response, which the caller closes.
     * Network errors and transient statuses are retried; every other outcome is an {@link ImagePullException}
     * naming the image, registry and digest.
     */
    public ClassicHttpResponse get(Context ctx, String pathUnderRepository, Map<String, String> headers) {
        return send("GET", ctx, pathUnderRepository, headers);
    }

    /**
     * HEADs a path under {@code /v2/<repository>/}, with the same retries, authentication and redirects as
     * {@link #get}; the response has headers only. A manifest HEAD is no pull on Docker Hub.
     */
    public ClassicHttpResponse head(Context ctx, String pathUnderRepository, Map<String, String> headers) {
        return send("HEAD", ctx, pathUnderRepository, headers);
    }

    private ClassicHttpResponse send(String method, Context ctx, String pathUnderRepository, Map<String, String> headers) {
        ping(ctx);
        String repository = ctx.image().repository();
        URI uri = endpoint.resolve("/v2/" + repository + "/" + pathUnderRepository);
        for (int attempt = 1; ; attempt++) {
            ClassicHttpResponse response;
            try {
                response = sendAuthorized(method, ctx, uri, headers);
            } catch (IOException e) {
                pauseOrFail(ctx, e, attempt);
                continue;
            }
            int status = response.getCode();
            if (RetryPolicy.isTransient(status) && attempt < retries.attempts()) {
                Header retryAfter = response.getFirstHeader(HttpHeaders.RETRY_AFTER);
                String detail = RegistryErrors.describe(status, BoundedBody.readQuietly(response, RegistryErrors.MAX_BODY));
                pause(ctx, attempt, retryAfter == null ? null : retryAfter.getValue(), detail);
                continue;
            }
            return checked(ctx, response, attempt);
        }
    }

    /** How many requests for an image's content were retried, for the report. */
    public int retriesFor(ImageReference image) {
        java.util.concurrent.atomic.AtomicInteger n = retriesByImage.get(image);
        return n == null ? 0 : n.get();
    }

    /** Docker Hub's {@code ratelimit-remaining} as last sent for an image's manifest, or null. */
    public String rateLimitRemaining(ImageReference image) {
        return rateLimitByImage.get(image);
    }

    void recordRateLimit(ImageReference image, String value) {
        if (value != null) {
            rateLimitByImage.put(image, value);
        }
    }

    /** Where this client's credentials come from ("anonymous" without any); never the secret. */
    public String credentialSource() {
        return authenticator.credentials().map(c -> c.source()).orElse("anonymous");
    }

    /** After a network error: waits for the next attempt, or fails when none is left or none could help. */
    private void pauseOrFail(Context ctx, IOException e, int attempt) {
        // a certificate that is not trusted today will not be trusted in a second either
        if (attempt >= retries.attempts() || e instanceof javax.net.ssl.SSLException) {
            throw unreachable(ctx, e, attempt);
        }
        pause(ctx, attempt, null, describe(e));
    }

    private void pause(Context ctx, int attempt, String retryAfter, String reason) {
        retriesByImage.computeIfAbsent(ctx.image(), k -> new java.util.concurrent.atomic.AtomicInteger()).incrementAndGet();
        Duration wait = retries.delay(attempt, retryAfter, Instant.now());
        listener.warn(String.format("attempt %d of %d to %s %s from %s failed (%s); retrying in %.1f s", attempt,
                retries.attempts(), ctx.action(), ctx.image().familiarString(), endpoint.registry(), reason, wait.toMillis() / 1000.0));
        try {
            RetryPolicy.sleep(wait);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw failure(ctx, Reason.IO, "interrupted while waiting to retry", e);
        }
    }

    /** One attempt: the request with the current authorization, and once more with a renewed token on 401. */
    private ClassicHttpResponse sendAuthorized(String method, Context ctx, URI uri, Map<String, String> headers) throws IOException {
        String repository = ctx.image().repository();
        ClassicHttpResponse response = followRedirects(method, ctx, uri, headers, authorization(ctx, repository, false));
        if (response.getCode() == 401 && authenticator.accept(challenges(response))) {
            // an expired or too narrow token: renew it once, then the registry's word is final
            BoundedBody.abort(response);
            listener.debug("registry " + endpoint.registry() + " refused the token for " + repository + "; renewing it");
            response = followRedirects(method, ctx, uri, headers, authorization(ctx, repository, true));
        }
        return response;
    }

    private synchronized void ping(Context ctx) {
        if (pinged) {
            return;
        }
        URI uri = endpoint.resolve("/v2/");
        for (int attempt = 1; ; attempt++) {
            try (ClassicHttpResponse response = transport.open(ClassicRequestBuilder.get(uri).build())) {
                int status = response.getCode();
                if (RetryPolicy.isTransient(status) && attempt < retries.attempts()) {
                    Header retryAfter = response.getFirstHeader(HttpHeaders.RETRY_AFTER);
                    pause(ctx, attempt, retryAfter == null ? null : retryAfter.getValue(), "/v2/ answered HTTP " + status);
                    continue;
                }
                if (status == 407) {
                    throw proxyRefused(ctx);
                }
                if (status == 401) {
                    authenticator.accept(challenges(response));
                } else if (status == 404) {
                    throw failure(ctx, Reason.PROTOCOL, endpoint + " does not serve the registry API (/v2/ answered HTTP 404)", null);
                }
                listener.debug("registry " + endpoint.registry() + " at " + endpoint + ": /v2/ answered HTTP " + status
                        + (authenticator.hasChallenge() ? ", authentication required" : ""));
                pinged = true;
                return;
            } catch (IOException e) {
                pauseOrFail(ctx, e, attempt);
            }
        }
    }

    private Optional<String> authorization(Context ctx, String repository, boolean renew) {
        try {
            return authenticator.authorization(repository, renew);
        } catch (AuthenticationException e) {
            throw failure(ctx, e.unreachable() ? Reason.UNREACHABLE : Reason.DENIED, e.getMessage(), e);
        }
    }

    private ClassicHttpResponse followRedirects(String method, Context ctx, URI start, Map<String, String> headers,
                                                Optional<String> authorization) throws IOException {
        URI uri = start;
        for (int hop = 0; hop <= MAX_REDIRECTS; hop++) {
            ClassicRequestBuilder request = ClassicRequestBuilder.create(method).setUri(uri);
            headers.forEach(request::addHeader);
            if (authorization.isPresent() && endpoint.sameOrigin(uri)) {
                request.addHeader(HttpHeaders.AUTHORIZATION, authorization.get());
            }
            ClassicHttpResponse response = transport.open(request.build());
            int status = response.getCode();
            if (status != 301 && status != 302 && status != 303 && status != 307 && status != 308) {
                return response;
            }
            Header location = response.getFirstHeader(HttpHeaders.LOCATION);
            BoundedBody.abort(response);
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
            // the query of a signed URL is a credential of its own: never logged
            listener.debug("following HTTP " + status + " to " + next.getScheme() + "://" + next.getRawAuthority() + next.getRawPath());
            uri = next;
        }
        throw failure(ctx, Reason.PROTOCOL, "more than " + MAX_REDIRECTS + " redirects", null);
    }

    private ClassicHttpResponse checked(Context ctx, ClassicHttpResponse response, int attempts) {
        int status = response.getCode();
        if (status >= 200 && status < 300) {
            return response;
        }
        if (status == 407) {
            BoundedBody.abort(response);
            throw proxyRefused(ctx);
        }
        String body = BoundedBody.readQuietly(response, RegistryErrors.MAX_BODY);
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
        if (attempts > 1) {
            detail += " after " + attempts + " attempts";
        }
        throw failure(ctx, reason, detail, null);
    }

    private static List<AuthChallenge> challenges(ClassicHttpResponse response) {
        return Arrays.stream(response.getHeaders(HttpHeaders.WWW_AUTHENTICATE))
                .flatMap(h -> AuthChallenge.parse(h.getValue()).stream())
                .toList();
    }

    /** A 407 is the proxy's word, not the registry's: the message names the proxy, and the reason points at the network settings. */
    private ImagePullException proxyRefused(Context ctx) {
        return failure(ctx, Reason.UNREACHABLE, transport.proxyAuthenticationFailure(endpoint.base())
                + " (HTTP 407 Proxy Authentication Required)", null);
    }

    private ImagePullException unreachable(Context ctx, IOException e, int attempts) {
        return failure(ctx, Reason.UNREACHABLE, "registry " + endpoint + " is unreachable: " + describe(e)
                + (attempts > 1 ? " (" + attempts + " attempts)" : ""), e);
    }

    private static String describe(IOException e) {
        return e.getClass().getSimpleName() + (e.getMessage() == null ? "" : " " + e.getMessage());
    }

    public ImagePullException failure(Context ctx, Reason reason, String detail, Throwable cause) {
        return new ImagePullException(reason, ImagePullException.describe(ctx.action(), ctx.image().familiarString(),
                ctx.digest(), endpoint.registry(), detail), cause);
    }
}
