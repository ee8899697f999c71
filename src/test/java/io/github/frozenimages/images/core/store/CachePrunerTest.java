package io.github.frozenimages.images.core.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.frozenimages.images.core.model.Descriptor;
import io.github.frozenimages.images.core.ref.Digest;
import io.github.frozenimages.images.core.ref.ImageReference;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Pruning by age and by size, what a lock keeps, and the blobs of builds that run meanwhile. */
class CachePrunerTest {

    private static final Instant NOW = Instant.parse("2026-06-01T12:00:00Z");
    private static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);

    @TempDir
    Path cache;

    private static Descriptor descriptorOf(byte[] bytes) {
        return new Descriptor("application/octet-stream", Digest.sha256(bytes), bytes.length);
    }

    /** A blob put into the cache by a build that used it {@code daysAgo}. */
    private Descriptor blobUsed(String content, int daysAgo) throws IOException {
        return blobUsed(content.getBytes(StandardCharsets.UTF_8), daysAgo);
    }

    private Descriptor blobUsed(byte[] content, int daysAgo) throws IOException {
        Descriptor d = descriptorOf(content);
        try (BlobStore store = new BlobStore(cache)) {
            store.put(d, content);
        }
        FileTime then = FileTime.from(NOW.minus(Duration.ofDays(daysAgo)));
        Files.setLastModifiedTime(cache.resolve("used").resolve(BlobStore.key(d.digest())), then);
        return d;
    }

    private Path file(Descriptor d) {
        return cache.resolve("blobs/sha256/" + d.digest().hex());
    }

    private CachePruner.Result prune(Optional<Duration> olderThan, OptionalLong maxBytes, Set<Digest> keep) throws IOException {
        return new CachePruner(cache, CLOCK).prune(new CachePruner.Policy(olderThan, maxBytes, keep));
    }

    @Test
    void byAgeRemovesWhatNoBuildUsedForThatLongWithItsStampsAndTagRecords() throws IOException {
        Descriptor old = blobUsed("a manifest nobody pulled for 40 days", 40);
        Descriptor recent = blobUsed("a manifest pulled 10 days ago", 10);
        new BlobStore(cache).tags().record(ImageReference.parse("registry.example/app:old"), old);
        new BlobStore(cache).tags().record(ImageReference.parse("registry.example/app:recent"), recent);

        CachePruner.Result result = prune(Optional.of(Duration.ofDays(30)), OptionalLong.empty(), Set.of());

        assertEquals(List.of(old.digest()), result.removed().stream().map(CachePruner.Blob::digest).toList());
        assertEquals(old.size(), result.bytesFreed());
        assertFalse(Files.exists(file(old)));
        assertFalse(Files.exists(cache.resolve("used").resolve(BlobStore.key(old.digest()))), "its use stamp goes with it");
        assertFalse(Files.exists(cache.resolve("verified").resolve(BlobStore.key(old.digest()))), "its verification stamp too");
        assertTrue(Files.exists(file(recent)));
        assertEquals(1, result.tagRecordsRemoved());
        assertEquals(Optional.empty(), new BlobStore(cache).tags().lookup(ImageReference.parse("registry.example/app:old")));
        assertEquals(Optional.of(recent), new BlobStore(cache).tags().lookup(ImageReference.parse("registry.example/app:recent")));
        assertEquals(new CacheInventory(cache.toAbsolutePath(), 1, recent.size(), Optional.of(NOW.minus(Duration.ofDays(10)))),
                result.after());
    }

    @Test
    void aLockedManifestIsKeptWithEverythingItNames() throws IOException {
        Descriptor layer = blobUsed("an old layer of a locked image", 90);
        Descriptor config = blobUsed("{\"architecture\":\"amd64\"}", 90);
        Descriptor manifest = blobUsed("{\"schemaVersion\":2,\"config\":{\"digest\":\"" + config.digest() + "\",\"size\":1},"
                + "\"layers\":[{\"digest\":\"" + layer.digest() + "\",\"size\":1}]}", 90);
        Descriptor index = blobUsed("{\"schemaVersion\":2,\"manifests\":[{\"digest\":\"" + manifest.digest() + "\",\"size\":1}]}", 90);
        Descriptor stranger = blobUsed("an old layer of no locked image", 90);

        CachePruner.Result result = prune(Optional.of(Duration.ofDays(30)), OptionalLong.empty(), Set.of(index.digest()));

        assertEquals(List.of(stranger.digest()), result.removed().stream().map(CachePruner.Blob::digest).toList());
        for (Descriptor kept : List.of(index, manifest, config, layer)) {
            assertTrue(Files.exists(file(kept)), "kept: " + kept.digest());
        }
    }

    @Test
    void bySizeRemovesTheLeastRecentlyUsedUntilTheCacheFits() throws IOException {
        Descriptor oldest = blobUsed(new byte[1000], 50);
        byte[] b = new byte[1000];
        b[0] = 1;
        Descriptor older = blobUsed(b, 20);
        byte[] c = new byte[1000];
        c[0] = 2;
        Descriptor newest = blobUsed(c, 1);

        CachePruner.Result result = prune(Optional.empty(), OptionalLong.of(1500), Set.of());

        assertEquals(List.of(oldest.digest(), older.digest()), result.removed().stream().map(CachePruner.Blob::digest).toList());
        assertTrue(Files.exists(file(newest)));
        assertEquals(1000, result.after().bytes());
    }

    @Test
    void aBlobARunningBuildUsesOrDownloadsIsLeftAndOneRemovedUnderItsFeetIsDownloadedAgain() throws IOException {
        Descriptor used = blobUsed("a layer a running build has checked", 60);
        Descriptor downloading = blobUsed("a layer another build is downloading again", 60);
        Descriptor idle = blobUsed("a layer nobody uses", 60);

        BlobStore running = new BlobStore(cache);
        assertTrue(running.contains(used));
        CachePruner.Result result;
        try (BlobLocks.Held ignored = new BlobStore(cache).locks().acquire(BlobStore.key(downloading.digest()))) {
            // by size, down to nothing: the age of a blob a build uses is renewed anyway, its lease is what protects it here
            result = prune(Optional.empty(), OptionalLong.of(0), Set.of());
        }

        assertEquals(List.of(idle.digest()), result.removed().stream().map(CachePruner.Blob::digest).toList());
        assertEquals(Set.of(used.digest(), downloading.digest()),
                Set.copyOf(result.kept().stream().map(CachePruner.Blob::digest).toList()));
        assertTrue(Files.exists(file(used)));

        running.close();
        CachePruner.Result byAge = prune(Optional.of(Duration.ofDays(30)), OptionalLong.empty(), Set.of());
        assertEquals(List.of(downloading.digest()), byAge.removed().stream().map(CachePruner.Blob::digest).toList(),
                "once the download is done; the blob the build used counts as used now");
        assertTrue(Files.exists(file(used)));
        CachePruner.Result bySize = prune(Optional.empty(), OptionalLong.of(0), Set.of());
        assertEquals(List.of(used.digest()), bySize.removed().stream().map(CachePruner.Blob::digest).toList(),
                "once the build has closed its store");

        BlobStore later = new BlobStore(cache);
        assertFalse(later.contains(idle));
        byte[] content = "a layer nobody uses".getBytes(StandardCharsets.UTF_8);
        assertTrue(later.ensure(idle, BlobSource.of(content)), "a pruned blob is downloaded again");
        assertTrue(later.contains(idle));
        later.close();
    }

    @Test
    void ageAndSizeAreWrittenAsUsersWriteThem() {
        assertEquals(Duration.ofDays(30), PruneLimits.parseAge("30d"));
        assertEquals(Duration.ofHours(12), PruneLimits.parseAge("12h"));
        assertEquals(Duration.ofDays(14), PruneLimits.parseAge("2w"));
        assertEquals(20L << 30, PruneLimits.parseSize("20GB"));
        assertEquals(512L << 20, PruneLimits.parseSize("512mb"));
        assertEquals(1536L << 20, PruneLimits.parseSize("1.5GB"));
        assertEquals(100, PruneLimits.parseSize("100B"));
        assertEquals(2048, PruneLimits.parseSize("2KB"));
        IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> PruneLimits.parseSize("20 gigs"));
        assertTrue(e.getMessage().contains("B, KB, MB, GB or TB"), e.getMessage());
        assertTrue(org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> PruneLimits.parseAge("30"))
                .getMessage().contains("30d"));
    }
}
