package io.github.frozenimages.images.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.frozenimages.images.testing.DockerTlsFolder;
import io.github.frozenimages.images.testing.DockerTlsFolder.KeyForm;
import io.github.frozenimages.images.testing.ForkedMaven;
import io.github.frozenimages.images.testing.HandMadeDockerArchive;
import io.github.frozenimages.images.testing.PodmanService;
import io.github.frozenimages.images.testing.TestCertificates;
import io.github.frozenimages.images.testing.TestImage;
import io.github.frozenimages.images.testing.TestLayer;
import io.github.frozenimages.images.testing.TlsEngineProxy;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code mvn images:load} as a GitLab job runs it against {@code docker:dind}: real environment variables of a
 * real forked build, DOCKER_HOST/DOCKER_TLS_VERIFY/DOCKER_CERT_PATH, then DOCKER_CONFIG with DOCKER_CONTEXT,
 * to Podman's API service behind a TLS port that requires a client certificate.
 */
class ForkedBuildLoadOverTlsTest {

    private static final Duration BUILD_TIMEOUT = Duration.ofMinutes(3);
    private static final String TAG = "localhost/forked-over-tls:1.0";

    @TempDir
    static Path shared;

    private static TestCertificates certificates;
    private static PodmanService podman;
    private static TlsEngineProxy proxy;
    private static Path archive;

    @TempDir
    Path work;

    private ForkedMaven maven;

    @BeforeAll
    static void startEngineBehindTls() throws IOException {
        certificates = TestCertificates.createIn(Files.createDirectories(shared.resolve("pki")));
        TestImage image = TestImage.builder().oci(false).layer(TestLayer.plain("forked-over-tls", 4_000)).build();
        archive = HandMadeDockerArchive.write(image, TAG, shared.resolve("images.tar"));
        podman = PodmanService.start();
        proxy = TlsEngineProxy.start(certificates, podman.socket(), shared);
    }

    @AfterAll
    static void stopEngine() {
        try {
            if (proxy != null) {
                proxy.close();
            }
        } finally {
            if (podman != null) {
                podman.close();
            }
        }
    }

    @BeforeEach
    void installPlugin() {
        maven = ForkedMaven.install(work);
    }

    @AfterEach
    void stopBuilds() {
        if (maven != null) {
            maven.close(); // kills any build still running, by its pid
        }
    }

    @Test
    void dockerHostWithTlsVerifyAndCertPathAsGitlabSetsThem() {
        Path certs = DockerTlsFolder.write(certificates, KeyForm.PKCS8, work.resolve("certs/client"));

        ForkedMaven.Build build = maven.start(work.resolve("job"), "", List.of(maven.plugin() + ":load",
                "-Dimages.archive=" + archive), Map.of("DOCKER_HOST", proxy.dockerHost(), "DOCKER_TLS_VERIFY", "1",
                "DOCKER_CERT_PATH", certs.toString()));

        build.assertSucceeds(BUILD_TIMEOUT);
        assertTrue(build.log().contains("into the engine at " + proxy.dockerHost() + " over TLS"), build.describe());
        assertTrue(build.log().contains("[INFO] Loaded image: " + TAG), build.describe() + "\n" + proxy.logTail());
    }

    @Test
    void dockerContextInDockerConfig() throws Exception {
        Path config = work.resolve("docker-config");
        String hex = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest("dind".getBytes(StandardCharsets.UTF_8)));
        Path meta = Files.createDirectories(config.resolve("contexts/meta").resolve(hex));
        Files.writeString(meta.resolve("meta.json"), "{\"Name\":\"dind\",\"Metadata\":{},\"Endpoints\":{\"docker\":"
                + "{\"Host\":\"" + proxy.dockerHost() + "\",\"SkipTLSVerify\":false}}}");
        DockerTlsFolder.write(certificates, KeyForm.SEC1_EC, config.resolve("contexts/tls").resolve(hex).resolve("docker"));

        ForkedMaven.Build build = maven.start(work.resolve("job"), "", List.of(maven.plugin() + ":load",
                "-Dimages.archive=" + archive), Map.of("DOCKER_CONFIG", config.toString(), "DOCKER_CONTEXT", "dind"));

        assertEquals(0, build.await(BUILD_TIMEOUT), build.describe());
        assertTrue(build.log().contains("into the engine at " + proxy.dockerHost() + " (Docker context \"dind\", chosen by"
                + " DOCKER_CONTEXT) over TLS"), build.describe());
        assertTrue(build.log().contains("[INFO] Loaded image: " + TAG), build.describe() + "\n" + proxy.logTail());
    }
}
