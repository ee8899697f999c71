package io.github.frozenimages.images.core;

import io.github.frozenimages.images.core.shared.ImagePullException;
import io.github.frozenimages.images.core.ref.ImageRequest;
import io.github.frozenimages.images.core.output.PulledImage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.frozenimages.images.core.auth.Credentials;
import io.github.frozenimages.images.core.ref.ImageReference;
import io.github.frozenimages.images.core.ref.Platform;
import io.github.frozenimages.images.testing.RecordingListener;
import io.github.frozenimages.images.testing.RegistryConfig;
import io.github.frozenimages.images.testing.RegistryPusher;
import io.github.frozenimages.images.testing.RegistryServer;
import io.github.frozenimages.images.testing.StandardFixtures;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Challenges from the real registry: Bearer (its "silly" mode, which challenges like Docker Hub and accepts
 * any token, with a token endpoint in the test) and Basic (htpasswd with a bcrypt entry).
 */
class RegistryAuthTest {

    @TempDir
    Path work;

    @Test
    void anonymousBearerTokenIsFetchedOncePerRepositoryAndReused() throws Exception {
        try (StubTokenService tokens = new StubTokenService(300);
             RegistryServer registry = RegistryServer.start(RegistryConfig.plain()
                     .set("auth.silly.realm", tokens.realm()).set("auth.silly.service", "test-registry"))) {
            StandardFixtures fixtures = StandardFixtures.build();
            RegistryPusher pusher = new RegistryPusher(registry.baseUrl(), "Bearer push");
            pusher.push("test/shared-base", "1.0", fixtures.sharedBase1());
            pusher.push("test/shared-base", "2.0", fixtures.sharedBase2());
            pusher.push("test/oci-image", "1.0", fixtures.ociImage());

            new ImagePuller().pull(new PullRequest(List.of(
                    request(registry, "test/shared-base:1.0"), request(registry, "test/shared-base:2.0"), request(registry, "test/oci-image:1.0")),
                    work.resolve("out"), OutputFormat.DOCKER, Optional.empty(), 4, work.resolve("cache"), Set.of(), null, null));

            List<StubTokenService.Request> requests = tokens.requests();
            assertEquals(2, requests.size(), "one token per repository scope: " + requests);
            assertTrue(requests.stream().anyMatch(r -> r.query().contains("scope=repository%3Atest%2Fshared-base%3Apull")), requests.toString());
            assertTrue(requests.stream().allMatch(r -> r.query().contains("service=test-registry")), requests.toString());
            assertTrue(requests.stream().allMatch(r -> r.authorization() == null), "anonymous: no credentials to the token service");
            assertTrue(Files.isRegularFile(work.resolve("out/manifest.json")));
        }
    }

    @Test
    void basicChallengeIsAnsweredWithConfiguredCredentialsAndRefusedWithout() throws Exception {
        Path htpasswd = work.resolve("htpasswd");
        Process p = new ProcessBuilder("htpasswd", "-Bbn", "-C", "4", "alice", "s3cret-pass").redirectErrorStream(false).start();
        assertTrue(p.waitFor(30, TimeUnit.SECONDS), "htpasswd did not finish");
        assertEquals(0, p.exitValue(), "htpasswd (Debian apache2-utils) must be installed");
        Files.write(htpasswd, p.getInputStream().readAllBytes());

        try (RegistryServer registry = RegistryServer.start(RegistryConfig.plain()
                .set("auth.htpasswd.realm", "test").set("auth.htpasswd.path", htpasswd.toString()))) {
            StandardFixtures fixtures = StandardFixtures.build();
            new RegistryPusher(registry.baseUrl(), new Credentials("alice", "s3cret-pass", "test").basicHeader())
                    .push("test/oci-image", "1.0", fixtures.ociImage());

            ImagePullException denied = assertThrows(ImagePullException.class, () -> pull(registry, null));
            assertEquals(ImagePullException.Reason.DENIED, denied.reason());
            assertTrue(denied.getMessage().contains(registry.address()), denied.getMessage());

            ImagePullException wrong = assertThrows(ImagePullException.class,
                    () -> pull(registry, new Credentials("alice", "wrong-pass", "the test's wrong password")));
            assertTrue(wrong.getMessage().contains("the credentials from the test's wrong password were rejected"), wrong.getMessage());
            assertFalse(wrong.getMessage().contains("wrong-pass"), "the secret must never appear: " + wrong.getMessage());

            List<PulledImage> pulled = pull(registry, new Credentials("alice", "s3cret-pass", "test"));
            assertEquals(fixtures.ociImage().manifestDigest(), pulled.get(0).manifestDigest().toString());

            // everything the pull reports, debug included (what mvn -X shows), is free of the secret
            RecordingListener capture = new RecordingListener();
            new ImagePuller().pull(new PullRequest(List.of(request(registry, "test/oci-image:1.0")), work.resolve("out2"),
                    OutputFormat.DOCKER, Optional.empty(), 2, work.resolve("cache2"), Set.of(),
                    r -> Optional.of(new Credentials("alice", "s3cret-pass", "test")), capture));
            String basic = new Credentials("alice", "s3cret-pass", "test").basicHeader().substring("Basic ".length());
            String report = Files.readString(work.resolve("out2-report.json"));
            assertTrue(report.contains("\"credentials\":\"test\""), report);
            assertFalse(report.contains("s3cret-pass") || report.contains(basic), report);
            List<String> lines = capture.lines();
            assertTrue(lines.size() > 3, "debug lines were captured: " + lines);
            for (String line : lines) {
                assertFalse(line.contains("s3cret-pass") || line.contains(basic), "secret in log line: " + line);
            }
        }
    }

    private List<PulledImage> pull(RegistryServer registry, Credentials credentials) {
        return new ImagePuller().pull(new PullRequest(List.of(request(registry, "test/oci-image:1.0")), work.resolve("out"),
                OutputFormat.DOCKER, Optional.empty(), 2, work.resolve("cache"), Set.of(),
                r -> Optional.ofNullable(credentials), null));
    }

    private static ImageRequest request(RegistryServer registry, String image) {
        return new ImageRequest(ImageReference.parse(registry.address() + "/" + image), Platform.parse("linux/amd64"));
    }
}
