package io.github.frozenimages.images.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.frozenimages.images.core.auth.ChainedCredentialProvider;
import io.github.frozenimages.images.core.auth.DockerConfigCredentialProvider;
import io.github.frozenimages.images.core.output.PulledImage;
import io.github.frozenimages.images.core.ref.ImageReference;
import io.github.frozenimages.images.core.ref.ImageRequest;
import io.github.frozenimages.images.core.ref.Platform;
import io.github.frozenimages.images.core.shared.ImagePullException;
import io.github.frozenimages.images.testing.RecordingListener;
import io.github.frozenimages.images.testing.RegistryConfig;
import io.github.frozenimages.images.testing.RegistryPusher;
import io.github.frozenimages.images.testing.RegistryServer;
import io.github.frozenimages.images.testing.StandardFixtures;
import io.github.frozenimages.images.testing.TestImage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Credentials where CI puts them, against the real registry with htpasswd (Basic) authentication: only in a
 * {@code DOCKER_AUTH_CONFIG} variable, as GitLab CI sets it, and only in an old {@code ~/.dockercfg}. The pull
 * works with either, the INFO line and the report name the source, and nothing the pull reports holds the secret.
 */
class CiCredentialsPullTest {

    private static final String USER = "ci-user";
    private static final String PASSWORD = "ci-secret-" + UUID.randomUUID();
    private static final String AUTH = Base64.getEncoder().encodeToString((USER + ":" + PASSWORD).getBytes(StandardCharsets.UTF_8));

    @TempDir
    static Path registryFiles;

    static RegistryServer registry;
    static TestImage image;

    @TempDir
    Path work;

    private final RecordingListener log = new RecordingListener();

    @BeforeAll
    static void startRegistryWithHtpasswd() throws Exception {
        Path htpasswd = registryFiles.resolve("htpasswd");
        Process p = new ProcessBuilder("htpasswd", "-Bbn", "-C", "4", USER, PASSWORD).redirectErrorStream(false).start();
        assertTrue(p.waitFor(30, TimeUnit.SECONDS), "htpasswd did not finish");
        assertEquals(0, p.exitValue(), "htpasswd (Debian apache2-utils) must be installed");
        Files.write(htpasswd, p.getInputStream().readAllBytes());
        registry = RegistryServer.start(RegistryConfig.plain()
                .set("auth.htpasswd.realm", "ci").set("auth.htpasswd.path", htpasswd.toString()));
        image = StandardFixtures.build().ociImage();
        new RegistryPusher(registry.baseUrl(), "Basic " + AUTH).push(StandardFixtures.OCI_IMAGE, StandardFixtures.TAG, image);
    }

    @AfterAll
    static void stopRegistry() {
        if (registry != null) {
            registry.close();
        }
    }

    @Test
    void credentialsOnlyInDockerAuthConfigPull() throws Exception {
        Map<String, String> env = Map.of("DOCKER_AUTH_CONFIG",
                "{\"auths\":{\"" + registry.address() + "\":{\"auth\":\"" + AUTH + "\"}}}");

        PulledImage pulled = pull(env, emptyHome());

        assertEquals(image.manifestDigest(), pulled.manifestDigest().toString());
        assertTrue(log.lines().contains("INFO credentials for " + registry.address() + " from DOCKER_AUTH_CONFIG"), log.lines().toString());
        assertTrue(Files.readString(work.resolve("out-report.json")).contains("\"credentials\":\"DOCKER_AUTH_CONFIG\""));
        assertNoSecretReported();
    }

    @Test
    void credentialsOnlyInTheOldDockercfgPull() throws Exception {
        Path home = emptyHome();
        Files.writeString(home.resolve(".dockercfg"), "{\"http://" + registry.address() + "\":{\"auth\":\"" + AUTH
                + "\",\"email\":\"ci@example.com\"}}");

        PulledImage pulled = pull(Map.of(), home);

        assertEquals(image.manifestDigest(), pulled.manifestDigest().toString());
        assertTrue(log.lines().contains("INFO credentials for " + registry.address() + " from ~/.dockercfg"), log.lines().toString());
        assertTrue(Files.readString(work.resolve("out-report.json")).contains("\"credentials\":\"~/.dockercfg\""));
        assertNoSecretReported();
    }

    @Test
    void withoutEitherTheRegistryRefusesThePull() throws Exception {
        Path home = emptyHome();
        ImagePullException e = assertThrows(ImagePullException.class, () -> pull(Map.of(), home));

        assertEquals(ImagePullException.Reason.DENIED, e.reason(), e.getMessage());
        assertTrue(e.getMessage().contains("requires credentials (Basic authentication) and none are configured"), e.getMessage());
    }

    private PulledImage pull(Map<String, String> env, Path home) {
        ImageRequest request = new ImageRequest(ImageReference.parse(registry.address() + "/" + StandardFixtures.OCI_IMAGE + ":"
                + StandardFixtures.TAG), Platform.parse("linux/amd64"));
        // the provider as the mojos chain it, but with this test's environment and home instead of the build's
        ChainedCredentialProvider credentials = new ChainedCredentialProvider(log, new DockerConfigCredentialProvider(env, home));
        List<PulledImage> pulled = new ImagePuller().pull(new PullRequest(List.of(request), work.resolve("out"), OutputFormat.OCI,
                Optional.empty(), 2, work.resolve("cache"), Set.of(), credentials, log).withNetwork(RegistryTestSupport.FAST_RETRIES));
        return pulled.get(0);
    }

    private Path emptyHome() throws Exception {
        return Files.createDirectories(work.resolve("home"));
    }

    private void assertNoSecretReported() throws Exception {
        String report = Files.readString(work.resolve("out-report.json"));
        assertFalse(report.contains(PASSWORD) || report.contains(AUTH), report);
        for (String line : log.lines()) {
            assertFalse(line.contains(PASSWORD) || line.contains(AUTH), "secret in log line: " + line);
        }
    }
}
