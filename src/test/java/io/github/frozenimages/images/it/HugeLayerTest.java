package io.github.frozenimages.images.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.frozenimages.images.testing.CuttingRelay;
import io.github.frozenimages.images.testing.ForkedMaven;
import io.github.frozenimages.images.testing.MediaTypes;
import io.github.frozenimages.images.testing.RegistryPlanter;
import io.github.frozenimages.images.testing.RegistryPusher;
import io.github.frozenimages.images.testing.RegistryServer;
import io.github.frozenimages.images.testing.Sha256;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.SplittableRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;

/**
 * A layer of 2 GiB and 64 MiB pulled by a real Maven build whose JVM has a 64 MiB heap (reliability catalogue §3.8
 * item 48): the layer is generated on the fly into the registry's storage (too large to upload from memory), the
 * connection is reset once past 2 GiB so the resume asks for a {@code Range} beyond 2^31 (an int overflow would
 * show there), and the build succeeds without running out of heap. Everything is deleted afterwards: the registry's
 * storage with the registry, cache and output with the temp folder.
 *
 * <p>Slow (about a minute, 4.3 GiB of temporary disk): tagged {@code heavy}, excluded from the default test run, and
 * enabled only by the system property {@code images.test.heavy=true}; the {@code heavy} profile
 * ({@code ./mvnw -Pheavy test}, which {@code .ci/run} calls) runs the heavy tests alone and sets it.
 */
@Tag("heavy")
@EnabledIfSystemProperty(named = "images.test.heavy", matches = "true", disabledReason = "a 2 GiB layer: run it with ./mvnw -Pheavy test")
@Timeout(900)
class HugeLayerTest {

    private static final long SIZE = (2L << 30) + (64L << 20);
    private static final long CUT = (2L << 30) + (32L << 20);

    @TempDir
    Path work;

    @Test
    void aLayerOverTwoGibibytesIsPulledWithA64MebibyteHeapAndResumedPast2To31() throws Exception {
        try (RegistryServer registry = RegistryServer.start(); ForkedMaven maven = ForkedMaven.install(work)) {
            RegistryPlanter.Planted layer = RegistryPlanter.of(registry).plantBlob("test/huge", out -> {
                SplittableRandom random = new SplittableRandom(2024);
                byte[] buffer = new byte[1 << 20];
                for (long written = 0; written < SIZE; written += buffer.length) {
                    random.nextBytes(buffer);
                    out.write(buffer, 0, (int) Math.min(buffer.length, SIZE - written));
                }
            });
            assertEquals(SIZE, layer.size());
            byte[] config = ("{\"architecture\":\"amd64\",\"os\":\"linux\",\"config\":{},\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\""
                    + layer.digest() + "\"]}}").getBytes(StandardCharsets.UTF_8);
            RegistryPusher pusher = new RegistryPusher(registry.baseUrl());
            pusher.pushBlob("test/huge", config);
            byte[] manifest = ("{\"schemaVersion\":2,\"mediaType\":\"" + MediaTypes.DOCKER_MANIFEST + "\",\"config\":{\"mediaType\":\""
                    + MediaTypes.DOCKER_CONFIG + "\",\"digest\":\"" + Sha256.digest(config) + "\",\"size\":" + config.length
                    + "},\"layers\":[{\"mediaType\":\"" + MediaTypes.DOCKER_LAYER_TAR + "\",\"digest\":\"" + layer.digest() + "\",\"size\":"
                    + SIZE + "}]}").getBytes(StandardCharsets.UTF_8);
            pusher.pushManifest("test/huge", "1.0", MediaTypes.DOCKER_MANIFEST, manifest);

            try (CuttingRelay relay = CuttingRelay.start(registry.baseUrl(), CUT)) {
                Path gcLog = work.resolve("gc.log");
                Path cache = work.resolve("cache");
                Path out = work.resolve("project/images");
                ForkedMaven.Build build = maven.start(work.resolve("project"), "-Xmx64m -Xlog:gc:file=" + gcLog,
                        List.of(maven.plugin() + ":pull", "-Dimages=" + relay.address() + "/test/huge:1.0", "-Dimages.cacheDirectory=" + cache,
                                "-Dimages.outputDirectory=" + out, "-Dimages.platform=linux/amd64", "-Dimages.timeout=60"));
                build.assertSucceeds(Duration.ofMinutes(12));

                assertFalse(build.log().contains("OutOfMemoryError"), build.describe());
                assertTrue(relay.hasCut(), "the relay never cut the download");
                long resumedAt = relay.ranges().stream().map(HugeLayerTest::rangeStart).filter(s -> s > 0).findFirst()
                        .orElseThrow(() -> new AssertionError("no resume in " + relay.ranges() + "\n" + build.describe()));
                assertTrue(resumedAt > (1L << 31), "resumed at " + resumedAt + ", not past 2^31");
                assertTrue(relay.bytesToClients() < SIZE + (64L << 20), relay.bytesToClients() + " bytes for a " + SIZE + " byte layer");
                Path blob = out.resolve("blobs/sha256/" + Sha256.hexOf(layer.digest()));
                assertEquals(SIZE, Files.size(blob));
                assertEquals(layer.digest(), "sha256:" + sha256(blob));
                System.out.println("HugeLayerTest: resumed at " + resumedAt + ", " + relay.bytesToClients() + " bytes relayed, "
                        + peakHeap(Files.readString(gcLog)));
            }
        }
    }

    private static long rangeStart(String range) {
        Matcher m = Pattern.compile("bytes=(\\d+)-").matcher(range);
        return m.find() ? Long.parseLong(m.group(1)) : -1;
    }

    /** The largest heap before a collection in a {@code -Xlog:gc} log, e.g. {@code 25M->3M(64M)}. */
    private static String peakHeap(String gcLog) {
        Matcher m = Pattern.compile("(\\d+)M->\\d+M\\((\\d+)M\\)").matcher(gcLog);
        long peak = 0;
        long capacity = 0;
        while (m.find()) {
            peak = Math.max(peak, Long.parseLong(m.group(1)));
            capacity = Math.max(capacity, Long.parseLong(m.group(2)));
        }
        assertTrue(capacity <= 64, "the heap grew to " + capacity + " MiB");
        return "heap peak " + peak + " MiB of " + capacity + " MiB";
    }

    private static String sha256(Path file) throws Exception {
        MessageDigest md = MessageDigest.getInstance("SHA-256");
        byte[] buffer = new byte[1 << 20];
        try (InputStream in = Files.newInputStream(file)) {
            int n;
            while ((n = in.read(buffer)) > 0) {
                md.update(buffer, 0, n);
            }
        }
        return HexFormat.of().formatHex(md.digest());
    }
}
