package io.github.frozenimages.images.core.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.frozenimages.images.core.model.Descriptor;
import io.github.frozenimages.images.core.ref.Digest;
import java.io.ByteArrayInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Resuming broken downloads with ranges, across attempts and across builds, and healing a damaged cache. */
class BlobResumeTest {

    private static final byte[] CONTENT = new byte[1 << 20];
    private static final Descriptor BLOB;

    static {
        new Random(42).nextBytes(CONTENT);
        BLOB = new Descriptor("application/octet-stream", Digest.sha256(CONTENT), CONTENT.length);
    }

    @TempDir
    Path root;

    /** A server honouring ranges whose connection dies after {@code perConnection} bytes. */
    private static BlobSource flaky(int perConnection, List<Long> offsets, AtomicLong served) {
        return offset -> {
            offsets.add(offset);
            int start = (int) offset;
            int end = Math.min(CONTENT.length, start + perConnection);
            return new BlobSource.Body(new FilterInputStream(new ByteArrayInputStream(CONTENT, start, end - start)) {
                @Override
                public int read(byte[] b, int off, int len) throws IOException {
                    int n = super.read(b, off, len);
                    if (n < 0 && end < CONTENT.length) {
                        throw new IOException("connection reset by the test");
                    }
                    if (n > 0) {
                        served.addAndGet(n);
                    }
                    return n;
                }
            }, offset);
        };
    }

    @Test
    void aBodyBrokenSeveralTimesIsResumedWithoutDownloadingAByteTwice() throws IOException {
        List<Long> offsets = new ArrayList<>();
        AtomicLong served = new AtomicLong();
        List<Long> resumedAt = new ArrayList<>();
        IngestObserver observer = new IngestObserver() {
            @Override
            public void resuming(long offset, IOException cause, int attempt) {
                resumedAt.add(offset);
            }
        };
        assertTrue(new BlobStore(root).ensure(BLOB, flaky(300_000, offsets, served), observer));
        assertEquals(List.of(0L, 300_000L, 600_000L, 900_000L), offsets);
        assertEquals(List.of(300_000L, 600_000L, 900_000L), resumedAt);
        assertEquals(CONTENT.length, served.get(), "each byte crossed the wire once");
        assertArrayEquals(CONTENT, Files.readAllBytes(new BlobStore(root).path(BLOB.digest())));
    }

    @Test
    void theNextBuildResumesFromThePartialFileAKilledBuildLeft() throws IOException {
        BlobStore store = new BlobStore(root);
        Path partial = store.path(BLOB.digest()).resolveSibling("." + BLOB.digest().hex() + ".partial");
        Files.createDirectories(partial.getParent());
        Files.write(partial, java.util.Arrays.copyOf(CONTENT, 700_000));

        List<Long> offsets = new ArrayList<>();
        AtomicLong served = new AtomicLong();
        assertTrue(store.ensure(BLOB, flaky(CONTENT.length, offsets, served), IngestObserver.NONE));
        assertEquals(List.of(700_000L), offsets);
        assertEquals(CONTENT.length - 700_000, served.get());
        assertFalse(Files.exists(partial));
    }

    @Test
    void aPartialFileWithWrongBytesIsDiscardedAndFetchedAgainFromZero() throws IOException {
        BlobStore store = new BlobStore(root);
        Path partial = store.path(BLOB.digest()).resolveSibling("." + BLOB.digest().hex() + ".partial");
        Files.createDirectories(partial.getParent());
        byte[] damaged = java.util.Arrays.copyOf(CONTENT, 500_000);
        damaged[1234] ^= 1;
        Files.write(partial, damaged);

        List<Long> offsets = new ArrayList<>();
        List<String> restarts = new ArrayList<>();
        assertTrue(store.ensure(BLOB, flaky(CONTENT.length, offsets, new AtomicLong()), new IngestObserver() {
            @Override
            public void restarting(String reason) {
                restarts.add(reason);
            }
        }));
        assertEquals(List.of(500_000L, 0L), offsets, "resumed first, then once from zero after the mismatch");
        assertEquals(1, restarts.size());
        assertArrayEquals(CONTENT, Files.readAllBytes(store.path(BLOB.digest())));
    }

    @Test
    void aServerIgnoringTheRangeRestartsCleanlyFromItsWholeBody() throws IOException {
        List<Long> asked = new ArrayList<>();
        int[] calls = {0};
        BlobSource ignoresRange = offset -> {
            asked.add(offset);
            boolean first = calls[0]++ == 0;
            // the first connection dies half way; the second ignores Range and sends everything from byte 0
            byte[] body = first ? java.util.Arrays.copyOf(CONTENT, CONTENT.length / 2) : CONTENT;
            return new BlobSource.Body(new FilterInputStream(new ByteArrayInputStream(body)) {
                @Override
                public int read(byte[] b, int off, int len) throws IOException {
                    int n = super.read(b, off, len);
                    if (n < 0 && first) {
                        throw new IOException("cut");
                    }
                    return n;
                }
            }, 0);
        };
        assertTrue(new BlobStore(root).ensure(BLOB, ignoresRange, IngestObserver.NONE));
        assertEquals(List.of(0L, (long) CONTENT.length / 2), asked);
        assertArrayEquals(CONTENT, Files.readAllBytes(new BlobStore(root).path(BLOB.digest())));
    }

    @Test
    void aCachedBlobChangedOnDiskIsEvictedAndFetchedAgain() throws IOException {
        BlobStore store = new BlobStore(root);
        store.put(BLOB, CONTENT);
        Path file = store.path(BLOB.digest());
        byte[] flipped = CONTENT.clone();
        flipped[77] ^= 1;
        Files.write(file, flipped); // same size, other bytes: only hashing can tell
        Files.setLastModifiedTime(file, FileTime.fromMillis(System.currentTimeMillis() + 5000));

        assertFalse(store.contains(BLOB));
        assertFalse(Files.exists(file), "the damaged file is evicted");
        assertTrue(store.ensure(BLOB, BlobSource.of(CONTENT), IngestObserver.NONE));
        assertTrue(store.contains(BLOB));
    }

    @Test
    void anUnchangedCachedBlobIsTrustedByItsStampWithoutHashing() throws IOException {
        BlobStore store = new BlobStore(root);
        store.put(BLOB, CONTENT);
        Path file = store.path(BLOB.digest());
        FileTime verifiedAt = Files.getLastModifiedTime(file);
        // rewrite in place (same inode, same size) and put the time back: size, time and inode match the stamp,
        // so the store trusts it without hashing; this is what keeps a warm build from reading gigabytes
        byte[] flipped = CONTENT.clone();
        flipped[77] ^= 1;
        Files.write(file, flipped);
        Files.setLastModifiedTime(file, verifiedAt);
        assertTrue(store.contains(BLOB));
    }
}
