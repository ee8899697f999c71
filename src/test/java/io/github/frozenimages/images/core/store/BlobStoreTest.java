package io.github.frozenimages.images.core.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.frozenimages.images.core.model.Descriptor;
import io.github.frozenimages.images.core.ref.Digest;
import io.github.frozenimages.images.testing.BackgroundCall;
import java.io.ByteArrayInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The content-addressed cache: a name under blobs/ must always mean verified content. */
class BlobStoreTest {

    private static final byte[] CONTENT = "hello world, this is a layer".getBytes(StandardCharsets.UTF_8);
    private static final Descriptor DESCRIPTOR = descriptorOf(CONTENT);

    @TempDir
    Path root;

    private static Descriptor descriptorOf(byte[] bytes) {
        return new Descriptor("application/octet-stream", Digest.sha256(bytes), bytes.length);
    }

    private static BlobSource bytes(byte[] b) {
        // like a server that ignores Range: every opening serves the whole body from byte 0
        return offset -> new BlobSource.Body(new ByteArrayInputStream(b), 0);
    }

    /** A source that must not be opened: the store already has the blob. */
    private static final BlobSource NEVER = offset -> {
        throw new AssertionError("the source was opened although the store has the blob");
    };

    /** Every regular file under the store's blobs/ folder, temp files included. */
    private List<Path> filesUnderBlobs() throws IOException {
        Path blobs = root.resolve("blobs");
        if (!Files.exists(blobs)) {
            return List.of();
        }
        try (Stream<Path> walk = Files.walk(blobs)) {
            return walk.filter(Files::isRegularFile).toList();
        }
    }

    @Test
    void ensureStoresTheBlobUnderItsDigest() throws IOException {
        BlobStore store = new BlobStore(root);
        assertFalse(store.contains(DESCRIPTOR));

        assertTrue(store.ensure(DESCRIPTOR, bytes(CONTENT)), "the first call downloads");

        Path expected = root.resolve("blobs").resolve("sha256").resolve(DESCRIPTOR.digest().hex());
        assertEquals(expected, store.path(DESCRIPTOR.digest()));
        assertArrayEquals(CONTENT, Files.readAllBytes(expected));
        assertTrue(store.contains(DESCRIPTOR));
        assertEquals(List.of(expected), filesUnderBlobs(), "no temp file is left beside the blob");
    }

    @Test
    void secondEnsureDoesNotOpenTheSource() throws IOException {
        BlobStore store = new BlobStore(root);
        store.ensure(DESCRIPTOR, bytes(CONTENT));
        assertFalse(store.ensure(DESCRIPTOR, NEVER));
        // another store instance over the same folder (another build) sees it too
        assertFalse(new BlobStore(root).ensure(DESCRIPTOR, NEVER));
    }

    @Test
    void sha512BlobsLiveUnderTheirAlgorithm() throws Exception {
        Digest digest = Digest.of(Digest.SHA512, MessageDigest.getInstance("SHA-512").digest(CONTENT));
        Descriptor descriptor = new Descriptor(null, digest, CONTENT.length);
        BlobStore store = new BlobStore(root);
        assertTrue(store.ensure(descriptor, bytes(CONTENT)));
        assertArrayEquals(CONTENT, Files.readAllBytes(root.resolve("blobs/sha512/" + digest.hex())));
    }

    @Test
    void wrongContentIsRefusedAndNothingIsKept() throws IOException {
        BlobStore store = new BlobStore(root);
        byte[] other = "hello world, this is a LAYER".getBytes(StandardCharsets.UTF_8); // same length, other bytes
        assertEquals(CONTENT.length, other.length);

        AtomicInteger opened = new AtomicInteger();
        BlobSource wrong = offset -> {
            opened.incrementAndGet();
            return new BlobSource.Body(new ByteArrayInputStream(other), 0);
        };
        BlobVerificationException e = assertThrows(BlobVerificationException.class, () -> store.ensure(DESCRIPTOR, wrong));
        assertTrue(e.getMessage().contains(DESCRIPTOR.digest().toString()), e.getMessage());
        assertEquals(2, opened.get(), "a mismatch is fetched once more from zero, then it is final");
        assertEquals(List.of(), filesUnderBlobs());
        assertFalse(store.contains(DESCRIPTOR));
        // the failure does not poison the digest: the right bytes are accepted afterwards
        assertTrue(store.ensure(DESCRIPTOR, bytes(CONTENT)));
    }

    @Test
    void aBodyThatAlwaysEndsShortGivesUpAndKeepsOnlyAResumablePrefix() throws IOException {
        BlobStore store = new BlobStore(root);
        byte[] truncated = java.util.Arrays.copyOf(CONTENT, CONTENT.length - 1);
        DownloadBrokeOffException e = assertThrows(DownloadBrokeOffException.class, () -> store.ensure(DESCRIPTOR, bytes(truncated)));
        assertTrue(e.getMessage().contains("without progress"), e.getMessage());
        assertFalse(Files.exists(store.path(DESCRIPTOR.digest())));
        assertOnlyPrefixesOfContent();
    }

    @Test
    void tooLongBodyIsRefusedEvenWhenItsPrefixMatches() throws IOException {
        BlobStore store = new BlobStore(root);
        // the first size bytes hash correctly: only counting past the declared size catches the extra byte
        byte[] longer = java.util.Arrays.copyOf(CONTENT, CONTENT.length + 1);
        longer[CONTENT.length] = '!';
        assertThrows(BlobVerificationException.class, () -> store.ensure(DESCRIPTOR, bytes(longer)));
        assertEquals(List.of(), filesUnderBlobs());
    }

    @Test
    void tooLongBodyIsNotReadToTheEnd() throws IOException {
        BlobStore store = new BlobStore(root);
        AtomicInteger served = new AtomicInteger();
        // an endless body: the store must stop right after the declared size instead of filling the disk
        BlobSource endless = offset -> new BlobSource.Body(new InputStream() {
            @Override
            public int read() {
                served.incrementAndGet();
                return 'x';
            }

            @Override
            public int read(byte[] b, int off, int len) {
                java.util.Arrays.fill(b, off, off + len, (byte) 'x');
                served.addAndGet(len);
                return len;
            }
        }, 0);
        assertThrows(BlobVerificationException.class, () -> store.ensure(DESCRIPTOR, endless));
        // two tries (the second from zero), each stopping one byte past the declared size
        assertTrue(served.get() <= 2 * (CONTENT.length + 1), "read " + served.get() + " bytes");
        assertEquals(List.of(), filesUnderBlobs());
    }

    @Test
    void sourceFailingAlwaysAtTheSamePlaceGivesUpKeepingOnlyAPrefix() throws IOException {
        BlobStore store = new BlobStore(root);
        IOException failure = new IOException("connection reset");
        BlobSource breaking = offset -> new BlobSource.Body(new FilterInputStream(new ByteArrayInputStream(CONTENT, 0, 5)) {
            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                int n = super.read(b, off, len);
                if (n < 0) {
                    throw failure;
                }
                return n;
            }
        }, 0);
        DownloadBrokeOffException thrown = assertThrows(DownloadBrokeOffException.class, () -> store.ensure(DESCRIPTOR, breaking));
        assertEquals(failure, thrown.getCause());
        assertFalse(Files.exists(store.path(DESCRIPTOR.digest())));
        assertOnlyPrefixesOfContent();
    }

    /** Invariant after a broken download: no blob under its name, at most partial files holding a prefix of the content. */
    private void assertOnlyPrefixesOfContent() throws IOException {
        for (Path f : filesUnderBlobs()) {
            assertTrue(f.getFileName().toString().endsWith(".partial"), "unexpected file " + f);
            byte[] held = Files.readAllBytes(f);
            assertTrue(held.length < CONTENT.length
                    && java.util.Arrays.equals(held, java.util.Arrays.copyOf(CONTENT, held.length)), "not a prefix: " + f);
        }
    }

    /**
     * While one caller downloads a blob under its lock, others asking for it (other stores over the same
     * folder, as other modules of {@code mvn -T} make) wait for that download and then take its result,
     * opening no source of their own. The holder's download is held back until every other caller waits.
     */
    @Test
    void concurrentEnsureWaitsForTheDownloadInFlightAndDownloadsOnce() throws Exception {
        CountDownLatch holderDownloading = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger holderOpened = new AtomicInteger();
        BlobSource held = offset -> {
            holderOpened.incrementAndGet();
            holderDownloading.countDown();
            awaitUninterruptibly(release);
            return new BlobSource.Body(new ByteArrayInputStream(CONTENT), 0);
        };
        AtomicInteger othersOpened = new AtomicInteger();
        BlobSource other = offset -> {
            othersOpened.incrementAndGet();
            return new BlobSource.Body(new ByteArrayInputStream(CONTENT), 0);
        };
        List<BackgroundCall<Boolean>> waiters = new ArrayList<>();
        try (BackgroundCall<Boolean> holder = BackgroundCall.start("holder", () -> new BlobStore(root).ensure(DESCRIPTOR, held))) {
            assertTrue(holderDownloading.await(30, TimeUnit.SECONDS), "the first caller opened its source");
            for (int i = 0; i < 3; i++) {
                waiters.add(BackgroundCall.start("waiter-" + i, () -> {
                    boolean downloaded = new BlobStore(root).ensure(DESCRIPTOR, other);
                    assertEquals(0, release.getCount(), "ensure returned while the first download was still held back");
                    return downloaded;
                }));
            }
            // a caller that does not wait for the lock holder has opened its source, or returned, by now
            waiters.forEach(BackgroundCall::awaitWaitingOrDone);
            assertEquals(0, othersOpened.get(), "sources opened by the callers that came while the first download was in flight");
            release.countDown();

            assertTrue(holder.result(), "the first caller reports having downloaded");
            for (BackgroundCall<Boolean> waiter : waiters) {
                assertFalse(waiter.result(), "a caller that waited reports the blob as already there");
            }
        } finally {
            release.countDown();
            for (BackgroundCall<Boolean> waiter : waiters) {
                waiter.close();
            }
        }
        assertEquals(1, holderOpened.get(), "the first caller's source opened");
        assertEquals(0, othersOpened.get(), "sources opened by the callers that came while it downloaded");
        assertArrayEquals(CONTENT, Files.readAllBytes(new BlobStore(root).path(DESCRIPTOR.digest())));
        assertEquals(1, filesUnderBlobs().size());
    }

    private static void awaitUninterruptibly(CountDownLatch latch) {
        try {
            latch.await(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Test
    void putThenRead() throws IOException {
        BlobStore store = new BlobStore(root);
        byte[] manifest = "{\"schemaVersion\":2}".getBytes(StandardCharsets.UTF_8);
        Descriptor d = descriptorOf(manifest);
        store.put(d, manifest);
        assertArrayEquals(manifest, store.read(d, 1024));
        // put of bytes already there is a no-op, not an error
        store.put(d, manifest);
        assertArrayEquals(manifest, store.read(d, manifest.length));
    }

    @Test
    void readRefusesBlobsAboveTheLimit() throws IOException {
        BlobStore store = new BlobStore(root);
        store.put(DESCRIPTOR, CONTENT);
        IOException e = assertThrows(IOException.class, () -> store.read(DESCRIPTOR, CONTENT.length - 1));
        assertTrue(e.getMessage().contains(DESCRIPTOR.digest().toString()), e.getMessage());
    }

    @Test
    void putVerifiesToo() throws IOException {
        BlobStore store = new BlobStore(root);
        byte[] wrong = "tampered".getBytes(StandardCharsets.UTF_8);
        Descriptor claimed = new Descriptor(null, Digest.sha256("original".getBytes(StandardCharsets.UTF_8)), wrong.length);
        assertThrows(BlobVerificationException.class, () -> store.put(claimed, wrong));
        assertEquals(List.of(), filesUnderBlobs());
    }

    @Test
    void blobOfWrongSizeOnDiskIsNotTrusted() throws IOException {
        // a file truncated by a crash of some other tool must not count as present
        BlobStore store = new BlobStore(root);
        Path p = store.path(DESCRIPTOR.digest());
        Files.createDirectories(p.getParent());
        Files.write(p, java.util.Arrays.copyOf(CONTENT, 3));
        assertFalse(store.contains(DESCRIPTOR));
        // and ensure() replaces it with the verified content
        assertTrue(store.ensure(DESCRIPTOR, bytes(CONTENT)));
        assertArrayEquals(CONTENT, Files.readAllBytes(p));
    }
}
