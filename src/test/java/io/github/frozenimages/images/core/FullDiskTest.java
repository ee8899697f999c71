package io.github.frozenimages.images.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.frozenimages.images.core.auth.CredentialProvider;
import io.github.frozenimages.images.core.output.PulledImage;
import io.github.frozenimages.images.core.shared.ImagePullException;
import io.github.frozenimages.images.core.shared.PullListener;
import io.github.frozenimages.images.testing.RecordedRequest;
import io.github.frozenimages.images.testing.RegistryPusher;
import io.github.frozenimages.images.testing.TestImage;
import io.github.frozenimages.images.testing.TestLayer;
import io.github.frozenimages.images.testing.TmpfsMount;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A file system that fills up under the cache, the output or the archive (a tmpfs of 8 MiB and a layer of 12):
 * the build fails saying where, what and how much, takes no part of a file for a whole one, leaves the last
 * good output as it was, and the next build with room completes.
 */
@Timeout(120)
class FullDiskTest extends FaultProxyTestSupport {

    private static final String BIG = "test/full-disk-big";
    private static final String SMALL = "test/full-disk-small";
    private static final int DISK_MIB = 8;

    private static TestImage big;
    private static TestLayer bigLayer;

    @TempDir
    Path work;

    @BeforeAll
    static void pushImages() {
        bigLayer = TestLayer.plain("full-disk/big", 12 * 1024 * 1024);
        big = TestImage.builder().layer(bigLayer).build();
        RegistryPusher pusher = new RegistryPusher(registry.baseUrl());
        pusher.push(BIG, "1.0", big);
        pusher.push(SMALL, "1.0", TestImage.builder().layer(TestLayer.gzip("full-disk/small", 20_000)).build());
    }

    private PullRequest request(Path cache, Path output, Optional<Path> archive, String repository) {
        return new PullRequest(List.of(image(proxy.address() + "/" + repository + ":1.0")), output, OutputFormat.OCI, archive, 4, cache, Set.of(),
                CredentialProvider.ANONYMOUS, PullListener.SILENT).withNetwork(FAST_RETRIES);
    }

    @Test
    void aFullCacheFailsNamingItsFolderTheBlobAndTheBytesAndTheNextBuildWithRoomResumes() throws IOException {
        try (TmpfsMount disk = TmpfsMount.of(work.resolve("cache"), DISK_MIB)) {
            Path cache = disk.path();
            Path output = work.resolve("out");

            ImagePullException e = assertThrows(ImagePullException.class,
                    () -> new ImagePuller().pull(request(cache, output, Optional.empty(), BIG)));

            String message = e.getMessage();
            assertTrue(message.startsWith("could not store layer 1 of " + proxy.address() + "/" + BIG + ":1.0"), message);
            assertTrue(message.contains("file system of " + cache + " is full"), message);
            assertTrue(message.contains("blob " + bigLayer.digest()), message);
            assertTrue(message.matches("(?s).*needed [0-9.]+ MiB \\([0-9]+ bytes\\) more, [0-9.]+ (KiB|bytes)[^,]* free.*"), message);
            assertTrue(message.contains("<cacheDirectory> or -Dimages.cacheDirectory"), message);
            assertEquals(ImagePullException.Reason.IO, e.reason());
            assertFalse(Files.exists(cache.resolve("blobs/sha256/" + bigLayer.digest().substring(7))),
                    "a blob the disk could not hold must not be in the cache");
            CacheInvariants.assertNoOutput(output);

            disk.resize(64);
            new ImagePuller().pull(request(cache, output, Optional.empty(), BIG));

            List<RecordedRequest> layerGets = proxy.requests().stream()
                    .filter(r -> r.method().equals("GET") && r.path().endsWith("/blobs/" + bigLayer.digest())).toList();
            String lastRange = layerGets.get(layerGets.size() - 1).header("Range").orElse("(none)");
            assertTrue(lastRange.matches("bytes=[1-9][0-9]*-"), "the bytes kept from the failed build are resumed, not fetched again,"
                    + " yet the last request for the layer asked for range " + lastRange);
            assertEquals(List.of(bigLayer.digest()), layerNames(output));
            assertArrayEquals(bigLayer.blob(), Files.readAllBytes(output.resolve("blobs/sha256/" + bigLayer.digest().substring(7))));
        }
    }

    @Test
    void aFullOutputDiskLeavesTheLastGoodOutputExactlyAsItWas() throws IOException {
        try (TmpfsMount disk = TmpfsMount.of(work.resolve("disk"), DISK_MIB)) {
            Path cache = work.resolve("cache");
            Path output = disk.path().resolve("out");
            new ImagePuller().pull(request(cache, output, Optional.empty(), SMALL));
            Map<String, String> before = contentOf(output);

            ImagePullException e = assertThrows(ImagePullException.class,
                    () -> new ImagePuller().pull(request(cache, output, Optional.empty(), BIG)));

            String message = e.getMessage();
            assertTrue(message.contains("file system of " + disk.path() + " is full"), message);
            assertTrue(message.contains("blobs/sha256/" + bigLayer.digest().substring(7) + " of the new output"), message);
            assertTrue(message.contains("<outputDirectory> or -Dimages.outputDirectory"), message);
            assertEquals(before, contentOf(output), "the previous output must be left exactly as it was");
            CacheInvariants.assertNoTempSiblings(output);
            assertTrue(Files.isRegularFile(cache.resolve("blobs/sha256/" + bigLayer.digest().substring(7))),
                    "the cache, on another disk, keeps the downloaded layer");

            disk.resize(64);
            List<PulledImage> pulled = new ImagePuller().pull(request(cache, output, Optional.empty(), BIG));

            assertEquals(0, pulled.get(0).downloadedBytes(), "the layer comes from the cache");
            assertEquals(List.of(bigLayer.digest()), layerNames(output));
        }
    }

    @Test
    void aFullArchiveDiskLeavesTheLastArchiveAsItWas() throws IOException {
        try (TmpfsMount disk = TmpfsMount.of(work.resolve("disk"), DISK_MIB)) {
            Path cache = work.resolve("cache");
            Path output = work.resolve("out");
            Path archive = disk.path().resolve("images.tar");
            new ImagePuller().pull(request(cache, output, Optional.of(archive), SMALL));
            byte[] before = Files.readAllBytes(archive);

            ImagePullException e = assertThrows(ImagePullException.class,
                    () -> new ImagePuller().pull(request(cache, output, Optional.of(archive), BIG)));

            String message = e.getMessage();
            assertTrue(message.contains("file system of " + disk.path() + " is full: no room for the archive images.tar"), message);
            assertTrue(message.contains("<archive> or -Dimages.archive"), message);
            assertArrayEquals(before, Files.readAllBytes(archive), "the previous archive must be left as it was");
            try (Stream<Path> files = Files.list(disk.path())) {
                assertEquals(List.of("images.tar", "images.tar.sha256"), files.map(p -> p.getFileName().toString()).sorted().toList(),
                        "no half-written archive may remain");
            }
        }
    }

    private static List<String> layerNames(Path output) throws IOException {
        return blobNamesCheckingContent(output).stream().filter(d -> d.equals(bigLayer.digest())).toList();
    }

    /** Every file of a tree with its bytes' hash. */
    private static Map<String, String> contentOf(Path tree) throws IOException {
        Map<String, String> files = new TreeMap<>();
        try (Stream<Path> walk = Files.walk(tree)) {
            for (Path p : walk.filter(Files::isRegularFile).toList()) {
                files.put(tree.relativize(p).toString(), io.github.frozenimages.images.core.ref.Digest.sha256(Files.readAllBytes(p)).toString());
            }
        }
        return files;
    }
}
