package io.github.frozenimages.images.core;

import io.github.frozenimages.images.core.output.PulledImage;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.frozenimages.images.core.auth.CredentialProvider;

import io.github.frozenimages.images.testing.RecordedRequest;
import io.github.frozenimages.images.testing.RecordingListener;
import io.github.frozenimages.images.testing.Sha256;
import io.github.frozenimages.images.testing.StandardFixtures;
import io.github.frozenimages.images.testing.TestImage;
import io.github.frozenimages.images.testing.TestLayer;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A damaged cache heals through a real pull (reliability catalogue §3.4 items 21 and 22, §3.3 item 8): a cached
 * blob with a flipped byte, truncated or emptied, a manifest damaged in the cache, an output file written to through
 * its hard link into the cache, and the leftovers of a crash (partial files that are junk, too long, or already
 * complete, a stale lock file). Each is noticed before it reaches an output, only what is damaged is fetched again
 * (the proxy counts the requests), and afterwards output and cache are sound.
 */
@Timeout(120)
class CacheHealingTest extends FaultProxyTestSupport {

    @TempDir
    Path work;

    private final RecordingListener log = new RecordingListener();

    @Test
    void aCachedLayerWithAFlippedByteIsEvictedAndFetchedAgain() throws Exception {
        TestLayer layer = oci().layers().get(0);
        pull(tagged());
        Path cached = cached(layer.digest());
        byte[] bad = Files.readAllBytes(cached);
        bad[bad.length / 2] ^= 0x01;
        Files.write(cached, bad); // in place: the output's hard link to it now holds the bad byte too

        pullAndExpectRefetchOf(layer.digest());
    }

    @Test
    void aTruncatedCachedLayerIsEvictedAndFetchedAgain() throws Exception {
        TestLayer layer = oci().layers().get(1);
        pull(tagged());
        try (FileChannel file = FileChannel.open(cached(layer.digest()), StandardOpenOption.WRITE)) {
            file.truncate(layer.size() / 3);
        }

        pullAndExpectRefetchOf(layer.digest());
    }

    @Test
    void anEmptiedCachedConfigIsEvictedAndFetchedAgain() throws Exception {
        pull(tagged());
        try (FileChannel file = FileChannel.open(cached(oci().configDigest()), StandardOpenOption.WRITE)) {
            file.truncate(0);
        }

        pullAndExpectRefetchOf(oci().configDigest());
    }

    @Test
    void threeDamagedBlobsAreAllHealedByOnePull() throws Exception {
        pull(tagged());
        Path first = cached(oci().layers().get(0).digest());
        byte[] flipped = Files.readAllBytes(first);
        flipped[0] ^= (byte) 0x80;
        Files.write(first, flipped);
        Files.write(cached(oci().layers().get(1).digest()), Arrays.copyOf(oci().layers().get(1).blob(), 100));
        Files.write(cached(oci().configDigest()), new byte[0]);

        pullAndExpectRefetchOf(oci().layers().get(0).digest(), oci().layers().get(1).digest(), oci().configDigest());
    }

    @Test
    void aManifestDamagedInTheCacheIsFetchedAgainForAPinnedPull() throws Exception {
        String pinned = proxy.address() + "/" + StandardFixtures.OCI_IMAGE + "@" + oci().manifestDigest();
        pull(pinned);
        Path cached = cached(oci().manifestDigest());
        String text = Files.readString(cached, StandardCharsets.UTF_8);
        // still a manifest, but not the one of this digest (and one byte longer, whatever the clock's resolution)
        Files.writeString(cached, text.replace("\"schemaVersion\":2", "\"schemaVersion\": 2"), StandardCharsets.UTF_8);
        int before = proxy.requests().size();

        pull(pinned);

        List<RecordedRequest> second = proxy.requests().subList(before, proxy.requests().size());
        assertEquals(List.of("/v2/" + StandardFixtures.OCI_IMAGE + "/manifests/" + oci().manifestDigest()),
                second.stream().map(RecordedRequest::path).filter(p -> !p.equals("/v2/")).toList(),
                "only the damaged manifest was fetched again");
        assertSound();
    }

    @Test
    void anOutputFileWrittenThroughItsHardLinkIsHealedInCacheAndOutput() throws Exception {
        TestLayer layer = oci().layers().get(1);
        pull(tagged());
        Path output = work.resolve("out/blobs/sha256").resolve(Sha256.hexOf(layer.digest()));
        // a later build step "fixing" a file in target/images writes into the cache's file as well
        Files.writeString(output, "changed by another plugin", StandardOpenOption.APPEND);

        pullAndExpectRefetchOf(layer.digest());
        assertArrayEquals(layer.blob(), Files.readAllBytes(output));
    }

    /**
     * A blob whose size, time and inode are unchanged is trusted by its verification stamp (that is what makes a
     * warm build of a 1 GiB image take a fraction of a second); {@code verifyCache} hashes it again, once per
     * build, so that even bit rot behind the stamp's back never reaches an output (catalogue item 21).
     */
    @Test
    void aByteFlippedBehindTheVerificationStampsBackNeverReachesAnOutputWithVerifyCache() throws Exception {
        // bit rot, or a tool that keeps the modification time: size, time and inode all unchanged
        TestLayer layer = oci().layers().get(0);
        pull(tagged());
        Path cached = cached(layer.digest());
        java.nio.file.attribute.FileTime time = Files.getLastModifiedTime(cached);
        try (FileChannel file = FileChannel.open(cached, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            java.nio.ByteBuffer one = java.nio.ByteBuffer.allocate(1);
            file.read(one, 10);
            one.put(0, (byte) ~one.get(0)).rewind();
            file.write(one, 10);
        }
        Files.setLastModifiedTime(cached, time);
        StagedDirectoryTrees.delete(work.resolve("out"));

        verifyCache = true;
        pull(tagged());

        assertEquals(2, getsOf(layer.digest()), "the rotten blob was fetched again");

        assertArrayEquals(layer.blob(), Files.readAllBytes(work.resolve("out/blobs/sha256").resolve(Sha256.hexOf(layer.digest()))),
                "the output holds a layer that does not match its digest");
    }

    @Test
    void aWrongBlobUnderTheRightNameIsNeverTrusted() throws Exception {
        TestLayer layer = oci().layers().get(0);
        Path cached = cached(layer.digest());
        Files.createDirectories(cached.getParent());
        byte[] junk = new byte[(int) layer.size()];
        Arrays.fill(junk, (byte) 'x');
        Files.write(cached, junk); // right name and size, no verification stamp: as if copied in by hand

        pull(tagged());

        assertEquals(1, getsOf(layer.digest()), "the planted blob was not taken for the layer");
        assertSound();
    }

    @Test
    void crashLeftoversAreResumedDiscardedOrIgnoredButNeverTrusted() throws Exception {
        TestImage image = oci();
        TestLayer junkPrefixed = image.layers().get(0);
        TestLayer tooLong = image.layers().get(1);
        Path blobs = Files.createDirectories(work.resolve("cache/blobs/sha256"));
        // a partial that is not a prefix of its blob: resumed from, found wrong at the end, discarded, fetched from zero
        byte[] junk = new byte[(int) junkPrefixed.size() / 2];
        Arrays.fill(junk, (byte) 7);
        Files.write(partial(junkPrefixed.digest()), junk);
        // a partial longer than its blob: junk from the start
        Files.write(partial(tooLong.digest()), new byte[(int) tooLong.size() + 10]);
        // a complete, correct partial: a build killed between verifying and renaming; needs no request at all
        Files.write(partial(image.configDigest()), image.configBytes());
        // a partial of a blob nobody asks for, and a stale lock file that no process holds
        String stranger = Sha256.digest("nobody's blob".getBytes(StandardCharsets.UTF_8));
        Files.write(partial(stranger), "junk".getBytes(StandardCharsets.UTF_8));
        Path locks = Files.createDirectories(work.resolve("cache/locks"));
        Files.writeString(locks.resolve("sha256-" + Sha256.hexOf(junkPrefixed.digest()) + ".lock"), "pid 1 was here");

        pull(tagged());

        List<RecordedRequest> junkGets = blobRequests(junkPrefixed.digest());
        assertEquals(List.of(Optional.of("bytes=" + junk.length + "-"), Optional.<String>empty()),
                junkGets.stream().map(r -> r.header("Range")).toList(), "resumed from the leftover, then from zero");
        assertEquals(1, warningsWith("discarding the download of layer 1 of").size(), log.lines().toString());
        assertEquals(List.of(Optional.<String>empty()), blobRequests(tooLong.digest()).stream().map(r -> r.header("Range")).toList(),
                "the too long partial was dropped, not resumed");
        assertEquals(0, getsOf(image.configDigest()), "the complete partial was verified and kept");
        assertArrayEquals("junk".getBytes(StandardCharsets.UTF_8), Files.readAllBytes(partial(stranger)), "a stranger's partial is left alone");
        Files.delete(partial(stranger));
        assertSound();
    }

    /** Removes an output between two pulls. */
    private static final class StagedDirectoryTrees {
        static void delete(Path p) throws IOException {
            io.github.frozenimages.images.core.output.StagedDirectory.deleteTree(p);
        }
    }

    // ---- helpers ----------------------------------------------------------------------------------------------------

    /** Pulls the same tag again into the same output and cache, and checks that exactly {@code damaged} were fetched again. */
    private void pullAndExpectRefetchOf(String... damaged) throws IOException {
        int before = proxy.requests().size();
        pull(tagged());
        List<String> blobs = proxy.requests().subList(before, proxy.requests().size()).stream()
                .map(RecordedRequest::path).filter(p -> p.contains("/blobs/")).map(p -> p.substring(p.lastIndexOf('/') + 1)).sorted().toList();
        assertEquals(Arrays.stream(damaged).sorted().toList(), blobs, "only the damaged blobs were fetched again");
        assertSound();
    }

    private void assertSound() throws IOException {
        List<String> written = blobNamesCheckingContent(work.resolve("out"));
        assertTrue(written.contains(oci().manifestDigest()), written.toString());
        for (TestLayer layer : oci().layers()) {
            assertTrue(written.contains(layer.digest()), layer.digest() + " missing from " + written);
        }
        CacheInvariants.assertNoTempSiblings(work.resolve("out"));
        CacheInvariants.assertCacheSound(work.resolve("cache"));
    }

    private boolean verifyCache;

    private List<PulledImage> pull(String reference) {
        return new ImagePuller().pull(new PullRequest(List.of(image(reference)), work.resolve("out"), OutputFormat.DOCKER, Optional.empty(), 4,
                work.resolve("cache"), Set.of(), CredentialProvider.ANONYMOUS, log).withNetwork(FAST_RETRIES).withVerifyCache(verifyCache));
    }

    private String tagged() {
        return proxy.address() + "/" + StandardFixtures.OCI_IMAGE + ":1.0";
    }

    private static TestImage oci() {
        return fixtures.ociImage();
    }

    private Path cached(String digest) {
        return work.resolve("cache/blobs/sha256").resolve(Sha256.hexOf(digest));
    }

    private Path partial(String digest) {
        return work.resolve("cache/blobs/sha256").resolve("." + Sha256.hexOf(digest) + ".partial");
    }

    private List<RecordedRequest> blobRequests(String digest) {
        return proxy.requests().stream().filter(r -> r.path().equals("/v2/" + StandardFixtures.OCI_IMAGE + "/blobs/" + digest)).toList();
    }

    private long getsOf(String digest) {
        return blobRequests(digest).size();
    }

    private List<String> warningsWith(String text) {
        return log.warnings().stream().filter(w -> w.contains(text)).toList();
    }
}
