package io.github.frozenimages.images.core.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.frozenimages.images.core.StubTokenService;
import io.github.frozenimages.images.core.http.HttpTransport;
import io.github.frozenimages.images.core.http.ProxySettings;
import io.github.frozenimages.images.core.http.Retrier;
import io.github.frozenimages.images.core.http.RetryPolicy;
import io.github.frozenimages.images.core.http.TlsSettings;
import io.github.frozenimages.images.core.shared.PullListener;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Which scope a token is asked for: the repository as the request path names it, unless a challenge to a
 * request on that repository named its own scope. Against a token endpoint on 127.0.0.1 that records its queries.
 */
class RegistryAuthenticatorScopeTest {

    private StubTokenService tokens;
    private HttpTransport transport;
    private RegistryAuthenticator authenticator;

    @BeforeEach
    void start() throws Exception {
        tokens = new StubTokenService(300);
        transport = new HttpTransport(2, "test", Duration.ofSeconds(10), TlsSettings.JVM_DEFAULTS, ProxySettings.SYSTEM);
        authenticator = new RegistryAuthenticator(transport, new Retrier(new RetryPolicy(1, Duration.ofMillis(10), Duration.ofMillis(10))),
                PullListener.SILENT, Optional.empty(), Clock.systemUTC());
        // the ping's challenge: a realm and a service, no scope
        assertTrue(authenticator.accept(AuthChallenge.parse("Bearer realm=\"" + tokens.realm() + "\",service=\"reg\"")));
    }

    @AfterEach
    void stop() throws Exception {
        try {
            transport.close();
        } finally {
            tokens.close();
        }
    }

    @Test
    void withoutAScopeInTheChallengeTheTokenNamesTheRepositoryAsThePathDoes() throws Exception {
        authenticator.authorization("dockerhub-proxy/library/alpine", false);

        assertEquals(List.of("service=reg&scope=repository%3Adockerhub-proxy%2Flibrary%2Falpine%3Apull"), queries());
    }

    @Test
    void aScopeTheChallengeNamesIsAskedForThatRepositoryFromThenOn() throws Exception {
        authenticator.accept("stripped-proxy/library/alpine",
                AuthChallenge.parse("Bearer realm=\"" + tokens.realm() + "\",service=\"reg\",scope=\"repository:library/alpine:pull\""));

        authenticator.authorization("stripped-proxy/library/alpine", true);
        authenticator.authorization("stripped-proxy/library/alpine", false);
        authenticator.authorization("other/app", false);

        assertEquals(List.of(
                "service=reg&scope=repository%3Alibrary%2Falpine%3Apull",
                // the next request on another repository asks for its own name, not the other's challenge
                "service=reg&scope=repository%3Aother%2Fapp%3Apull"), queries(), "the first token was reused for the second request");
    }

    @Test
    void severalScopesInAChallengeAreSeveralParameters() throws Exception {
        authenticator.accept("app", AuthChallenge.parse("Bearer realm=\"" + tokens.realm()
                + "\",service=\"reg\",scope=\"repository:app:pull repository:base:pull\""));

        authenticator.authorization("app", true);

        assertEquals(List.of("service=reg&scope=repository%3Aapp%3Apull&scope=repository%3Abase%3Apull"), queries());
    }

    private List<String> queries() {
        return tokens.requests().stream().map(StubTokenService.Request::query).toList();
    }
}
