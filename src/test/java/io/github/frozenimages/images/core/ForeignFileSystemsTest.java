package io.github.frozenimages.images.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.frozenimages.images.core.auth.CredentialProvider;
import io.github.frozenimages.images.core.output.PulledImage;
import io.github.frozenimages.images.core.store.CacheFolders;
import io.github.frozenimages.images.testing.RecordingListener;
import io.github.frozenimages.images.testing.StandardFixtures;
import io.github.frozenimages.images.testing.TestImage;
import io.github.frozenimages.images.testing.TestLayer;
import io.github.frozenimages.images.testing.TmpfsMount;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A cache that cannot be written is still read, and verified as usual, with a writable fallback for what it
 * lacks; several cache folders are all read; an output on another file system than the cache gets copies, which
 * a warm build recognises.
 */
@Timeout(120)
class ForeignFileSystemsTest extends RegistryTestSupport {

    @TempDir
    Path work;

    private static PullRequest request(CacheFolders caches, Path output, RecordingListener listener, String... repositories) {
        List<io.github.frozenimages.images.core.ref.ImageRequest> images = java.util.Arrays.stream(repositories)
                .map(r -> image(ref(r, "1.0"))).toList();
        return new PullRequest(images, output, OutputFormat.OCI, Optional.empty(), 4, caches.writable(), Set.of(),
                CredentialProvider.ANONYMOUS, listener).withNetwork(FAST_RETRIES).withReadOnlyCaches(caches.readOnly());
    }

    @Test
    void aReadOnlyCacheServesWhatItHoldsAndWhatItLacksGoesToTheFallback() throws IOException {
        try (TmpfsMount disk = TmpfsMount.of(work.resolve("shared-cache"), 16)) {
            Path shared = disk.path();
            new ImagePuller().pull(request(CacheFolders.of(shared), work.resolve("first"), new RecordingListener(),
                    StandardFixtures.OCI_IMAGE));
            disk.readOnly();
            Path fallback = work.resolve("target/images-cache");

            CacheFolders caches = CacheFolders.choose(List.of(shared), fallback);
            RecordingListener listener = new RecordingListener();
            List<PulledImage> pulled = new ImagePuller().pull(request(caches, work.resolve("out"), listener,
                    StandardFixtures.OCI_IMAGE, StandardFixtures.DOCKER_IMAGE));

            assertEquals(fallback, caches.writable());
            String warning = caches.fellBack().orElseThrow();
            assertTrue(warning.contains(shared + " (Read-only file system) cannot be written"), warning);
            assertTrue(warning.contains("downloaded into " + fallback), warning);
            assertEquals(0, pulled.get(0).downloadedBytes(), "the read-only cache holds the first image");
            TestImage docker = fixtures.dockerImage();
            assertEquals(docker.layers().stream().mapToLong(TestLayer::size).sum(), pulled.get(1).downloadedBytes());
            for (TestLayer layer : docker.layers()) {
                assertTrue(Files.isRegularFile(blob(fallback, layer.digest())), "the fallback takes what the cache lacks");
            }
            for (TestLayer layer : fixtures.ociImage().layers()) {
                assertFalse(Files.exists(blob(fallback, layer.digest())), "what the read-only cache holds is not copied");
                assertArrayEquals(layer.blob(), Files.readAllBytes(blob(work.resolve("out"), layer.digest())));
            }
            assertEquals(List.of(), listener.warnings());
        }
    }

    @Test
    void aDamagedBlobOfAReadOnlyCacheIsPassedOverAndDownloadedAgain() throws IOException {
        try (TmpfsMount disk = TmpfsMount.of(work.resolve("shared-cache"), 16)) {
            Path shared = disk.path();
            new ImagePuller().pull(request(CacheFolders.of(shared), work.resolve("first"), new RecordingListener(),
                    StandardFixtures.OCI_IMAGE));
            TestLayer layer = fixtures.ociImage().layers().get(0);
            byte[] damaged = layer.blob();
            damaged[damaged.length / 2] ^= 1;
            Files.write(blob(shared, layer.digest()), damaged);
            disk.readOnly();
            Path fallback = work.resolve("target/images-cache");

            List<PulledImage> pulled = new ImagePuller().pull(request(CacheFolders.choose(List.of(shared), fallback),
                    work.resolve("out"), new RecordingListener(), StandardFixtures.OCI_IMAGE));

            assertEquals(layer.size(), pulled.get(0).downloadedBytes(), "only the damaged layer is downloaded");
            assertArrayEquals(layer.blob(), Files.readAllBytes(blob(fallback, layer.digest())));
            assertArrayEquals(layer.blob(), Files.readAllBytes(blob(work.resolve("out"), layer.digest())));
            assertArrayEquals(damaged, Files.readAllBytes(blob(shared, layer.digest())), "the read-only cache is not written");
        }
    }

    @Test
    void theFirstWritableOfSeveralFoldersTakesNewBlobsAndAllAreRead() throws IOException {
        Path team = work.resolve("team-cache");
        new ImagePuller().pull(request(CacheFolders.of(team), work.resolve("first"), new RecordingListener(), StandardFixtures.OCI_IMAGE));
        Path own = work.resolve("own-cache");

        CacheFolders caches = CacheFolders.choose(List.of(own, team), work.resolve("unused"));
        List<PulledImage> pulled = new ImagePuller().pull(request(caches, work.resolve("out"), new RecordingListener(),
                StandardFixtures.OCI_IMAGE, StandardFixtures.DOCKER_IMAGE));

        assertEquals(own, caches.writable());
        assertEquals(Optional.empty(), caches.fellBack());
        assertEquals(0, pulled.get(0).downloadedBytes(), "the second folder is read");
        for (TestLayer layer : fixtures.dockerImage().layers()) {
            assertTrue(Files.isRegularFile(blob(own, layer.digest())), "the first writable folder takes new blobs");
            assertFalse(Files.exists(blob(team, layer.digest())));
        }
        assertFalse(Files.exists(work.resolve("unused")));
    }

    @Test
    void anOutputOnAnotherFileSystemGetsCopiesThatAWarmBuildLeavesAlone() throws IOException {
        try (TmpfsMount disk = TmpfsMount.of(work.resolve("disk"), 16)) {
            Path cache = work.resolve("cache");
            Path output = disk.path().resolve("out");
            new ImagePuller().pull(request(CacheFolders.of(cache), output, new RecordingListener(), StandardFixtures.OCI_IMAGE));
            TestLayer layer = fixtures.ociImage().layers().get(0);
            Path copy = blob(output, layer.digest());
            assertArrayEquals(layer.blob(), Files.readAllBytes(copy));
            assertEquals(1, Files.getAttribute(copy, "unix:nlink"), "a copy, not a link into the cache on another file system");
            Object inode = Files.readAttributes(copy, java.nio.file.attribute.BasicFileAttributes.class).fileKey();

            RecordingListener warm = new RecordingListener();
            new ImagePuller().pull(request(CacheFolders.of(cache), output, warm, StandardFixtures.OCI_IMAGE));

            assertTrue(warm.lines().contains("INFO " + output + " already holds exactly these images; left as it is"), warm.lines().toString());
            assertEquals(inode, Files.readAttributes(copy, java.nio.file.attribute.BasicFileAttributes.class).fileKey(),
                    "the warm build copies nothing again");

            Files.write(copy, new byte[] {1, 2, 3});
            new ImagePuller().pull(request(CacheFolders.of(cache), output, new RecordingListener(), StandardFixtures.OCI_IMAGE));
            assertArrayEquals(layer.blob(), Files.readAllBytes(copy), "a copy changed since is written again");
        }
    }

    private static Path blob(Path folder, String digest) {
        return folder.resolve("blobs/sha256/" + digest.substring("sha256:".length()));
    }
}
