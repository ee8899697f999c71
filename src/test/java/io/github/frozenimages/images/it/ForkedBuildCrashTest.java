package io.github.frozenimages.images.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.frozenimages.images.testing.ForkedMaven;
import io.github.frozenimages.images.testing.RecordedRequest;
import io.github.frozenimages.images.testing.RegistryPusher;
import io.github.frozenimages.images.testing.Rule;
import io.github.frozenimages.images.testing.Sha256;
import io.github.frozenimages.images.testing.TestImage;
import io.github.frozenimages.images.testing.TestLayer;
import io.github.frozenimages.images.testing.WireFaults;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A real Maven build killed with SIGKILL half way through a large layer, then run again (reliability catalogue §3.7
 * item 44): the killed build leaves no blob of that layer and no output, only a partial file that is a true prefix
 * of the layer and a lock file nobody holds; the next build is not blocked by it, resumes with a Range from exactly
 * where the killed one stopped, so the layer crosses the wire once in all, and leaves a sound cache and output.
 */
@Timeout(300)
class ForkedBuildCrashTest extends ForkedBuildTestSupport {

    private static final String REPOSITORY = "test/crash";
    private static TestLayer layer;
    private static TestImage image;

    @BeforeAll
    static void pushImage() {
        layer = TestLayer.plain("forked-crash/large", 48 * 1024 * 1024);
        image = TestImage.builder().oci(false).layer(TestLayer.gzip("forked-crash/small", 20_000)).layer(layer).build();
        new RegistryPusher(registry.baseUrl()).push(REPOSITORY, "1.0", image);
    }

    @Test
    void aBuildKilledHalfWayThroughALayerLeavesNothingHalfAndTheNextBuildResumes() throws Exception {
        long half = layer.size() / 2;
        String blob = "/v2/" + REPOSITORY + "/blobs/" + layer.digest();
        CountDownLatch halfSent = new CountDownLatch(1);
        proxy.add(Rule.onPath("GET", blob).then(WireFaults.stallAfter(half, halfSent::countDown)));
        Path cache = work.resolve("cache");
        Path out = work.resolve("project/target/images");
        Path partial = cache.resolve("blobs/sha256/." + Sha256.hexOf(layer.digest()) + ".partial");

        ForkedMaven.Build killed = maven.start(work.resolve("project"), "", pull(cache, out));
        assertTrue(halfSent.await(180, TimeUnit.SECONDS), "the build never got half way:\n" + killed.describe());
        assertTrue(WireFaults.await(() -> size(partial) == half, Duration.ofSeconds(60)),
                "the partial file holds " + size(partial) + " of the " + half + " bytes sent");
        assertTrue(killed.isJvm(), "pid " + killed.pid() + " is not the build's JVM, so killing it would not kill the build");
        killed.kill();
        assertNotEquals(0, killed.await(Duration.ofSeconds(30)));

        // what the kill left: a true prefix to resume from, no blob, no output, a lock file and nobody holding it
        assertFalse(Files.exists(cache.resolve("blobs/sha256/" + Sha256.hexOf(layer.digest()))), "a half blob under the layer's name");
        assertTrue(Arrays.equals(Files.readAllBytes(partial), Arrays.copyOf(layer.blob(), (int) half)), "the partial is not a prefix of the layer");
        assertFalse(Files.exists(out), "the killed build left an output");
        assertNoStagingBeside(out);
        Path lock = cache.resolve("locks/sha256-" + Sha256.hexOf(layer.digest()) + ".lock");
        assertTrue(Files.exists(lock), "expected the killed build's lock file");
        try (FileChannel channel = FileChannel.open(lock, StandardOpenOption.WRITE); FileLock held = channel.tryLock()) {
            assertTrue(held != null, "the lock of a killed process is still held");
        }

        maven.start(work.resolve("project"), "", pull(cache, out)).assertSucceeds(Duration.ofSeconds(180));

        List<RecordedRequest> gets = proxy.requests().stream().filter(r -> r.path().equals(blob)).toList();
        assertEquals(List.of(Optional.<String>empty(), Optional.of("bytes=" + half + "-")), gets.stream().map(r -> r.header("Range")).toList());
        assertEquals(layer.size(), proxy.bytesSent(blob), "the 48 MiB layer crossed the wire once over both builds");
        assertFalse(Files.exists(partial), "the partial file was renamed into the blob");
        assertBlobsNamedByContent(out.resolve("blobs/sha256"));
        assertBlobsNamedByContent(cache.resolve("blobs/sha256"));
        assertTrue(Files.exists(out.resolve("blobs/sha256/" + Sha256.hexOf(layer.digest()))));
        assertTrue(Files.isRegularFile(out.resolve("manifest.json")));
    }

    private List<String> pull(Path cache, Path out) {
        return List.of(maven.plugin() + ":pull", "-Dimages=" + proxy.address() + "/" + REPOSITORY + ":1.0",
                "-Dimages.cacheDirectory=" + cache, "-Dimages.outputDirectory=" + out,
                // long enough that the stalled download is still waiting when it is killed
                "-Dimages.timeout=300", "-Dimages.platform=linux/amd64");
    }

    private static long size(Path file) {
        try {
            return Files.exists(file) ? Files.size(file) : -1;
        } catch (java.io.IOException e) {
            return -1;
        }
    }

    private static void assertNoStagingBeside(Path out) throws Exception {
        if (!Files.isDirectory(out.getParent())) {
            return;
        }
        try (Stream<Path> siblings = Files.list(out.getParent())) {
            List<String> staging = siblings.map(p -> p.getFileName().toString()).filter(n -> n.startsWith("." + out.getFileName() + "-")).toList();
            assertEquals(List.of(), staging, "a staging folder of the killed build's output is left");
        }
    }

    static void assertBlobsNamedByContent(Path blobs) throws Exception {
        try (Stream<Path> files = Files.list(blobs)) {
            for (Path f : files.toList()) {
                String name = f.getFileName().toString();
                assertFalse(name.startsWith("."), "a leftover " + f);
                assertEquals(name, Sha256.hex(Files.readAllBytes(f)), f + " does not hash to its name");
            }
        }
    }
}
