package io.github.frozenimages.images.core;

import io.github.frozenimages.images.core.shared.PullListener;
import io.github.frozenimages.images.core.ref.ImageRequest;
import io.github.frozenimages.images.core.output.PulledImage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.frozenimages.images.core.auth.CredentialProvider;
import io.github.frozenimages.images.testing.RecordingListener;
import io.github.frozenimages.images.testing.RegistryConfig;
import io.github.frozenimages.images.testing.RegistryServer;
import io.github.frozenimages.images.testing.RegistryStorage;
import io.github.frozenimages.images.testing.StandardFixtures;
import io.github.frozenimages.images.testing.TestImage;
import io.github.frozenimages.images.testing.TestLayer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Mirrors tried before the registry: a real pull-through cache (the registry's proxy mode, §4.7 of the
 * reliability notes) in front of an upstream registry, a mirror that is down, and one that lacks the image.
 * Whichever endpoint serves it, the output is byte for byte what the upstream itself gives.
 */
class MirrorTest {

    private static final String IMAGE = StandardFixtures.OCI_IMAGE + ":" + StandardFixtures.TAG;
    /** The pull-through cache stores what it served in the background; this bounds the wait for it. */
    private static final Duration STORAGE_WAIT = Duration.ofSeconds(10);

    static RegistryServer upstream;
    static TestImage image;

    @TempDir
    Path work;

    private final RecordingListener log = new RecordingListener();

    @BeforeAll
    static void startUpstream() {
        upstream = RegistryServer.start();
        image = StandardFixtures.pushTo(upstream.baseUrl()).ociImage();
    }

    @AfterAll
    static void stopUpstream() {
        if (upstream != null) {
            upstream.close();
        }
    }

    @Test
    void aPullThroughMirrorServesTheImageAndKeepsItsBlobs() throws Exception {
        try (RegistryServer mirror = pullThroughMirror()) {
            PulledImage pulled = pull("via-mirror", URI.create(mirror.baseUrl())).get(0);

            assertEquals(mirror.baseUrl(), pulled.mirror());
            assertTrue(pulled.summary().endsWith(" from mirror " + mirror.baseUrl()), pulled.summary());
            assertTrue(log.lines().contains("INFO " + pulled.summary()), log.lines().toString());
            assertEquals(List.of(), mirrorWarnings());
            List<String> expected = new ArrayList<>(List.of(image.configDigest()));
            image.layers().stream().map(TestLayer::digest).forEach(expected::add);
            List<String> stored = awaitBlobs(mirror, expected);
            assertTrue(stored.containsAll(expected), "the mirror cached " + stored + ", expected " + expected);
            assertEquals(files(pullDirect("direct")), files(work.resolve("via-mirror/out")), "identical output either way");
        }
    }

    @Test
    void aMirrorThatIsDownIsSkippedWithAWarningForTheNextMirror() throws Exception {
        URI down = URI.create("http://127.0.0.1:" + closedPort());
        try (RegistryServer mirror = pullThroughMirror()) {
            PulledImage pulled = pull("down-then-mirror", down, URI.create(mirror.baseUrl())).get(0);

            assertEquals(mirror.baseUrl(), pulled.mirror(), "served by the second mirror");
            assertEquals(1, mirrorWarnings().size(), mirrorWarnings().toString());
            String warning = mirrorWarnings().get(0);
            assertTrue(warning.startsWith("WARN mirror " + down + " could not serve "), warning);
            assertTrue(warning.endsWith("trying the next mirror"), warning);
            assertEquals(files(pullDirect("direct")), files(work.resolve("down-then-mirror/out")));
        }
    }

    @Test
    void aMirrorThatIsDownIsSkippedWithAWarningForTheRegistryItself() throws Exception {
        URI down = URI.create("http://127.0.0.1:" + closedPort());

        PulledImage pulled = pull("down-then-registry", down).get(0);

        assertNull(pulled.mirror(), "served by the registry itself");
        assertTrue(!pulled.summary().contains("from mirror"), pulled.summary());
        assertEquals(1, mirrorWarnings().size(), mirrorWarnings().toString());
        String warning = mirrorWarnings().get(0);
        assertTrue(warning.startsWith("WARN mirror " + down + " could not serve " + upstream.address() + "/" + IMAGE), warning);
        assertTrue(warning.contains("unreachable"), "says why: " + warning);
        assertTrue(warning.endsWith("trying the registry itself"), warning);
        assertEquals(files(pullDirect("direct")), files(work.resolve("down-then-registry/out")));
    }

    @Test
    void aMirrorThatLacksTheImageIsSkippedForTheRegistry() throws Exception {
        try (RegistryServer empty = RegistryServer.start()) {
            PulledImage pulled = pull("empty-then-registry", URI.create(empty.baseUrl())).get(0);

            assertNull(pulled.mirror(), "served by the registry itself");
            assertEquals(1, mirrorWarnings().size(), mirrorWarnings().toString());
            String warning = mirrorWarnings().get(0);
            assertTrue(warning.startsWith("WARN mirror " + empty.baseUrl() + " could not serve "), warning);
            assertTrue(warning.contains("(HTTP 404)"), "says why: " + warning);
            assertTrue(warning.endsWith("trying the registry itself"), warning);
            assertEquals(List.of(), RegistryStorage.blobDigests(empty), "a plain registry is no cache: nothing was stored in it");
            assertEquals(files(pullDirect("direct")), files(work.resolve("empty-then-registry/out")));
        }
    }

    /** The fall-through warnings; the retry warnings before them are the retry policy's business. */
    private List<String> mirrorWarnings() {
        return log.warnings().stream().filter(w -> w.startsWith("WARN mirror ")).toList();
    }

    private static RegistryServer pullThroughMirror() {
        return RegistryServer.start(RegistryConfig.plain().set("proxy.remoteurl", upstream.baseUrl()));
    }

    /** Pulls the image into {@code <work>/<name>/out} with its own cache, so every blob comes from an endpoint. */
    private List<PulledImage> pull(String name, URI... mirrors) {
        ImageRequest request = RegistryTestSupport.image(upstream.address() + "/" + IMAGE);
        return new ImagePuller().pull(new PullRequest(List.of(request), work.resolve(name).resolve("out"), OutputFormat.OCI,
                Optional.empty(), 2, work.resolve(name).resolve("cache"), Set.of(), CredentialProvider.ANONYMOUS, log)
                .withNetwork(RegistryTestSupport.FAST_RETRIES.withMirrors(Map.of(upstream.address(), List.of(mirrors)))));
    }

    private Path pullDirect(String name) {
        ImageRequest request = RegistryTestSupport.image(upstream.address() + "/" + IMAGE);
        new ImagePuller().pull(new PullRequest(List.of(request), work.resolve(name).resolve("out"), OutputFormat.OCI,
                Optional.empty(), 2, work.resolve(name).resolve("cache"), Set.of(), CredentialProvider.ANONYMOUS, PullListener.SILENT)
                .withNetwork(RegistryTestSupport.FAST_RETRIES));
        return work.resolve(name).resolve("out");
    }

    /** Waits, bounded, until the mirror's storage holds every expected blob; returns what it holds then. */
    private static List<String> awaitBlobs(RegistryServer mirror, List<String> expected) throws InterruptedException {
        long deadline = System.nanoTime() + STORAGE_WAIT.toNanos();
        List<String> stored = RegistryStorage.blobDigests(mirror);
        while (!stored.containsAll(expected) && System.nanoTime() - deadline < 0) {
            Thread.sleep(50);
            stored = RegistryStorage.blobDigests(mirror);
        }
        return stored;
    }

    /** Every file of an output tree by relative path, with the SHA-256 of its bytes. */
    private static Map<String, String> files(Path root) throws IOException {
        Map<String, String> files = new TreeMap<>();
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path file : walk.filter(Files::isRegularFile).toList()) {
                files.put(root.relativize(file).toString(), sha256(Files.readAllBytes(file)));
            }
        }
        assertTrue(files.containsKey("index.json"), "an OCI layout: " + files.keySet());
        return files;
    }

    private static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
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
