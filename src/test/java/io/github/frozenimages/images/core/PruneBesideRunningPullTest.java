package io.github.frozenimages.images.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.frozenimages.images.core.auth.CredentialProvider;
import io.github.frozenimages.images.core.output.PulledImage;
import io.github.frozenimages.images.core.store.CachePruner;
import io.github.frozenimages.images.testing.RecordingListener;
import io.github.frozenimages.images.testing.RegistryPusher;
import io.github.frozenimages.images.testing.Rule;
import io.github.frozenimages.images.testing.TestImage;
import io.github.frozenimages.images.testing.TestLayer;
import io.github.frozenimages.images.testing.WireFaults;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A prune while a pull is halfway through a layer: everything the pull has checked or is downloading stays, the
 * pull completes, and once it is done the same prune may take it all; the next pull downloads it again.
 */
@Timeout(120)
class PruneBesideRunningPullTest extends FaultProxyTestSupport {

    private static final String REPOSITORY = "test/prune-beside-pull";
    private static TestImage image;
    private static TestLayer bigLayer;

    @TempDir
    Path work;

    @BeforeAll
    static void pushImage() {
        bigLayer = TestLayer.plain("prune/big", 4 * 1024 * 1024);
        image = TestImage.builder().layer(TestLayer.gzip("prune/small", 10_000)).layer(bigLayer).build();
        new RegistryPusher(registry.baseUrl()).push(REPOSITORY, "1.0", image);
    }

    private PullRequest request(Path cache, Path output) {
        return new PullRequest(List.of(image(proxy.address() + "/" + REPOSITORY + ":1.0")), output, OutputFormat.OCI, Optional.empty(),
                4, cache, Set.of(), CredentialProvider.ANONYMOUS, new RecordingListener())
                .withNetwork(FAST_RETRIES.withTimeout(Duration.ofSeconds(2)));
    }

    @Test
    void aPruneBesideARunningPullLeavesWhatThePullHoldsAndThePullCompletes() throws Exception {
        Path cache = work.resolve("cache");
        CountDownLatch halfway = new CountDownLatch(1);
        proxy.add(Rule.onPath("GET", "/v2/" + REPOSITORY + "/blobs/" + bigLayer.digest()).times(1)
                .then(WireFaults.stallAfter(1024 * 1024, halfway::countDown)));
        ExecutorService pulls = Executors.newSingleThreadExecutor();
        try {
            Future<List<PulledImage>> running = pulls.submit(() -> new ImagePuller().pull(request(cache, work.resolve("out"))));
            assertTrue(halfway.await(60, TimeUnit.SECONDS), "the pull never reached the middle of the big layer");
            List<Path> before = blobsIn(cache);

            CachePruner.Result result = new CachePruner(cache).prune(new CachePruner.Policy(Optional.empty(), OptionalLong.of(0), Set.of()));

            assertEquals(List.of(), result.removed(), "nothing a running pull holds may be removed");
            assertFalse(result.kept().isEmpty(), "the manifest the pull resolved counts as in use");
            assertEquals(before, blobsIn(cache));
            List<PulledImage> pulled = running.get(60, TimeUnit.SECONDS);
            assertEquals(image.manifestDigest(), pulled.get(0).manifestDigest().toString());
            assertArrayEquals(bigLayer.blob(), Files.readAllBytes(work.resolve("out/blobs/sha256/" + bigLayer.digest().substring(7))));
        } finally {
            pulls.shutdownNow();
        }

        CachePruner.Result afterwards = new CachePruner(cache).prune(new CachePruner.Policy(Optional.empty(), OptionalLong.of(0), Set.of()));
        assertEquals(List.of(), afterwards.kept(), "the finished pull holds nothing");
        assertEquals(List.of(), blobsIn(cache));
        assertEquals(0, afterwards.after().blobs());

        List<PulledImage> again = new ImagePuller().pull(request(cache, work.resolve("again")));
        assertEquals(image.layers().stream().mapToLong(TestLayer::size).sum(), again.get(0).downloadedBytes(),
                "what the prune removed is downloaded again");
    }

    private static List<Path> blobsIn(Path cache) throws IOException {
        Path blobs = cache.resolve("blobs/sha256");
        if (!Files.isDirectory(blobs)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(blobs)) {
            return files.filter(f -> !f.getFileName().toString().startsWith(".")).sorted().toList();
        }
    }
}
