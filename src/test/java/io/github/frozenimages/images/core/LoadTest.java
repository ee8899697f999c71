package io.github.frozenimages.images.core;

import io.github.frozenimages.images.core.shared.ImagePullException;
import io.github.frozenimages.images.core.ref.ImageRequest;
import io.github.frozenimages.images.core.output.PulledImage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.frozenimages.images.core.shared.ImagePullException.Reason;
import io.github.frozenimages.images.core.auth.CredentialProvider;
import io.github.frozenimages.images.testing.Deliveries;
import io.github.frozenimages.images.testing.Delivery;

import io.github.frozenimages.images.testing.Faults;
import io.github.frozenimages.images.testing.HttpHeader;
import io.github.frozenimages.images.testing.MediaTypes;
import io.github.frozenimages.images.testing.RecordedRequest;
import io.github.frozenimages.images.testing.RecordingListener;
import io.github.frozenimages.images.testing.RegistryPusher;
import io.github.frozenimages.images.testing.Rule;
import io.github.frozenimages.images.testing.Sha256;
import io.github.frozenimages.images.testing.TestImage;
import io.github.frozenimages.images.testing.TestLayer;
import io.github.frozenimages.images.testing.WireFaults;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.junit.jupiter.api.BeforeAll;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Load (reliability catalogue §3.8 item 47): fifty images sharing a base in one pull, with downloads bounded in
 * number, each blob fetched once and every thread and file descriptor of the pull gone afterwards; an image of 127
 * layers, the most Docker stacks, written in manifest order; and 1001 layers refused at the documented cap of 1000.
 */
@Timeout(300)
class LoadTest extends FaultProxyTestSupport {

    private static final int IMAGES = 50;
    private static final int PARALLEL = 4;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static TestLayer base;
    private static List<TestImage> many;
    private static TestImage tall;

    @TempDir
    Path work;

    private final RecordingListener log = new RecordingListener();

    @BeforeAll
    static void pushImages() {
        RegistryPusher pusher = new RegistryPusher(registry.baseUrl());
        base = TestLayer.gzip("load/base", 200_000);
        many = new ArrayList<>();
        for (int i = 0; i < IMAGES; i++) {
            TestImage image = TestImage.builder().oci(i % 2 == 0).layer(base).layer(TestLayer.gzip("load/app-" + i, 2_000)).build();
            pusher.push("test/load-" + i, "1.0", image);
            many.add(image);
        }
        TestImage.Builder builder = TestImage.builder().oci(false);
        for (int i = 0; i < 127; i++) {
            builder.layer(TestLayer.plain("load/tall-" + i, 200));
        }
        tall = builder.build();
        pusher.push("test/tall", "1.0", tall);
    }

    @Test
    void fiftyImagesSharingABaseArePulledInOneRunWithBoundedConcurrency() throws Exception {
        AtomicInteger running = new AtomicInteger();
        AtomicInteger mostAtOnce = new AtomicInteger();
        Delivery slowish = Deliveries.delayed(Duration.ofMillis(20)); // long enough for overlapping downloads to be seen
        proxy.add(Rule.on("GET", "/v2/.+/blobs/.+").always().then(WireFaults.delivered(Deliveries.tracked(slowish, running, mostAtOnce))));
        List<ImageRequest> images = new ArrayList<>();
        for (int i = 0; i < IMAGES; i++) {
            images.add(image(proxy.address() + "/test/load-" + i + ":1.0"));
        }
        long fdsBefore = openFileDescriptors();
        long start = System.nanoTime();

        List<PulledImage> pulled = new ImagePuller().pull(new PullRequest(images, work.resolve("out"), OutputFormat.DOCKER, Optional.empty(),
                PARALLEL, work.resolve("cache"), Set.of(), CredentialProvider.ANONYMOUS, log).withNetwork(FAST_RETRIES));

        long millis = (System.nanoTime() - start) / 1_000_000;
        System.out.println("LoadTest: " + IMAGES + " images, " + proxy.requests().size() + " requests, " + millis + " ms, at most "
                + mostAtOnce.get() + " blob downloads at once");
        assertEquals(IMAGES, pulled.size());
        Map<String, Long> gets = proxy.requests().stream().map(RecordedRequest::path).filter(p -> p.contains("/blobs/"))
                .collect(Collectors.groupingBy(p -> p.substring(p.lastIndexOf('/') + 1), TreeMap::new, Collectors.counting()));
        assertEquals(1 + 2 * IMAGES, gets.size(), "the base, and each image's own layer and config");
        gets.forEach((digest, n) -> assertEquals(1L, n, digest + " was fetched " + n + " times"));
        // layers go through the download pool, configs through the image threads, all through a bounded connection pool
        assertTrue(mostAtOnce.get() <= PARALLEL + 2, mostAtOnce.get() + " blob downloads at once");
        assertTrue(mostAtOnce.get() >= 2, "the downloads never overlapped");
        JsonNode manifestJson = JSON.readTree(work.resolve("out/manifest.json").toFile());
        assertEquals(IMAGES, manifestJson.size());
        List<String> written = blobNamesCheckingContent(work.resolve("out"));
        assertEquals(1 + 3 * IMAGES, written.size(), "one base, and per image a layer, a config and a manifest");
        CacheInvariants.assertCacheSound(work.resolve("cache"));
        assertTrue(millis < 120_000, "took " + millis + " ms");
        long fdsAfter = openFileDescriptors();
        assertTrue(fdsAfter <= fdsBefore + 5, "open file descriptors: " + fdsBefore + " before, " + fdsAfter + " after");
    }

    @Test
    void anImageOf127LayersIsWrittenInManifestOrder() throws Exception {
        new ImagePuller().pull(new PullRequest(List.of(image(proxy.address() + "/test/tall:1.0")), work.resolve("out"), OutputFormat.DOCKER,
                Optional.empty(), PARALLEL, work.resolve("cache"), Set.of(), CredentialProvider.ANONYMOUS, log).withNetwork(FAST_RETRIES));

        JsonNode entry = JSON.readTree(work.resolve("out/manifest.json").toFile()).get(0);
        List<String> layers = new ArrayList<>();
        entry.get("Layers").forEach(l -> layers.add(l.asText()));
        assertEquals(tall.layers().stream().map(l -> "blobs/sha256/" + Sha256.hexOf(l.digest())).toList(), layers);
        JsonNode config = JSON.readTree(work.resolve("out/" + entry.get("Config").asText()).toFile());
        assertEquals(127, config.path("rootfs").path("diff_ids").size());
        assertEquals(127 + 2, blobNamesCheckingContent(work.resolve("out")).size());
        assertEquals(127, proxy.requests().stream().filter(r -> r.path().contains("/blobs/") && !r.path().endsWith(tall.configDigest())).count());
        CacheInvariants.assertCacheSound(work.resolve("cache"));
    }

    @Test
    void anImageOf1001LayersIsRefusedAtTheCap() throws Exception {
        ObjectNode manifest = (ObjectNode) JSON.readTree(tall.manifestBytes());
        ArrayNode layers = manifest.putArray("layers");
        for (int i = 0; i < 1001; i++) {
            layers.addObject().put("mediaType", MediaTypes.DOCKER_LAYER_TAR)
                    .put("digest", Sha256.digest(("layer " + i).getBytes(java.nio.charset.StandardCharsets.UTF_8))).put("size", 10);
        }
        byte[] body = JSON.writeValueAsBytes(manifest);
        proxy.add(Rule.onPath("GET", "/v2/test/tall/manifests/wide").then(Faults.answer(200, List.of(
                new HttpHeader("Content-Type", MediaTypes.DOCKER_MANIFEST), new HttpHeader("Docker-Content-Digest", Sha256.digest(body))), body)));
        String reference = proxy.address() + "/test/tall:wide";

        ImagePullException e = assertThrows(ImagePullException.class, () -> new ImagePuller().pull(new PullRequest(List.of(image(reference)),
                work.resolve("out"), OutputFormat.DOCKER, Optional.empty(), PARALLEL, work.resolve("cache"), Set.of(),
                CredentialProvider.ANONYMOUS, log).withNetwork(FAST_RETRIES)));

        assertEquals(Reason.PROTOCOL, e.reason(), e.getMessage());
        assertTrue(e.getMessage().contains("could not resolve " + reference + " from " + proxy.address()), e.getMessage());
        assertTrue(e.getMessage().contains("the manifest lists 1001 layers, more than 1000"), e.getMessage());
        assertEquals(0, proxy.requests().stream().filter(r -> r.path().contains("/blobs/")).count());
        CacheInvariants.assertNoOutput(work.resolve("out"));
    }

    private static long openFileDescriptors() throws Exception {
        Path fds = Path.of("/proc/self/fd");
        if (!Files.isDirectory(fds)) {
            return 0;
        }
        // sockets of the pull close asynchronously at most a little later
        long count = 0;
        for (int i = 0; i < 20; i++) {
            try (Stream<Path> list = Files.list(fds)) {
                count = list.count();
            }
            Thread.sleep(50);
        }
        return count;
    }
}
