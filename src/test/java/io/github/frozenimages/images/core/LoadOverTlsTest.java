package io.github.frozenimages.images.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.frozenimages.images.core.engine.ArchiveSource;
import io.github.frozenimages.images.core.engine.EngineClient;
import io.github.frozenimages.images.core.engine.EngineEndpoint;
import io.github.frozenimages.images.core.engine.EngineException;
import io.github.frozenimages.images.core.engine.LoadedImages;
import io.github.frozenimages.images.testing.DockerTlsFolder;
import io.github.frozenimages.images.testing.DockerTlsFolder.KeyForm;
import io.github.frozenimages.images.testing.HandMadeDockerArchive;
import io.github.frozenimages.images.testing.PodmanService;
import io.github.frozenimages.images.testing.TestCertificates;
import io.github.frozenimages.images.testing.TestImage;
import io.github.frozenimages.images.testing.TestLayer;
import io.github.frozenimages.images.testing.TlsEngineProxy;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Load over TLS as CI has it: Podman's API service on a unix socket behind socat, which terminates TLS and
 * requires a client certificate of the test CA, the way GitLab's {@code docker:dind} serves port 2376. The engine
 * is reached with DOCKER_HOST, DOCKER_TLS_VERIFY and DOCKER_CERT_PATH, and again through a Docker context; the
 * failures a user meets there (a certificate of another CA, a missing key.pem, nothing listening) are each
 * named by the engine's address and the setting to fix.
 */
class LoadOverTlsTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(120);

    @TempDir
    static Path shared;

    private static TestCertificates certificates;
    private static PodmanService podman;
    private static TlsEngineProxy proxy;
    private static TestImage image;
    private static Path archive;

    @TempDir
    Path work;

    @BeforeAll
    static void startEngineBehindTls() throws IOException {
        certificates = TestCertificates.createIn(Files.createDirectories(shared.resolve("pki")));
        image = TestImage.builder().oci(false).layer(TestLayer.plain("load-over-tls", 4_000)).build();
        archive = HandMadeDockerArchive.write(image, "localhost/over-tls:1.0", shared.resolve("images.tar"));
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

    @Test
    void loadsThroughDockerHostWithTlsVerifyAndTheCertPathsFiles() throws IOException {
        Path certs = DockerTlsFolder.write(certificates, KeyForm.PKCS1, work.resolve("certs/client"));
        Map<String, String> env = Map.of("DOCKER_HOST", proxy.dockerHost(), "DOCKER_TLS_VERIFY", "1",
                "DOCKER_CERT_PATH", certs.toString());

        EngineEndpoint endpoint = EngineEndpoint.resolve(null, env, work.resolve("no-docker-config"));
        try (EngineClient client = new EngineClient(endpoint, TIMEOUT)) {
            LoadedImages loaded = client.load(ArchiveSource.of(archive));

            assertEquals(List.of("localhost/over-tls:1.0"), loaded.names(), proxy.logTail());
            assertListed(client, image.configDigest(), "localhost/over-tls:1.0");
        }
    }

    @Test
    void loadsThroughTheCurrentContextWithItsTlsFilesAndAnEcKey() throws IOException {
        Path config = work.resolve("docker-config");
        writeContext(config, "dind", proxy.dockerHost(), KeyForm.SEC1_EC);
        Files.writeString(config.resolve("config.json"), "{\"auths\":{},\"currentContext\":\"dind\"}");

        EngineEndpoint endpoint = EngineEndpoint.resolve(null, Map.of(), config);
        assertEquals(proxy.dockerHost() + " (Docker context \"dind\", chosen by currentContext of " + config.resolve("config.json")
                + ")", endpoint.toString());
        try (EngineClient client = new EngineClient(endpoint, TIMEOUT)) {
            assertEquals(List.of("localhost/over-tls:1.0"), client.load(ArchiveSource.of(archive)).names(), proxy.logTail());
        }
    }

    @Test
    void dockerContextWinsOverCurrentContext() throws IOException {
        Path config = work.resolve("docker-config");
        writeContext(config, "ci", proxy.dockerHost(), KeyForm.PKCS8);
        Files.writeString(config.resolve("config.json"), "{\"currentContext\":\"colima\"}"); // not there: never read

        EngineEndpoint endpoint = EngineEndpoint.resolve(null, Map.of("DOCKER_CONTEXT", "ci"), config);
        try (EngineClient client = new EngineClient(endpoint, TIMEOUT)) {
            assertEquals(List.of("localhost/over-tls:1.0"), client.load(ArchiveSource.of(archive)).names(), proxy.logTail());
        }
    }

    @Test
    void aClientCertificateOfAnotherCaIsRefusedByName() throws IOException {
        TestCertificates stranger = TestCertificates.createIn(Files.createDirectories(work.resolve("other-pki")));
        Path certs = DockerTlsFolder.write(stranger, KeyForm.PKCS8, work.resolve("certs"));
        Files.copy(certificates.caCertificate(), certs.resolve("ca.pem"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        Map<String, String> env = Map.of("DOCKER_HOST", proxy.dockerHost(), "DOCKER_TLS_VERIFY", "1",
                "DOCKER_CERT_PATH", certs.toString());

        EngineEndpoint endpoint = EngineEndpoint.resolve(null, env, work);
        EngineException e;
        try (EngineClient client = new EngineClient(endpoint, TIMEOUT)) {
            e = assertThrows(EngineException.class, () -> client.load(ArchiveSource.of(archive)));
        }

        assertEquals(EngineException.Reason.TLS, e.reason(), e.getMessage());
        assertEquals("the engine at " + proxy.dockerHost() + " refused the client certificate " + certs.resolve("cert.pem")
                + " (" + tlsDetail(e) + "); it must be signed by a CA the engine trusts (check DOCKER_CERT_PATH=" + certs + ")",
                e.getMessage());
    }

    @Test
    void anEngineCertificateOfAnotherCaIsNotTrusted() throws IOException {
        TestCertificates stranger = TestCertificates.createIn(Files.createDirectories(work.resolve("other-pki")));
        Path certs = DockerTlsFolder.write(certificates, KeyForm.PKCS8, work.resolve("certs"));
        Files.copy(stranger.caCertificate(), certs.resolve("ca.pem"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        Map<String, String> env = Map.of("DOCKER_HOST", proxy.dockerHost(), "DOCKER_TLS_VERIFY", "1",
                "DOCKER_CERT_PATH", certs.toString());

        EngineException e;
        try (EngineClient client = new EngineClient(EngineEndpoint.resolve(null, env, work), TIMEOUT)) {
            e = assertThrows(EngineException.class, () -> client.load(ArchiveSource.of(archive)));
        }

        assertEquals(EngineException.Reason.TLS, e.reason(), e.getMessage());
        assertTrue(e.getMessage().startsWith("the engine at " + proxy.dockerHost() + " presented a certificate that neither "
                + certs.resolve("ca.pem") + " nor the JVM's CAs vouch for ("), e.getMessage());
        assertTrue(e.getMessage().endsWith(") (check DOCKER_CERT_PATH=" + certs + ")"), e.getMessage());
    }

    @Test
    void anEngineThatWantsAClientCertificateTheFolderLacksSaysSo() throws IOException {
        Path certs = Files.createDirectories(work.resolve("ca-only"));
        Files.copy(certificates.caCertificate(), certs.resolve("ca.pem"));
        Map<String, String> env = Map.of("DOCKER_HOST", proxy.dockerHost(), "DOCKER_TLS_VERIFY", "1",
                "DOCKER_CERT_PATH", certs.toString());

        EngineException e;
        try (EngineClient client = new EngineClient(EngineEndpoint.resolve(null, env, work), TIMEOUT)) {
            e = assertThrows(EngineException.class, () -> client.load(ArchiveSource.of(archive)));
        }

        assertEquals(EngineException.Reason.TLS, e.reason(), e.getMessage());
        String prefix = "the engine at " + proxy.dockerHost() + " asks for a client certificate, and " + certs
                + " holds no cert.pem and key.pem (";
        String suffix = ") (check DOCKER_CERT_PATH=" + certs + ")";
        assertTrue(e.getMessage().startsWith(prefix) && e.getMessage().endsWith(suffix), e.getMessage());
        assertSocketDetail(e.getMessage().substring(prefix.length(), e.getMessage().length() - suffix.length()));
    }

    @Test
    void aMissingKeyIsNamedBeforeAnyConnection() throws IOException {
        Path certs = DockerTlsFolder.write(certificates, KeyForm.PKCS8, work.resolve("certs"));
        Files.delete(certs.resolve("key.pem"));
        Map<String, String> env = Map.of("DOCKER_HOST", proxy.dockerHost(), "DOCKER_TLS_VERIFY", "1",
                "DOCKER_CERT_PATH", certs.toString());
        EngineEndpoint endpoint = EngineEndpoint.resolve(null, env, work);

        EngineException e = assertThrows(EngineException.class, () -> new EngineClient(endpoint, TIMEOUT));

        assertEquals(EngineException.Reason.TLS, e.reason());
        assertEquals("cannot use TLS with the engine at " + proxy.dockerHost() + ": " + certs.resolve("key.pem")
                + " does not exist, and cert.pem is of no use without its key (check DOCKER_CERT_PATH=" + certs + ")", e.getMessage());
    }

    @Test
    void anUnreachableEngineOfAContextIsNamedWithTheContext() throws IOException {
        int closed;
        try (ServerSocket reserved = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closed = reserved.getLocalPort();
        }
        Path config = work.resolve("docker-config");
        writeContext(config, "gone", "tcp://127.0.0.1:" + closed, KeyForm.PKCS8);

        EngineEndpoint endpoint = EngineEndpoint.resolve(null, Map.of("DOCKER_CONTEXT", "gone"), config);
        EngineException e;
        try (EngineClient client = new EngineClient(endpoint, TIMEOUT)) {
            e = assertThrows(EngineException.class, () -> client.load(ArchiveSource.of(archive)));
        }

        assertEquals(EngineException.Reason.NOT_LISTENING, e.reason());
        assertEquals("no engine listening at tcp://127.0.0.1:" + closed + " (Docker context \"gone\", chosen by DOCKER_CONTEXT):"
                + " connection refused", e.getMessage());
    }

    /** A context as {@code docker context create NAME --docker host=...,ca=...,cert=...,key=...} leaves it. */
    static void writeContext(Path config, String name, String host, KeyForm keyForm) throws IOException {
        String hex = sha256Hex(name);
        Path meta = Files.createDirectories(config.resolve("contexts/meta").resolve(hex));
        Files.writeString(meta.resolve("meta.json"), "{\"Name\":\"" + name + "\",\"Metadata\":{\"Description\":\"test\"},"
                + "\"Endpoints\":{\"docker\":{\"Host\":\"" + host + "\",\"SkipTLSVerify\":false}}}");
        DockerTlsFolder.write(certificates, keyForm, config.resolve("contexts/tls").resolve(hex).resolve("docker"));
    }

    private static String sha256Hex(String name) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(name.getBytes(StandardCharsets.UTF_8)));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * The socket's words in the message: the engine's alert, or, when the engine closed before the alert was read
     * (TLS 1.3 lets the client's handshake end before the server has checked the certificate), the broken
     * connection; which one comes first is a race.
     */
    private static String tlsDetail(EngineException e) {
        String message = e.getMessage();
        int start = message.indexOf(" (") + 2;
        int end = message.indexOf("); it must be signed");
        assertTrue(start > 1 && end > start, message);
        String detail = message.substring(start, end);
        assertSocketDetail(detail);
        return detail;
    }

    private static void assertSocketDetail(String detail) {
        assertTrue(detail.matches("Received fatal alert: [a-z_]+|Broken pipe|Connection reset( by peer)?"
                + "|The target server failed to respond|Connection closed by peer"), detail);
    }

    private static void assertListed(EngineClient client, String id, String tag) throws IOException {
        JsonNode listing = new ObjectMapper().readTree(client.get("/images/json", 16 << 20));
        List<String> tags = new ArrayList<>();
        for (JsonNode listed : listing) {
            if (listed.path("Id").asText().equals(id)) {
                listed.path("RepoTags").forEach(t -> tags.add(t.asText()));
            }
        }
        assertTrue(tags.contains(tag), "the engine lists " + id + " with tags " + tags + ": " + listing);
    }
}
