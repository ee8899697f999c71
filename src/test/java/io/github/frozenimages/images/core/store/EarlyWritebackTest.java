package io.github.frozenimages.images.core.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.frozenimages.images.testing.BackgroundCall;
import java.io.IOException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class EarlyWritebackTest {

    @Test
    void aSyncStartsOnceEnoughBytesAreWrittenAndNotBefore() throws IOException {
        CountingSync sync = new CountingSync(null, null);
        EarlyWriteback writeback = new EarlyWriteback(sync);
        writeback.written(EarlyWriteback.EVERY - 1);
        writeback.finish();
        assertEquals(0, sync.syncs.get(), "fewer bytes than the threshold: no sync");
        writeback.written(1);
        writeback.finish();
        assertEquals(1, sync.syncs.get());
        writeback.written(EarlyWriteback.EVERY / 2);
        writeback.finish();
        assertEquals(1, sync.syncs.get(), "the count starts again after each sync");
    }

    @Test
    void noSecondSyncIsQueuedWhileOneRuns() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        CountingSync sync = new CountingSync(release, null);
        EarlyWriteback writeback = new EarlyWriteback(sync);
        for (int i = 0; i < 10; i++) {
            writeback.written(EarlyWriteback.EVERY);
        }
        release.countDown();
        writeback.finish();
        assertEquals(1, sync.syncs.get(), "a slow disk gets one sync at a time per file, not a queue of them");
    }

    @Test
    void aFailedBackgroundSyncIsReportedByFinish() throws IOException {
        IOException diskError = new IOException("Input/output error");
        EarlyWriteback writeback = new EarlyWriteback(new CountingSync(null, diskError));
        writeback.written(EarlyWriteback.EVERY);
        IOException reported = assertThrows(IOException.class, writeback::finish);
        assertSame(diskError, reported, "Linux tells a write-back error to one sync only: this one must not swallow it");
    }

    @Test
    void aFailedBackgroundSyncIsReportedByTheNextWriteToo() throws Exception {
        IOException diskError = new IOException("No space left on device");
        CountingSync sync = new CountingSync(null, diskError);
        EarlyWriteback writeback = new EarlyWriteback(sync);
        writeback.written(EarlyWriteback.EVERY);
        sync.failed.await(10, TimeUnit.SECONDS);
        IOException reported = null;
        for (int i = 0; i < 1000 && reported == null; i++) { // the future completes just after the sync threw
            try {
                writeback.written(EarlyWriteback.EVERY);
                Thread.sleep(1);
            } catch (IOException e) {
                reported = e;
            }
        }
        assertSame(diskError, reported);
    }

    /**
     * A download that failed abandons its file: the sync still writing it must end before the file is
     * deleted or reused, and its own failure is not news to a user already told why the download failed.
     */
    @Test
    void abandonReturnsOnlyOnceTheRunningSyncHasEndedAndKeepsQuietAboutItsFailure() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        CountingSync sync = new CountingSync(release, new IOException("gone"));
        EarlyWriteback writeback = new EarlyWriteback(sync);
        writeback.written(EarlyWriteback.EVERY);
        assertTrue(sync.started.await(10, TimeUnit.SECONDS), "a background sync started");
        try (BackgroundCall<Boolean> abandon = BackgroundCall.start("abandon", () -> {
            writeback.abandon();
            return sync.ended.getCount() == 0; // whether the sync had ended when abandon returned
        })) {
            // the sync is held back: an abandon that does not wait for it has returned by now
            abandon.awaitWaitingOrDone();
            release.countDown();
            // result() throws again whatever abandon threw: it must throw nothing
            assertTrue(abandon.result(), "abandon returned while the sync was still writing the file");
        } finally {
            release.countDown();
        }
        assertEquals(1, sync.syncs.get());
    }

    /** Counts syncs; a sync may wait for a latch, then fail. Latches tell when the first sync starts and ends. */
    private static final class CountingSync implements EarlyWriteback.DataSync {
        final AtomicInteger syncs = new AtomicInteger();
        final CountDownLatch started = new CountDownLatch(1);
        final CountDownLatch ended = new CountDownLatch(1);
        final CountDownLatch failed = new CountDownLatch(1);
        private final CountDownLatch release;
        private final IOException failure;

        CountingSync(CountDownLatch release, IOException failure) {
            this.release = release;
            this.failure = failure;
        }

        @Override
        public void sync() throws IOException {
            syncs.incrementAndGet();
            started.countDown();
            try {
                if (release != null) {
                    release.await(10, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                ended.countDown();
            }
            if (failure != null) {
                failed.countDown();
                throw failure;
            }
        }
    }
}
