package io.github.frozenimages.images.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.frozenimages.images.core.auth.CredentialProvider;
import io.github.frozenimages.images.core.auth.Credentials;
import io.github.frozenimages.images.core.http.ProxySettings;
import io.github.frozenimages.images.core.output.PulledImage;
import io.github.frozenimages.images.core.ref.ImageReference;
import io.github.frozenimages.images.core.ref.ImageRequest;
import io.github.frozenimages.images.core.ref.Platform;
import io.github.frozenimages.images.testing.JwtTokenIssuer;
import io.github.frozenimages.images.testing.NginxServer;
import io.github.frozenimages.images.testing.RecordingListener;
import io.github.frozenimages.images.testing.RegistryConfig;
import io.github.frozenimages.images.testing.RegistryPusher;
import io.github.frozenimages.images.testing.RegistryServer;
import io.github.frozenimages.images.testing.StandardFixtures;
import io.github.frozenimages.images.testing.TestImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Mirrors whose registry API lives under a path, as Nexus, Artifactory, Harbor and GitLab serve it: the real
 * registry behind a real nginx that serves it both ways containerd knows, a path before {@code /v2}
 * ({@code /repository/docker-proxy/v2/...}) and a path after it ({@code /v2/dockerhub-proxy/...}, Harbor's proxy
 * project), once without authentication and once in front of a registry that verifies real tokens. The image is
 * asked for by its Docker Hub name, and the output names it so, whatever path served it.
 */
class MirrorUnderAPathTest {

    private static final String IMAGE = "alpine:3.20";
    private static final String NAME_IN_OUTPUT = "docker.io/library/alpine:3.20";
    private static final String HUB_REPOSITORY = "library/alpine";
    /** Harbor names a proxy project's repositories with the project first. */
    private static final String PROJECT_REPOSITORY = "dockerhub-proxy/library/alpine";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String PASSWORD = "mirror-token-pass";

    @TempDir
    static Path issuerFiles;

    static JwtTokenIssuer issuer;
    static RegistryServer plainRegistry;
    static RegistryServer tokenRegistry;
    static NginxServer plainProxy;
    static NginxServer tokenProxy;
    static TestImage image;

    @TempDir
    Path work;

    private final RecordingListener log = new RecordingListener();

    @BeforeAll
    static void startRegistriesBehindNginx() {
        // what started before a failure here is stopped by stopAll, which JUnit runs after a failed @BeforeAll too
        image = StandardFixtures.build().ociImage();
        plainRegistry = RegistryServer.start();
        RegistryPusher plainPusher = new RegistryPusher(plainRegistry.baseUrl());
        plainPusher.push(HUB_REPOSITORY, "3.20", image);
        plainPusher.push(PROJECT_REPOSITORY, "3.20", image);
        plainProxy = NginxServer.start(locations(plainRegistry, false));

        // the project's repository needs credentials, as a Harbor project that is not public does
        issuer = JwtTokenIssuer.start(issuerFiles).user("alice", PASSWORD).privateRepository(PROJECT_REPOSITORY);
        tokenRegistry = RegistryServer.start(issuer.configure(RegistryConfig.plain()));
        RegistryPusher tokenPusher = new RegistryPusher(tokenRegistry.baseUrl(),
                issuer.bearer(List.of(HUB_REPOSITORY, PROJECT_REPOSITORY), "pull", "push"));
        tokenPusher.push(HUB_REPOSITORY, "3.20", image);
        tokenPusher.push(PROJECT_REPOSITORY, "3.20", image);
        tokenProxy = NginxServer.start(locations(tokenRegistry, true));
    }

    /**
     * {@code /repository/docker-proxy/} is the registry's root, as Nexus's path-based routing serves a repository;
     * {@code /v2/} is handed on as it is, so {@code /v2/dockerhub-proxy/library/alpine} names the repository the
     * registry holds under that name, as a Harbor project does. With {@code stripped}, {@code /v2/stripped-proxy/}
     * also leads to the registry's {@code /v2/}: a proxy that hides a path from the registry, whose challenges
     * then name the registry's repository, not the path's.
     */
    private static String locations(RegistryServer registry, boolean stripped) {
        String upstream = "http://" + registry.address();
        return "location /repository/docker-proxy/ { proxy_pass " + upstream + "/; }\n"
                + "location /v2/ { proxy_pass " + upstream + "; }\n"
                + (stripped ? "location /v2/stripped-proxy/ { proxy_pass " + upstream + "/v2/; }\n" : "");
    }

    @AfterAll
    static void stopAll() {
        List<AutoCloseable> running = new ArrayList<>();
        for (AutoCloseable each : new AutoCloseable[] {plainProxy, tokenProxy, plainRegistry, tokenRegistry, issuer}) {
            if (each != null) {
                running.add(each);
            }
        }
        RuntimeException failure = null;
        for (AutoCloseable each : running) {
            try {
                each.close();
            } catch (Exception e) {
                if (failure == null) {
                    failure = new IllegalStateException("could not stop " + each, e);
                } else {
                    failure.addSuppressed(e);
                }
            }
        }
        if (failure != null) {
            throw failure;
        }
    }

    @BeforeEach
    void forgetEarlierTokenRequests() {
        issuer.clearRequests();
    }

    @Test
    void aPathBeforeV2IsWhereTheApiIsAsked() throws IOException {
        String mirror = plainProxy.baseUrl() + "/repository/docker-proxy";
        int before = plainProxy.requests().size();

        PulledImage pulled = pull(mirror);

        assertNamedByItsOwnName(pulled, mirror);
        List<String> requests = since(plainProxy, before);
        assertTrue(requests.contains("GET /repository/docker-proxy/v2/ 200"), "pinged at the API root: " + requests);
        assertTrue(requests.stream().anyMatch(r -> r.matches("(GET|HEAD) /repository/docker-proxy/v2/library/alpine/manifests/3\\.20 200")),
                "the manifest under the path: " + requests);
        assertTrue(requests.contains("GET /repository/docker-proxy/v2/library/alpine/blobs/" + image.configDigest() + " 200"), requests.toString());
        assertTrue(requests.stream().allMatch(r -> r.split(" ")[1].startsWith("/repository/docker-proxy/v2/")),
                "nothing asked outside the path: " + requests);
    }

    @Test
    void aPathWithV2IsTheApiRootAsWritten() throws IOException {
        String mirror = plainProxy.baseUrl() + "/v2/dockerhub-proxy";
        int before = plainProxy.requests().size();

        PulledImage pulled = pull(mirror);

        assertNamedByItsOwnName(pulled, mirror);
        List<String> requests = since(plainProxy, before);
        assertTrue(requests.contains("GET /v2/ 200"), "pinged at /v2/: " + requests);
        assertTrue(requests.stream().anyMatch(r -> r.matches("(GET|HEAD) /v2/dockerhub-proxy/library/alpine/manifests/3\\.20 200")),
                "the manifest under the project: " + requests);
        assertTrue(requests.stream().filter(r -> !r.equals("GET /v2/ 200"))
                        .allMatch(r -> r.split(" ")[1].startsWith("/v2/dockerhub-proxy/library/alpine/")),
                "every other request under the project: " + requests);
    }

    @Test
    void aPathBeforeV2AsksTokensForTheImagesOwnRepository() throws IOException {
        String mirror = tokenProxy.baseUrl() + "/repository/docker-proxy";

        PulledImage pulled = pull(mirror);

        assertNamedByItsOwnName(pulled, mirror);
        assertEquals(List.of(List.of("repository:library/alpine:pull")), scopesAsked(), issuer.requests().toString());
    }

    @Test
    void aPathWithV2AsksTokensForTheRepositoryAsThePathNamesItWithTheMirrorsCredentials() throws IOException {
        String mirror = tokenProxy.baseUrl() + "/v2/dockerhub-proxy";
        // credentials for the mirror's host, as a settings.xml server or config.json entry names it; none for Docker Hub
        CredentialProvider forTheMirror = registry -> registry.equals(tokenProxy.address())
                ? Optional.of(new Credentials("alice", PASSWORD, "the test's mirror credentials")) : Optional.empty();

        PulledImage pulled = pull(mirror, forTheMirror);

        // the registry verifies the token's access: one token for the project's name was enough for every request
        assertNamedByItsOwnName(pulled, mirror);
        assertEquals(List.of(List.of("repository:dockerhub-proxy/library/alpine:pull")), scopesAsked(), issuer.requests().toString());
        assertEquals("alice", issuer.requests().get(0).user(), "the mirror host's credentials went to the token service");
        assertEquals(200, issuer.requests().get(0).status());
    }

    @Test
    void aScopeTheChallengeNamesWinsOverThePath() throws IOException {
        String mirror = tokenProxy.baseUrl() + "/v2/stripped-proxy";
        int before = tokenProxy.requests().size();

        PulledImage pulled = pull(mirror);

        assertNamedByItsOwnName(pulled, mirror);
        // the path's name first; the registry's challenge then named its own, which every later token asks for
        assertEquals(List.of(List.of("repository:stripped-proxy/library/alpine:pull"), List.of("repository:library/alpine:pull")),
                scopesAsked(), issuer.requests().toString());
        List<String> requests = since(tokenProxy, before);
        assertEquals(1, requests.stream().filter(r -> r.endsWith(" 401") && !r.startsWith("GET /v2/ ")).count(),
                "one refusal of the path's token, none after: " + requests);
    }

    private PulledImage pull(String mirror) {
        return pull(mirror, CredentialProvider.ANONYMOUS);
    }

    private PulledImage pull(String mirror, CredentialProvider credentials) {
        ImageRequest request = new ImageRequest(ImageReference.parse(IMAGE), Platform.parse("linux/amd64"));
        // Docker Hub itself is reached only through a proxy that nothing answers on: were the mirror skipped, the
        // pull would fail on this machine rather than leave it
        ProxySettings nowhere = new ProxySettings(List.of(new ProxySettings.Proxy("https", "127.0.0.1", closedPort(), null, null, null)));
        List<PulledImage> pulled = new ImagePuller().pull(new PullRequest(List.of(request), work.resolve("out"), OutputFormat.OCI,
                Optional.empty(), 2, work.resolve("cache"), Set.of(), credentials, log)
                .withNetwork(RegistryTestSupport.FAST_RETRIES.withAttempts(1).withProxies(nowhere)
                        .withMirrors(Map.of("docker.io", List.of(URI.create(mirror))))));
        assertEquals(List.of(), log.warnings(), "served by the mirror at once");
        return pulled.get(0);
    }

    private void assertNamedByItsOwnName(PulledImage pulled, String mirror) throws IOException {
        assertEquals(image.manifestDigest(), pulled.manifestDigest().toString());
        assertEquals(mirror, pulled.mirror());
        assertTrue(pulled.summary().startsWith(IMAGE + " linux/amd64 "), pulled.summary());
        assertTrue(pulled.summary().endsWith(" from mirror " + mirror), pulled.summary());
        JsonNode index = JSON.readTree(Files.readAllBytes(work.resolve("out").resolve("index.json")));
        List<String> names = new ArrayList<>();
        index.path("manifests").forEach(m -> names.add(m.path("annotations").path("io.containerd.image.name").asText()));
        assertEquals(List.of(NAME_IN_OUTPUT), names, index.toString());
    }

    private static List<String> since(NginxServer proxy, int before) {
        List<String> all = proxy.requests();
        return all.subList(before, all.size());
    }

    private static List<List<String>> scopesAsked() {
        return issuer.requests().stream().map(JwtTokenIssuer.Request::scopes).toList();
    }

    /** A port nothing listens on: bound once to find it, then released. */
    private static int closedPort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
