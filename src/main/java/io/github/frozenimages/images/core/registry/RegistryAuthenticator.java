package io.github.frozenimages.images.core.registry;

import io.github.frozenimages.images.core.auth.Credentials;

import io.github.frozenimages.images.core.http.BoundedBody;
import io.github.frozenimages.images.core.http.ErrorBodies;
import io.github.frozenimages.images.core.http.HttpTransport;
import io.github.frozenimages.images.core.http.Hosts;
import io.github.frozenimages.images.core.http.Retrier;
import io.github.frozenimages.images.core.shared.PullListener;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.hc.core5.http.ClassicHttpResponse;
import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.http.HttpHeaders;
import org.apache.hc.core5.http.io.entity.StringEntity;
import org.apache.hc.core5.http.io.support.ClassicRequestBuilder;

/**
 * Answers one registry's challenge: Basic with the configured credentials, or Bearer with a token per
 * repository scope, fetched once and reused until it expires. The scope names the repository as the request
 * path does after {@code /v2/} (a mirror's path included), unless a request's challenge named its own scope:
 * a reverse proxy that serves a registry under a path may hand on the registry's names, not its own. Token
 * requests go through the same retry layer as the registry's own, so a token service that stumbles once costs
 * a retry, not the build.
 */
public final class RegistryAuthenticator {

    static final int MAX_TOKEN_BODY = 1024 * 1024;

    private final HttpTransport transport;
    private final Retrier retrier;
    private final PullListener listener;
    private final Optional<Credentials> credentials;
    private final Clock clock;
    private final Map<String, BearerToken> tokens = new ConcurrentHashMap<>();
    /** Per repository, the scope the registry's own challenge asked for, where that differs from the path's. */
    private final Map<String, String> challengedScopes = new ConcurrentHashMap<>();
    private volatile AuthChallenge challenge;

    public RegistryAuthenticator(HttpTransport transport, Retrier retrier, PullListener listener, Optional<Credentials> credentials,
                                 Clock clock) {
        this.transport = transport;
        this.retrier = retrier;
        this.listener = listener;
        this.credentials = credentials;
        this.clock = clock;
    }

    /** Records the challenge of a 401; returns false when it offers no scheme this client can answer. */
    public boolean accept(List<AuthChallenge> challenges) {
        AuthChallenge preferred = AuthChallenge.preferred(challenges);
        if (preferred != null) {
            challenge = preferred;
        }
        return preferred != null;
    }

    /**
     * Records the challenge of a 401 to a request on a repository, and the scope it names, which the next tokens
     * for that repository ask for ({@code scope="repository:library/alpine:pull"}).
     */
    public boolean accept(String repository, List<AuthChallenge> challenges) {
        AuthChallenge preferred = AuthChallenge.preferred(challenges);
        if (preferred != null && preferred.isBearer()) {
            String scope = preferred.parameter("scope");
            if (scope != null && !scope.isBlank()) {
                challengedScopes.put(repository, scope.trim());
            }
        }
        return accept(challenges);
    }

    public boolean hasChallenge() {
        return challenge != null;
    }

    public Optional<Credentials> credentials() {
        return credentials;
    }

    /**
     * The Authorization value for a request on a repository, or empty when the registry asked for none.
     *
     * @param renew fetch a new token even if a cached one looks valid (after the registry refused it)
     */
    public Optional<String> authorization(String repository, boolean renew) throws AuthenticationException {
        return authorizationFor(repository, readScope(repository), renew);
    }

    /** The scope a read of a repository asks for: {@code repository:<name>:pull}. */
    public static String readScope(String repository) {
        return "repository:" + repository + ":pull";
    }

    /**
     * The Authorization value for a request on a repository needing {@code wanted}: one or more token scopes, space
     * separated (a push with a mount needs {@code pull,push} on its repository and {@code pull} on the mount's source).
     * A read takes the scope the registry's own challenge named for the repository, when it named one.
     */
    public Optional<String> authorizationFor(String repository, String wanted, boolean renew) throws AuthenticationException {
        String scope = wanted.equals(readScope(repository)) ? challengedScopes.getOrDefault(repository, wanted) : wanted;
        AuthChallenge ch = challenge;
        if (ch == null) {
            return Optional.empty();
        }
        if (credentials.isPresent() && credentials.get().kind() == Credentials.Kind.REGISTRY_TOKEN) {
            // a token issued for the registry itself (Docker's registrytoken) goes out as is
            return Optional.of("Bearer " + credentials.get().secret());
        }
        if (ch.isBasic()) {
            if (credentials.isEmpty()) {
                throw new AuthenticationException("the registry requires credentials (Basic authentication) and none are configured", false, null);
            }
            return Optional.of(credentials.get().basicHeader());
        }
        synchronized (tokens) {
            BearerToken cached = tokens.get(scope);
            if (!renew && cached != null && cached.usableAt(clock.instant())) {
                return Optional.of(cached.header());
            }
            BearerToken fresh = fetchToken(ch, scope);
            tokens.put(scope, fresh);
            return Optional.of(fresh.header());
        }
    }

    private BearerToken fetchToken(AuthChallenge ch, String scope) throws AuthenticationException {
        String realm = ch.parameter("realm");
        if (realm == null || realm.isEmpty()) {
            throw new AuthenticationException("the registry's Bearer challenge names no token realm", AuthenticationException.Kind.PROTOCOL, null);
        }
        URI realmUri;
        try {
            realmUri = URI.create(realm);
        } catch (IllegalArgumentException e) {
            throw new AuthenticationException("the registry's token realm is not a URL", AuthenticationException.Kind.PROTOCOL, e);
        }
        String scheme = realmUri.getScheme() == null ? "" : realmUri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("https") && !scheme.equals("http")) {
            throw new AuthenticationException("the registry's token realm is not an http(s) URL", AuthenticationException.Kind.PROTOCOL, null);
        }
        boolean mayCarryCredentials = scheme.equals("https") || Hosts.isLoopback(realmUri.getHost());
        String service = ch.parameter("service");
        if (credentials.isPresent() && credentials.get().kind() == Credentials.Kind.IDENTITY_TOKEN && mayCarryCredentials) {
            Optional<BearerToken> exchanged = exchangeRefreshToken(realm, realmUri, service, scope);
            if (exchanged.isPresent()) {
                return exchanged.get();
            }
        }
        StringBuilder query = new StringBuilder();
        if (service != null) {
            query.append("service=").append(encode(service)).append('&');
        }
        // a challenge may name several scopes, space-separated; each is its own parameter, as Docker asks for them
        String separatorBetweenScopes = "";
        for (String one : scope.split(" +")) {
            query.append(separatorBetweenScopes).append("scope=").append(encode(one));
            separatorBetweenScopes = "&";
        }
        String separator = realm.contains("?") ? "&" : "?";
        ClassicRequestBuilder get = ClassicRequestBuilder.get(realm + separator + query);
        // credentials go to a token service only over https, or when it runs on this machine
        if (credentials.isPresent() && mayCarryCredentials) {
            get.addHeader(HttpHeaders.AUTHORIZATION, credentials.get().basicHeader());
        }
        String host = realmUri.getHost();
        return askTokenService(host, () -> transport.open(get.build()), (response, attempt) -> {
            try (response) {
                int status = response.getCode();
                if (status != 200) {
                    String body = BoundedBody.readQuietly(response, 4096);
                    throw refusal(host, scope, status, attempt, body);
                }
                return token(host, body(host, response));
            }
        });
    }

    /**
     * One exchange with the token service through the retry layer: its 5xx and network errors are retried like a
     * registry's, and when they outlast the retries the token service is named as unreachable, not the credentials.
     */
    private <T> T askTokenService(String host, Retrier.Attempt attempt, Retrier.Handler<T> handler) throws AuthenticationException {
        try {
            return retrier.exchange(attempt, handler, retry -> logRetry(host, retry));
        } catch (AuthenticationException e) {
            throw e;
        } catch (Retrier.GaveUp e) {
            throw new AuthenticationException("the token service " + host + " is unreachable: " + e.describeCause()
                    + (e.attempts() > 1 ? " (" + e.attempts() + " attempts)" : ""), AuthenticationException.Kind.UNAVAILABLE, e.getCause());
        } catch (IOException e) {
            throw new AuthenticationException("could not get a token from " + host + ": " + e.getMessage(), true, e);
        }
    }

    /**
     * A final answer other than 200. A 5xx that outlasted the retries says the token service is down, which no
     * change of credentials mends; a refusal is worded like the registry's own, so a wrong password reads the
     * same under Basic and Bearer.
     */
    private AuthenticationException refusal(String host, String scope, int status, int attempts, String body) {
        if (status >= 500 || status == 408 || status == 429) {
            return new AuthenticationException("the token service " + host + " is unavailable (HTTP " + status
                    + (attempts > 1 ? " after " + attempts + " attempts" : "") + ")" + summary(body),
                    AuthenticationException.Kind.UNAVAILABLE, null);
        }
        String who = credentials.isEmpty() ? "anonymous"
                : (status == 401 || status == 403 ? "the credentials from " + credentials.get().source() + " were rejected"
                : "credentials from " + credentials.get().source());
        return new AuthenticationException("the token service " + host + " refused a token for "
                + scope + " (HTTP " + status + ", " + who + ")" + summary(body), false, null);
    }

    /** A token body is small; one past the bound is the token service's fault, not the network's. */
    private static byte[] body(String host, ClassicHttpResponse response) throws IOException {
        try {
            return BoundedBody.read(response, MAX_TOKEN_BODY);
        } catch (BoundedBody.TooLargeException e) {
            throw new AuthenticationException("the token service " + host + " sent a larger answer than any token needs: "
                    + e.getMessage(), AuthenticationException.Kind.PROTOCOL, e);
        } catch (IOException e) {
            throw new Retrier.BrokenBody(e);
        }
    }

    /** A body that holds no usable token is the token service's fault: said so, not blamed on the network. */
    private BearerToken token(String host, byte[] body) throws AuthenticationException {
        try {
            return TokenResponse.parse(body, clock.instant());
        } catch (IOException e) {
            throw new AuthenticationException("the token service " + host + " sent no usable token: " + e.getMessage(),
                    AuthenticationException.Kind.PROTOCOL, e);
        }
    }

    private void logRetry(String host, Retrier.Retry retry) {
        listener.warn(String.format(java.util.Locale.ROOT, "attempt %d of %d to get a token from %s failed (%s); retrying in %.1f s",
                retry.failedAttempt(), retry.attempts(), host, retry.reason(), retry.delay().toMillis() / 1000.0));
    }

    /**
     * The OAuth2 refresh-token grant for an identity token. Empty when the token service has no POST endpoint
     * (404, 405, or a refusal of the form), so the caller falls back to the GET flow as containerd does.
     */
    private Optional<BearerToken> exchangeRefreshToken(String realm, URI realmUri, String service, String scope) throws AuthenticationException {
        StringBuilder form = new StringBuilder("grant_type=refresh_token&client_id=images-maven-plugin");
        form.append("&refresh_token=").append(encode(credentials.get().secret()));
        form.append("&scope=").append(encode(scope));
        if (service != null) {
            form.append("&service=").append(encode(service));
        }
        ClassicRequestBuilder post = ClassicRequestBuilder.post(realm)
                .setEntity(new StringEntity(form.toString(), ContentType.APPLICATION_FORM_URLENCODED));
        String host = realmUri.getHost();
        return askTokenService(host, () -> transport.open(post.build()), (response, attempt) -> {
            try (response) {
                int status = response.getCode();
                if (status == 400 || status == 401 || status == 404 || status == 405) {
                    return Optional.<BearerToken>empty();
                }
                if (status != 200) {
                    if (status >= 500 || status == 408 || status == 429) {
                        throw refusal(host, scope, status, attempt, BoundedBody.readQuietly(response, 4096));
                    }
                    throw new AuthenticationException("the token service " + host + " refused the identity token from "
                            + credentials.get().source() + " (HTTP " + status + ")", false, null);
                }
                return Optional.of(token(host, body(host, response)));
            }
        });
    }

    /** What a refusing token service said: the codes of a registry error body, else its first line, never HTML. */
    private static String summary(String body) {
        List<String> codes = ErrorBodies.codes(body);
        if (!codes.isEmpty()) {
            return ": " + String.join("; ", codes);
        }
        String line = body == null ? "" : body.trim().lines().findFirst().orElse("");
        if (line.isEmpty() || line.startsWith("<")) {
            return "";
        }
        return ": " + (line.length() > 200 ? line.substring(0, 200) : line);
    }

    private static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
