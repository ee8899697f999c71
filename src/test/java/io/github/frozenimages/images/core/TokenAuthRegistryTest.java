package io.github.frozenimages.images.core;

import io.github.frozenimages.images.core.shared.ImagePullException;
import io.github.frozenimages.images.core.ref.ImageRequest;
import io.github.frozenimages.images.core.output.PulledImage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.frozenimages.images.core.auth.CredentialProvider;
import io.github.frozenimages.images.core.auth.Credentials;
import io.github.frozenimages.images.testing.JwtTokenIssuer;
import io.github.frozenimages.images.testing.RecordingListener;
import io.github.frozenimages.images.testing.RegistryConfig;
import io.github.frozenimages.images.testing.RegistryPusher;
import io.github.frozenimages.images.testing.RegistryServer;
import io.github.frozenimages.images.testing.StandardFixtures;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real registry in token mode ({@code auth.token}): it verifies the signature, issuer, audience, expiry
 * and access of every JWT, so a pull that succeeds proves the client asked for the right scope, sent the
 * credentials where they belong, and renewed what the registry refused.
 */
class TokenAuthRegistryTest {

    private static final String PRIVATE = "private/app";
    private static final String PASSWORD = "s3cret-token-pass";

    @TempDir
    static Path issuerFiles;

    static JwtTokenIssuer issuer;
    static RegistryServer registry;
    static StandardFixtures fixtures;

    @TempDir
    Path work;

    private final RecordingListener log = new RecordingListener();

    @BeforeAll
    static void startIssuerAndRegistry() {
        issuer = JwtTokenIssuer.start(issuerFiles).user("alice", PASSWORD).privateRepository(PRIVATE);
        registry = RegistryServer.start(issuer.configure(RegistryConfig.plain()));
        fixtures = StandardFixtures.build();
        RegistryPusher pusher = new RegistryPusher(registry.baseUrl(), issuer.bearer(
                List.of(StandardFixtures.OCI_IMAGE, StandardFixtures.DOCKER_IMAGE, StandardFixtures.SHARED_BASE, PRIVATE), "pull", "push"));
        pusher.push(StandardFixtures.OCI_IMAGE, StandardFixtures.TAG, fixtures.ociImage());
        pusher.push(StandardFixtures.DOCKER_IMAGE, StandardFixtures.TAG, fixtures.dockerImage());
        pusher.push(StandardFixtures.SHARED_BASE, StandardFixtures.TAG, fixtures.sharedBase1());
        pusher.push(StandardFixtures.SHARED_BASE, StandardFixtures.SHARED_BASE_SECOND_TAG, fixtures.sharedBase2());
        pusher.push(PRIVATE, "1.0", fixtures.dockerImage());
    }

    @AfterAll
    static void stopIssuerAndRegistry() {
        try {
            if (registry != null) {
                registry.close();
            }
        } finally {
            if (issuer != null) {
                issuer.close();
            }
        }
    }

    @BeforeEach
    void forgetEarlierTokenRequests() {
        issuer.clearRequests();
    }

    @Test
    void aPublicRepositoryIsPulledWithAnAnonymousToken() {
        List<PulledImage> pulled = pull(CredentialProvider.ANONYMOUS, "test/oci-image:1.0");

        assertEquals(fixtures.ociImage().manifestDigest(), pulled.get(0).manifestDigest().toString());
        List<JwtTokenIssuer.Request> requests = issuer.requestsFor(scope(StandardFixtures.OCI_IMAGE));
        assertEquals(1, requests.size(), issuer.requests().toString());
        assertNull(requests.get(0).user(), "anonymous: no credentials to the token service");
        assertEquals(JwtTokenIssuer.SERVICE, requests.get(0).service());
    }

    @Test
    void aPrivateRepositoryIsPulledWithTheCredentialsOfTheRequest() {
        ImagePullException anonymous = assertThrows(ImagePullException.class, () -> pull(CredentialProvider.ANONYMOUS, PRIVATE + ":1.0"));
        assertEquals(ImagePullException.Reason.DENIED, anonymous.reason(), anonymous.getMessage());
        assertTrue(anonymous.getMessage().contains("no credentials are configured for " + registry.address()), anonymous.getMessage());

        issuer.clearRequests();
        List<PulledImage> pulled = pull(alice(PASSWORD, "the test's settings.xml"), PRIVATE + ":1.0");

        assertEquals(fixtures.dockerImage().manifestDigest(), pulled.get(0).manifestDigest().toString());
        List<JwtTokenIssuer.Request> requests = issuer.requestsFor(scope(PRIVATE));
        assertEquals(1, requests.size(), issuer.requests().toString());
        assertEquals("alice", requests.get(0).user());
        assertEquals(200, requests.get(0).status());
    }

    @Test
    void aWrongPasswordIsDeniedNamingWhereTheCredentialsCameFromButNeverThePassword() {
        String wrong = "wrong-token-pass";
        ImagePullException e = assertThrows(ImagePullException.class, () -> pull(alice(wrong, "the test's wrong password"), PRIVATE + ":1.0"));

        assertEquals(ImagePullException.Reason.DENIED, e.reason(), e.getMessage());
        assertTrue(e.getMessage().contains("the credentials from the test's wrong password were rejected"), e.getMessage());
        assertTrue(e.getMessage().contains(registry.address()), e.getMessage());
        String basic = Base64.getEncoder().encodeToString(("alice:" + wrong).getBytes(java.nio.charset.StandardCharsets.UTF_8));
        for (String line : withAllLines(e)) {
            assertFalse(line.contains(wrong) || line.contains(basic), "the secret must never appear: " + line);
        }
        // refused credentials are final: one request, not a retry storm against the token service
        assertEquals(1, issuer.requestsFor(scope(PRIVATE)).size(), issuer.requests().toString());
    }

    @Test
    void aMissingRepositoryIsNotFoundNamingTheImageAndTheRegistry() {
        ImagePullException e = assertThrows(ImagePullException.class, () -> pull(CredentialProvider.ANONYMOUS, "test/absent:1.0"));

        assertEquals(ImagePullException.Reason.NOT_FOUND, e.reason(), e.getMessage());
        assertTrue(e.getMessage().contains(registry.address() + "/test/absent:1.0"), e.getMessage());
        assertTrue(e.getMessage().contains("from " + registry.address()), e.getMessage());
    }

    @Test
    void aTokenTheRegistryRefusesAsExpiredIsRenewedOnce() {
        issuer.expireNextTokenFor(scope(StandardFixtures.DOCKER_IMAGE));

        List<PulledImage> pulled = pull(CredentialProvider.ANONYMOUS, "test/docker-image:1.0");

        assertEquals(fixtures.dockerImage().manifestDigest(), pulled.get(0).manifestDigest().toString());
        assertEquals(2, issuer.requestsFor(scope(StandardFixtures.DOCKER_IMAGE)).size(), "the expired token and its renewal: " + issuer.requests());
        assertTrue(log.lines().stream().anyMatch(l -> l.contains("refused the token for test/docker-image; renewing it")), log.lines().toString());
    }

    @Test
    void aTokenIsFetchedOncePerRepositoryForAMultiImagePull() {
        pull(CredentialProvider.ANONYMOUS, "test/shared-base:1.0", "test/shared-base:2.0", "test/oci-image:1.0");

        assertEquals(1, issuer.requestsFor(scope(StandardFixtures.SHARED_BASE)).size(), issuer.requests().toString());
        assertEquals(1, issuer.requestsFor(scope(StandardFixtures.OCI_IMAGE)).size(), issuer.requests().toString());
        assertEquals(2, issuer.requests().size(), issuer.requests().toString());
    }

    private static String scope(String repository) {
        return "repository:" + repository + ":pull";
    }

    private static CredentialProvider alice(String password, String source) {
        return r -> r.equals(registry.address()) ? Optional.of(new Credentials("alice", password, source)) : Optional.empty();
    }

    /** The failure's messages, its causes' and suppressed ones', and every line the pull reported. */
    private List<String> withAllLines(Throwable failure) {
        List<String> lines = new java.util.ArrayList<>(log.lines());
        for (Throwable t = failure; t != null; t = t.getCause()) {
            lines.add(String.valueOf(t.getMessage()));
            Arrays.stream(t.getSuppressed()).forEach(s -> lines.add(String.valueOf(s.getMessage())));
        }
        return lines;
    }

    private List<PulledImage> pull(CredentialProvider credentials, String... images) {
        List<ImageRequest> requests = Arrays.stream(images).map(i -> RegistryTestSupport.image(registry.address() + "/" + i)).toList();
        return new ImagePuller().pull(new PullRequest(requests, work.resolve("out"), OutputFormat.DOCKER, Optional.empty(), 4,
                work.resolve("cache"), Set.of(), credentials, log).withNetwork(RegistryTestSupport.FAST_RETRIES));
    }
}
