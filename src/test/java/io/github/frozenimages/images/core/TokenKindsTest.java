package io.github.frozenimages.images.core;

import io.github.frozenimages.images.core.ref.ImageRequest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.frozenimages.images.core.auth.Credentials;
import io.github.frozenimages.images.core.ref.ImageReference;
import io.github.frozenimages.images.core.ref.Platform;
import io.github.frozenimages.images.testing.RegistryConfig;
import io.github.frozenimages.images.testing.RegistryPusher;
import io.github.frozenimages.images.testing.RegistryServer;
import io.github.frozenimages.images.testing.StandardFixtures;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Identity tokens go through the OAuth2 refresh-token grant (GET as fallback); registry tokens go out as they are. */
class TokenKindsTest {

    @TempDir
    Path work;

    private void pull(RegistryServer registry, Credentials credentials) {
        ImageRequest image = new ImageRequest(ImageReference.parse(registry.address() + "/test/oci-image:1.0"), Platform.parse("linux/amd64"));
        new ImagePuller().pull(new PullRequest(List.of(image), work.resolve("out"), OutputFormat.OCI, Optional.empty(), 2,
                work.resolve("cache"), Set.of(), r -> Optional.of(credentials), null));
    }

    private static RegistryServer sillyRegistry(StubTokenService tokens) {
        RegistryServer registry = RegistryServer.start(RegistryConfig.plain()
                .set("auth.silly.realm", tokens.realm()).set("auth.silly.service", "test-registry"));
        new RegistryPusher(registry.baseUrl(), "Bearer push").push("test/oci-image", "1.0", StandardFixtures.build().ociImage());
        return registry;
    }

    @Test
    void anIdentityTokenIsExchangedWithTheRefreshTokenGrant() throws Exception {
        try (StubTokenService tokens = new StubTokenService(300); RegistryServer registry = sillyRegistry(tokens)) {
            pull(registry, new Credentials(Credentials.TOKEN_USERNAME, "refresh-me", "test", Credentials.Kind.IDENTITY_TOKEN));
            List<StubTokenService.Request> requests = tokens.requests();
            assertEquals(1, requests.size(), requests.toString());
            StubTokenService.Request post = requests.get(0);
            assertEquals("POST", post.method());
            assertTrue(post.body().contains("grant_type=refresh_token") && post.body().contains("refresh_token=refresh-me"), post.body());
            assertTrue(post.body().contains("scope=repository%3Atest%2Foci-image%3Apull") && post.body().contains("service=test-registry"), post.body());
            assertNull(post.authorization(), "the refresh token travels in the form, not as Basic");
        }
    }

    @Test
    void withoutAPostEndpointTheIdentityTokenFallsBackToGet() throws Exception {
        try (StubTokenService tokens = new StubTokenService(300, false); RegistryServer registry = sillyRegistry(tokens)) {
            pull(registry, new Credentials(Credentials.TOKEN_USERNAME, "refresh-me", "test", Credentials.Kind.IDENTITY_TOKEN));
            List<StubTokenService.Request> requests = tokens.requests();
            assertEquals(List.of("POST", "GET"), requests.stream().map(StubTokenService.Request::method).toList());
            assertTrue(requests.get(1).authorization().startsWith("Basic "), requests.toString());
        }
    }

    @Test
    void aRegistryTokenIsSentAsItIsWithoutAskingTheTokenService() throws Exception {
        try (StubTokenService tokens = new StubTokenService(300); RegistryServer registry = sillyRegistry(tokens)) {
            pull(registry, new Credentials(Credentials.TOKEN_USERNAME, "ready-made", "test", Credentials.Kind.REGISTRY_TOKEN));
            assertEquals(List.of(), tokens.requests());
        }
    }
}
