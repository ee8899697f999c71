package io.github.frozenimages.images.core.registry;

import io.github.frozenimages.images.core.http.BoundedBody;
import io.github.frozenimages.images.core.http.ErrorBodies;
import io.github.frozenimages.images.core.http.HttpTransport;
import io.github.frozenimages.images.core.http.Retrier;
import io.github.frozenimages.images.core.shared.ImagePullException;
import io.github.frozenimages.images.core.shared.ImagePullException.Reason;
import io.github.frozenimages.images.core.shared.PullListener;
import java.io.IOException;
import java.net.URI;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.hc.core5.http.ClassicHttpResponse;
import org.apache.hc.core5.http.HttpEntity;
import org.apache.hc.core5.http.HttpHeaders;
import org.apache.hc.core5.http.io.support.ClassicRequestBuilder;

/**
 * The layers under the typed {@link RegistryClient}, one concern each, in the order a request passes them:
 * the retry layer ({@link Retrier}) around one attempt; in the attempt, authorization (the challenge from the
 * ping, a token per repository, one renewal on 401) and then the redirects ({@link RedirectFollower}); below, the
 * pooled connection with its user agent ({@link HttpTransport}). Whatever is not a 2xx in the end becomes an
 * {@link ImagePullException} naming the image, the registry and the digest.
 */
final class RegistryHttp {

    /** Where the registry is reached; moves from http to https once, when a loopback registry turns out to speak TLS only. */
    private volatile RegistryEndpoint endpoint;
    private final boolean mayTurnToTls;
    private final HttpTransport transport;
    private final RegistryAuthenticator authenticator;
    private final Retrier retrier;
    private final RedirectFollower redirects;
    private final RequestStatistics statistics;
    private final PullListener listener;
    private boolean pinged;
    /** What a ping sent ahead in the background ran into, for the first request to report as its own. */
    private ImagePullException pingAheadFailure;

    /**
     * @param mayTurnToTls whether the endpoint is plain http only by the loopback default (not listed as insecure):
     *                     such a registry that answers that it speaks https only is asked over https
     */
    RegistryHttp(RegistryEndpoint endpoint, boolean mayTurnToTls, HttpTransport transport, RegistryAuthenticator authenticator,
                 Retrier retrier, RequestStatistics statistics, PullListener listener) {
        this.endpoint = endpoint;
        this.mayTurnToTls = mayTurnToTls && "http".equalsIgnoreCase(endpoint.base().getScheme());
        this.transport = transport;
        this.authenticator = authenticator;
        this.retrier = retrier;
        this.redirects = new RedirectFollower(transport, listener);
        this.statistics = statistics;
        this.listener = listener;
    }

    RegistryEndpoint endpoint() {
        return endpoint;
    }

    RegistryAuthenticator authenticator() {
        return authenticator;
    }

    Retrier retrier() {
        return retrier;
    }

    /**
     * Sends a request for a path under {@code /v2/<repository>/} (below a mirror's path, if any) and hands a 2xx
     * answer to {@code handler}.
     *
     * @param bodyName what the handler reads, for the line logged when its body breaks off ("manifest"), or null
     * @throws Retrier.GaveUp when the handler's body kept breaking off; any other IOException the handler threw
     */
    <T> T send(String method, Operation op, String pathUnderRepository, Map<String, String> headers, String bodyName,
               Retrier.Handler<T> handler) throws IOException {
        ping(op);
        URI uri = endpoint.api(op.repository() + "/" + pathUnderRepository);
        return exchange(retrier, method, op, uri, headers, null, method + " " + kindOf(pathUnderRepository), bodyName, handler);
    }

    /**
     * Sends a request with a body to a URL the registry named (an upload's {@code Location}), or under the
     * repository when {@code uri} is relative to it.
     *
     * @param retried false for a request that must not be sent twice as it is (a chunk the registry may have taken
     *                in part): the caller asks the upload's state and goes on from there instead
     */
    <T> T sendTo(String method, Operation op, URI uri, Map<String, String> headers, HttpEntity body, boolean retried,
                 Retrier.Handler<T> handler) throws IOException {
        ping(op);
        return exchange(retried ? retrier : retrier.once(), method, op, uri, headers, body, method + " upload", null, handler);
    }

    /** The repository's API path, for URLs the registry names relative to it. */
    URI repositoryUri(Operation op, String pathUnderRepository) {
        ping(op);
        return endpoint.api(op.repository() + "/" + pathUnderRepository);
    }

    private <T> T exchange(Retrier retrier, String method, Operation op, URI uri, Map<String, String> headers, HttpEntity body,
                           String kind, String bodyName, Retrier.Handler<T> handler) throws IOException {
        try {
            return retrier.exchange(() -> authorized(method, op, uri, headers, body, kind), (response, attempt) -> {
                if (response.getCode() / 100 != 2) {
                    throw refused(op, response, attempt);
                }
                return handler.handle(response, attempt);
            }, retry -> logRetry(op, bodyName, retry));
        } catch (Retrier.GaveUp e) {
            if (e.brokenBody()) {
                throw e;
            }
            throw unreachable(op, e);
        }
    }

    private static String kindOf(String pathUnderRepository) {
        int slash = pathUnderRepository.indexOf('/');
        String first = slash < 0 ? pathUnderRepository : pathUnderRepository.substring(0, slash);
        return first.endsWith("s") ? first.substring(0, first.length() - 1) : first;
    }

    /**
     * {@code GET /v2/} (a mirror's {@code .../v2/}) once per registry: it tells whether and how the registry wants
     * to be authenticated. A loopback
     * registry is asked over plain http first, as a test registry is; if it answers that it speaks https only (Go's
     * and nginx's TLS servers say so in a 400), it is asked again over https, as Docker does, and stays there. That
     * costs a plain registry nothing. A certificate https then cannot trust is an error, never a reason to go back.
     */
    private synchronized void ping(Operation op) {
        if (pinged) {
            return;
        }
        if (pingAheadFailure != null) {
            // the ping sent ahead already waited out the retries: report its failure once, for this request's image
            ImagePullException ahead = pingAheadFailure;
            pingAheadFailure = null;
            throw op.failure(ahead.reason(), ahead.getMessage().substring(ahead.getMessage().indexOf(": ") + 2), ahead);
        }
        String plainAnswer = pingOnce(op);
        if (plainAnswer != null) {
            // the same host, port and mirror path, over https
            RegistryEndpoint tls = new RegistryEndpoint(endpoint.registry(),
                    URI.create("https://" + endpoint.base().getRawAuthority() + endpoint.base().getRawPath()), endpoint.mirror());
            listener.debug("registry " + endpoint.registry() + " answered plain http with \"" + plainAnswer + "\"; asking it over https");
            endpoint = tls;
            try {
                pingOnce(op);
            } catch (ImagePullException e) {
                throw op.failure(e.reason(), "it answered plain http with \"" + plainAnswer + "\", and over https: " + e.getMessage()
                        .substring(e.getMessage().indexOf(": ") + 2), e);
            }
        }
        pinged = true;
    }

    /**
     * Pings in a background thread, so that the connection, and the loading and compiling of the HTTP client's
     * classes, overlap with what the build does before its first request (the cache's records, the output's
     * state). A first request made meanwhile waits for this ping instead of sending its own.
     */
    void pingAhead(Operation op) {
        Thread thread = new Thread(() -> {
            synchronized (this) {
                if (pinged) {
                    return;
                }
                try {
                    ping(op);
                } catch (ImagePullException e) {
                    pingAheadFailure = e;
                } catch (RuntimeException e) {
                    listener.debug("the ping sent ahead to " + endpoint.registry() + " failed: " + e);
                }
            }
        }, "images-ping-ahead");
        thread.setDaemon(true);
        thread.start();
    }

    /** One ping; returns the registry's words when it says it speaks https only and may be asked so, else null. */
    private String pingOnce(Operation op) {
        URI uri = endpoint.ping();
        boolean plain = mayTurnToTls && "http".equalsIgnoreCase(uri.getScheme());
        try {
            return retrier.exchange(() -> {
                statistics.request(endpoint.registry(), "ping");
                return transport.open(ClassicRequestBuilder.get(uri).build());
            }, (response, attempt) -> {
                try (response) {
                    int status = response.getCode();
                    if (status == 400 && plain) {
                        String body = BoundedBody.readQuietly(response, 4096);
                        String line = body == null ? "" : body.trim().lines().findFirst().orElse("");
                        if (line.contains("HTTPS")) {
                            return (line.length() > 200 ? line.substring(0, 200) : line) + " (HTTP 400)";
                        }
                    }
                    if (status == 407) {
                        throw proxyRefused(op);
                    }
                    if (status == 401) {
                        authenticator.accept(challenges(response));
                    } else if (status == 404) {
                        throw op.failure(Reason.PROTOCOL, endpoint + " does not serve the registry API (" + uri.getRawPath()
                                + " answered HTTP 404)");
                    }
                    listener.debug("registry " + endpoint.registry() + " at " + endpoint + ": /v2/ answered HTTP " + status
                            + (authenticator.hasChallenge() ? ", authentication required" : ""));
                    return null;
                }
            }, retry -> logRetry(op, null, retry));
        } catch (Retrier.GaveUp e) {
            throw unreachable(op, e);
        } catch (IOException e) {
            throw op.failure(Reason.UNREACHABLE, "registry " + endpoint + " is unreachable: " + Retrier.describe(e), e);
        }
    }

    /** One attempt: the request with the current authorization, and once more with a renewed token on 401. */
    private ClassicHttpResponse authorized(String method, Operation op, URI uri, Map<String, String> headers, HttpEntity body,
                                           String kind) throws IOException {
        statistics.request(endpoint.registry(), kind);
        ClassicHttpResponse response = redirects.send(method, op, endpoint, uri, headers, body, authorization(op, false));
        if (response.getCode() == 401 && authenticator.accept(op.repository(), challenges(response))) {
            // an expired or too narrow token: renew it once, then the registry's word is final
            BoundedBody.abort(response);
            listener.debug("registry " + endpoint.registry() + " refused the token for " + op.repository() + "; renewing it");
            statistics.request(endpoint.registry(), kind);
            response = redirects.send(method, op, endpoint, uri, headers, body, authorization(op, true));
        }
        return response;
    }

    private Optional<String> authorization(Operation op, boolean renew) {
        try {
            return authenticator.authorizationFor(op.repository(), op.scope(), renew);
        } catch (AuthenticationException e) {
            throw op.failure(e.unreachable() ? Reason.UNREACHABLE : e.protocol() ? Reason.PROTOCOL : Reason.DENIED, e.getMessage(), e);
        }
    }

    private void logRetry(Operation op, String bodyName, Retrier.Retry retry) {
        statistics.retried(op.image());
        String seconds = String.format(java.util.Locale.ROOT, "%.1f s", retry.delay().toMillis() / 1000.0);
        if (retry.kind() == Retrier.Kind.BROKEN_BODY && bodyName != null) {
            listener.warn("reading the " + bodyName + " of " + op.image().familiarString() + " broke off (" + retry.reason()
                    + "); retrying in " + seconds);
            return;
        }
        listener.warn(String.format(java.util.Locale.ROOT, "attempt %d of %d to %s %s from %s failed (%s); retrying in %s",
                retry.failedAttempt(), retry.attempts(), op.action(), op.image().familiarString(), endpoint.registry(),
                retry.reason(), seconds));
    }

    /** A final answer that is not a 2xx: the registry's own words, and whose credentials it refused. */
    private ImagePullException refused(Operation op, ClassicHttpResponse response, int attempts) {
        int status = response.getCode();
        if (status == 407) {
            BoundedBody.abort(response);
            return proxyRefused(op);
        }
        String detail = ErrorBodies.describe(status, BoundedBody.readQuietly(response, ErrorBodies.MAX_BODY));
        if (status == 429 && response.getFirstHeader("ratelimit-remaining") != null) {
            return op.failure(Reason.RATE_LIMITED, detail + "; " + pullLimit(response, attempts));
        }
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
        return op.failure(reason, detail);
    }

    /**
     * What a registry that counts pulls (Docker Hub) said of its limit: the limit and window it sent, what is left,
     * whether this pull was anonymous (whose limit is the lowest), and that it was not retried into the same wall.
     */
    private String pullLimit(ClassicHttpResponse response, int attempts) {
        String limit = headerValue(response, "ratelimit-limit");
        String remaining = headerValue(response, "ratelimit-remaining");
        String source = headerValue(response, "docker-ratelimit-source");
        String who = authenticator.credentials().map(c -> "with the credentials from " + c.source())
                .orElse("anonymously (no credentials are configured for " + endpoint.registry() + ")");
        return "the registry's pull limit is used up (ratelimit-limit: " + (limit == null ? "not sent" : limit)
                + ", ratelimit-remaining: " + remaining + (source == null ? "" : ", counted for " + source) + "); this pull asked "
                + who + (attempts > 1 ? ", after " + attempts + " attempts" : ", and was not retried");
    }

    private static String headerValue(ClassicHttpResponse response, String name) {
        org.apache.hc.core5.http.Header h = response.getFirstHeader(name);
        return h == null ? null : h.getValue().trim();
    }

    private static List<AuthChallenge> challenges(ClassicHttpResponse response) {
        return Arrays.stream(response.getHeaders(HttpHeaders.WWW_AUTHENTICATE))
                .flatMap(h -> AuthChallenge.parse(h.getValue()).stream())
                .toList();
    }

    /** A 407 is the proxy's word, not the registry's: the message names the proxy, and the reason points at the network settings. */
    private ImagePullException proxyRefused(Operation op) {
        return op.failure(Reason.UNREACHABLE, transport.proxyAuthenticationFailure(endpoint.base()) + " (HTTP 407 Proxy Authentication Required)");
    }

    private ImagePullException unreachable(Operation op, Retrier.GaveUp e) {
        return op.failure(Reason.UNREACHABLE, "registry " + endpoint + " is unreachable: " + e.describeCause()
                + (e.attempts() > 1 ? " (" + e.attempts() + " attempts)" : ""), e.getCause());
    }
}
