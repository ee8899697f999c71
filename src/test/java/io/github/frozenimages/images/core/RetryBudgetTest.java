package io.github.frozenimages.images.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.frozenimages.images.core.auth.CredentialProvider;
import io.github.frozenimages.images.core.output.PulledImage;
import io.github.frozenimages.images.core.registry.NetworkOptions;
import io.github.frozenimages.images.core.shared.ImagePullException;
import io.github.frozenimages.images.core.shared.ImagePullException.Reason;
import io.github.frozenimages.images.testing.Deliveries;
import io.github.frozenimages.images.testing.Faults;
import io.github.frozenimages.images.testing.HttpHeader;
import io.github.frozenimages.images.testing.RecordingListener;
import io.github.frozenimages.images.testing.RegistryPusher;
import io.github.frozenimages.images.testing.Rule;
import io.github.frozenimages.images.testing.StandardFixtures;
import io.github.frozenimages.images.testing.TestImage;
import io.github.frozenimages.images.testing.TestLayer;
import io.github.frozenimages.images.testing.WireFaults;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code images.retries} is one budget, honoured by one retry layer for every kind of request: a manifest, a
 * blob's resumes and a token. The real registry sits behind the fault proxy; each test counts the requests.
 */
class RetryBudgetTest extends FaultProxyTestSupport {

    private static final String BLOBBY = "test/retry-budget";
    private static TestLayer layer;

    @TempDir
    Path work;

    private final RecordingListener log = new RecordingListener();

    @BeforeAll
    static void pushImage() {
        layer = TestLayer.plain("retry-budget/layer", 2 * 1024 * 1024);
        new RegistryPusher(registry.baseUrl()).push(BLOBBY, "1.0", TestImage.builder().oci(true).layer(layer).build());
    }

    @ParameterizedTest(name = "images.retries={0}")
    @ValueSource(ints = {1, 3})
    void aManifestAnswering503ForeverCostsExactlyTheConfiguredAttempts(int attempts) {
        Rule down = proxy.add(Rule.onPath("GET", "/v2/test/oci-image/manifests/1.0").always()
                .then(WireFaults.status(503, "UNAVAILABLE", null)));

        ImagePullException e = assertThrows(ImagePullException.class,
                () -> pull(viaProxy(StandardFixtures.OCI_IMAGE), FAST_RETRIES.withAttempts(attempts)));

        assertEquals(attempts, down.uses(), "requests for the manifest");
        assertTrue(e.getMessage().contains("UNAVAILABLE: injected by the fault proxy (HTTP 503)"
                + (attempts > 1 ? " after " + attempts + " attempts" : "")), e.getMessage());
        assertEquals(attempts - 1, log.warnings().size(), log.lines().toString());
        assertEquals(Optional.of(proxy.address()), e.registry());
        assertEquals(Optional.of(viaProxy(StandardFixtures.OCI_IMAGE)), e.image());
    }

    @ParameterizedTest(name = "images.retries={0}")
    @ValueSource(ints = {2, 4})
    void aBlobThatKeepsBreakingOffStopsAfterTheConfiguredAttemptsWithoutProgress(int attempts) {
        long place = 1024 * 1024;
        String blob = "/v2/" + BLOBBY + "/blobs/" + layer.digest();
        // every answer, whole or ranged, is reset when the download reaches the same byte of the blob
        Rule dies = proxy.add(Rule.onPath("GET", blob).always().then((request, upstream) -> {
            long start = request.header("Range").map(r -> Long.parseLong(r.replaceAll("[^0-9]", ""))).orElse(0L);
            return upstream.forward(request).withDelivery(Deliveries.resetAfter(Math.max(0, place - start)));
        }));

        ImagePullException e = assertThrows(ImagePullException.class,
                () -> pull(proxy.address() + "/" + BLOBBY + ":1.0", FAST_RETRIES.withAttempts(attempts)));

        assertEquals(Reason.UNREACHABLE, e.reason(), e.getMessage());
        assertEquals(Optional.of(layer.digest()), e.digest());
        assertTrue(e.getMessage().contains("the download broke off " + attempts + " times at byte " + place), e.getMessage());
        // the first download, then the resumes that brought nothing (one more if the reset swallowed bytes in flight)
        assertTrue(dies.uses() >= 1 + attempts && dies.uses() <= 2 + attempts, "requests for the blob: " + dies.uses());
    }

    @Test
    void aTokenServiceAnswering503TwiceIsAskedAgainAndThePullSucceeds() throws Exception {
        try (StubTokenService tokens = new StubTokenService(300).failNext(2, 503)) {
            challengeWith(tokens);

            List<PulledImage> pulled = pull(viaProxy(StandardFixtures.OCI_IMAGE), FAST_RETRIES);

            assertEquals(fixtures.ociImage().manifestDigest(), pulled.get(0).manifestDigest().toString());
            assertEquals(3, tokens.requests().size(), "two refusals and the token: " + tokens.requests());
            List<String> retries = log.warnings().stream().filter(w -> w.contains("to get a token from 127.0.0.1 failed")).toList();
            assertEquals(2, retries.size(), log.lines().toString());
            assertTrue(retries.get(0).contains("attempt 1 of 5 to get a token from 127.0.0.1 failed (UNAVAILABLE: the stub token"
                    + " service is failing on purpose (HTTP 503)); retrying in "), retries.get(0));
            assertTrue(proxy.requests().stream().filter(r -> r.path().contains("/manifests/")).allMatch(r -> r.hasAuthorization()),
                    "every manifest request carried the token");
        }
    }

    @Test
    void aTokenServiceAnswering503ForeverFailsNamingTheTokenServiceNotTheCredentials() throws Exception {
        try (StubTokenService tokens = new StubTokenService(300).failNext(1000, 503)) {
            challengeWith(tokens);

            ImagePullException e = assertThrows(ImagePullException.class,
                    () -> pull(viaProxy(StandardFixtures.OCI_IMAGE), FAST_RETRIES.withAttempts(3)));

            assertEquals(3, tokens.requests().size(), "the token request is tried as often as any other");
            assertEquals(Reason.UNREACHABLE, e.reason(), e.getMessage());
            assertEquals("could not resolve " + viaProxy(StandardFixtures.OCI_IMAGE) + " from " + proxy.address()
                    + ": the token service 127.0.0.1 is unavailable (HTTP 503 after 3 attempts): UNAVAILABLE: the stub token"
                    + " service is failing on purpose", e.getMessage());
            assertFalse(e.messageWithAdvice().contains("credentials"), e.messageWithAdvice());
            assertTrue(proxy.requests().stream().noneMatch(r -> r.path().contains("/manifests/")), "no manifest request without a token");
        }
    }

    /** The registry's ping answers with a Bearer challenge naming the stub token service, as Docker Hub's does. */
    private void challengeWith(StubTokenService tokens) {
        proxy.add(Rule.onPath("GET", "/v2/").then(Faults.answer(401, List.of(
                new HttpHeader("Content-Type", "application/json"),
                new HttpHeader("WWW-Authenticate", "Bearer realm=\"" + tokens.realm() + "\",service=\"test\"")),
                "{\"errors\":[{\"code\":\"UNAUTHORIZED\",\"message\":\"authentication required\"}]}".getBytes(java.nio.charset.StandardCharsets.UTF_8))));
    }

    private List<PulledImage> pull(String reference, NetworkOptions network) {
        return new ImagePuller().pull(new PullRequest(List.of(image(reference)), work.resolve("out"), OutputFormat.OCI, Optional.empty(), 4,
                work.resolve("cache"), Set.of(), CredentialProvider.ANONYMOUS, log).withNetwork(network));
    }

    private String viaProxy(String repository) {
        return proxy.address() + "/" + repository + ":1.0";
    }
}
