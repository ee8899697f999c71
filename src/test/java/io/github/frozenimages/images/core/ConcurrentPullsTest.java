package io.github.frozenimages.images.core;

import io.github.frozenimages.images.core.shared.PullListener;
import io.github.frozenimages.images.core.ref.ImageRequest;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.frozenimages.images.core.auth.CredentialProvider;

import io.github.frozenimages.images.testing.Faults;
import io.github.frozenimages.images.testing.RecordedRequest;
import io.github.frozenimages.images.testing.RegistryPusher;
import io.github.frozenimages.images.testing.Rule;
import io.github.frozenimages.images.testing.StandardFixtures;
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
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.junit.jupiter.api.BeforeAll;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Several pulls at once in one JVM over one cache, as {@code mvn -T 4} runs the goal of several modules (reliability
 * catalogue §3.7 item 43 at the core level; the forked-Maven tests in {@code it/} do it with real builds): every pull
 * succeeds, each blob crosses the wire once, identical requests give identical outputs, and no lock is left held.
 * The proxy holds the first download of the shared layer back until every pull has resolved the image, so the pulls
 * are certain to meet at the same blob's lock.
 */
@Timeout(120)
class ConcurrentPullsTest extends FaultProxyTestSupport {

    private static final String SHARED = "test/concurrent";
    private static TestImage image;
    private static TestLayer bigLayer;

    @TempDir
    Path work;

    @BeforeAll
    static void pushImage() {
        bigLayer = TestLayer.plain("concurrent/big", 4 * 1024 * 1024);
        image = TestImage.builder().oci(true).layer(TestLayer.gzip("concurrent/small", 10_000)).layer(bigLayer).build();
        new RegistryPusher(registry.baseUrl()).push(SHARED, "1.0", image);
    }

    @Test
    void fourPullsOfOneImageAtOnceDownloadEachBlobOnceAndWriteTheSameOutput() throws Exception {
        int pulls = 4;
        String manifest = "/v2/" + SHARED + "/manifests/1.0";
        String big = "/v2/" + SHARED + "/blobs/" + bigLayer.digest();
        proxy.add(Rule.onPath("GET", big).then(WireFaults.gated(WireFaults.throttled(8 * 1024 * 1024, 64 * 1024),
                () -> count(manifest) >= pulls, Duration.ofSeconds(30))));

        List<Path> outputs = runTogether(pulls, i -> List.of(image(proxy.address() + "/" + SHARED + ":1.0")));

        assertEquals(pulls, count(manifest), "every pull resolved the tag itself");
        assertEachBlobFetchedOnce();
        for (Path out : outputs.subList(1, outputs.size())) {
            assertSameTree(outputs.get(0), out);
        }
        CacheInvariants.assertCacheSound(work.resolve("cache"));
    }

    @Test
    void pullsOfImagesSharingABaseLayerAtOnceFetchTheBaseOnce() throws Exception {
        String base = "/v2/" + StandardFixtures.SHARED_BASE + "/blobs/" + fixtures.sharedLayer().digest();
        proxy.add(Rule.onPath("GET", base).then(WireFaults.gated(Faults.passThrough(),
                () -> count("/v2/" + StandardFixtures.SHARED_BASE + "/manifests/1.0") + count("/v2/" + StandardFixtures.SHARED_BASE + "/manifests/2.0") >= 4,
                Duration.ofSeconds(30))));

        List<Path> outputs = runTogether(4, i -> List.of(
                image(proxy.address() + "/" + StandardFixtures.SHARED_BASE + ":" + (i % 2 == 0 ? "1.0" : "2.0")),
                image(proxy.address() + "/" + StandardFixtures.OCI_IMAGE + ":1.0")));

        assertEachBlobFetchedOnce();
        assertSameTree(outputs.get(0), outputs.get(2));
        assertSameTree(outputs.get(1), outputs.get(3));
        CacheInvariants.assertCacheSound(work.resolve("cache"));
    }

    /** Starts {@code n} pulls at one barrier, each into its own output over the shared cache, and waits for all. */
    private List<Path> runTogether(int n, java.util.function.IntFunction<List<ImageRequest>> images) throws Exception {
        ExecutorService threads = Executors.newFixedThreadPool(n);
        try {
            CyclicBarrier start = new CyclicBarrier(n);
            List<Future<Path>> results = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                int index = i;
                results.add(threads.submit(() -> {
                    Path out = work.resolve("out-" + index);
                    start.await(30, TimeUnit.SECONDS);
                    new ImagePuller().pull(new PullRequest(images.apply(index), out, OutputFormat.DOCKER, Optional.empty(), 4,
                            work.resolve("cache"), Set.of(), CredentialProvider.ANONYMOUS, PullListener.SILENT).withNetwork(FAST_RETRIES));
                    return out;
                }));
            }
            List<Path> outputs = new ArrayList<>();
            for (Future<Path> result : results) {
                outputs.add(result.get(90, TimeUnit.SECONDS)); // a failed pull fails the test with its own exception
            }
            return outputs;
        } finally {
            threads.shutdownNow();
        }
    }

    private long count(String path) {
        return proxy.requests().stream().filter(r -> r.path().equals(path)).count();
    }

    private void assertEachBlobFetchedOnce() {
        Map<String, Long> gets = proxy.requests().stream().map(RecordedRequest::path).filter(p -> p.contains("/blobs/"))
                .collect(Collectors.groupingBy(p -> p.substring(p.lastIndexOf('/') + 1), TreeMap::new, Collectors.counting()));
        assertTrue(!gets.isEmpty());
        gets.forEach((digest, n) -> assertEquals(1L, n, digest + " was downloaded " + n + " times: " + gets));
    }

    /** Same relative paths, same bytes. */
    static void assertSameTree(Path a, Path b) throws Exception {
        Map<String, Path> left = files(a);
        Map<String, Path> right = files(b);
        assertEquals(left.keySet(), right.keySet(), a + " and " + b + " hold different files");
        for (String name : left.keySet()) {
            assertArrayEquals(Files.readAllBytes(left.get(name)), Files.readAllBytes(right.get(name)), name + " differs");
        }
    }

    private static Map<String, Path> files(Path root) throws Exception {
        try (Stream<Path> walk = Files.walk(root)) {
            return walk.filter(Files::isRegularFile).collect(Collectors.toMap(p -> root.relativize(p).toString(), p -> p, (x, y) -> x, TreeMap::new));
        }
    }
}
