package io.github.frozenimages.images.core.store;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.channels.FileChannel;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Has the disk write a blob's bytes while its download goes on, so that the sync that makes the blob durable
 * before it enters the cache finds little left to write.
 *
 * <p>Why: the kernel keeps written pages in memory until a sync, memory pressure or a 30 s expiry, so without
 * this every blob was written to disk at its very end, with its download thread standing still. For the
 * benchmark's 1 GiB image that was about 0.2 s per round of four blobs on this machine's disk, most of it on
 * the goal's critical path; a sync every {@link #EVERY} bytes on a background thread overlaps it with the
 * network instead.
 *
 * <p>Not thread-safe: one download thread feeds one instance; the syncs themselves run elsewhere.
 */
final class EarlyWriteback {

    /** Bytes written between two background syncs of one file. */
    static final long EVERY = 16L << 20;

    /** Two threads keep a queue for the disk while four downloads write; idle threads end after a few seconds. */
    private static final ThreadPoolExecutor SYNCS = syncThreads();

    private final DataSync sync;
    private long unsynced;
    private CompletableFuture<Void> pending = CompletableFuture.completedFuture(null);

    /** Syncs the file's data, not its metadata: the final sync of the blob writes both. */
    EarlyWriteback(FileChannel file) {
        this(() -> file.force(false));
    }

    EarlyWriteback(DataSync sync) {
        this.sync = sync;
    }

    /** Writes a file's data to disk; may run on another thread than the one writing the file. */
    @FunctionalInterface
    interface DataSync {
        void sync() throws IOException;
    }

    /** Counts bytes just written; past {@link #EVERY} starts a sync unless the previous one still runs. */
    void written(long n) throws IOException {
        unsynced += n;
        if (unsynced >= EVERY && pending.isDone()) {
            rethrowFailure(); // a failed sync is reported by that call alone: it must not go unheard
            unsynced = 0;
            pending = CompletableFuture.runAsync(this::syncData, SYNCS);
        }
    }

    /**
     * Waits for the sync in progress and reports its failure. Linux reports a write-back error to one sync
     * per open file only, so an error seen by a background sync would otherwise never reach the caller's
     * final sync on the same channel.
     */
    void finish() throws IOException {
        try {
            pending.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while the disk was writing the download");
        } catch (ExecutionException e) {
            throw asIoException(e.getCause());
        }
    }

    /** Waits for the sync in progress without a word about it: for a download that already failed. */
    void abandon() {
        try {
            pending.handle((ok, failure) -> null).get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException e) {
            throw new IllegalStateException("a handled future failed", e);
        }
    }

    private void rethrowFailure() throws IOException {
        if (pending.isCompletedExceptionally()) {
            finish();
        }
    }

    private void syncData() {
        try {
            sync.sync();
        } catch (IOException e) {
            throw new SyncFailed(e);
        }
    }

    private static IOException asIoException(Throwable cause) {
        if (cause instanceof SyncFailed failed) {
            return failed.getCause();
        }
        return cause instanceof IOException io ? io : new IOException("the disk could not write the download", cause);
    }

    private static ThreadPoolExecutor syncThreads() {
        AtomicInteger count = new AtomicInteger();
        ThreadPoolExecutor pool = new ThreadPoolExecutor(2, 2, 3, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), runnable -> {
            Thread t = new Thread(runnable, "images-writeback-" + count.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        pool.allowCoreThreadTimeOut(true);
        return pool;
    }

    /** Carries a sync's IOException through the future. */
    private static final class SyncFailed extends RuntimeException {
        SyncFailed(IOException cause) {
            super(cause);
        }

        @Override
        public synchronized IOException getCause() {
            return (IOException) super.getCause();
        }
    }
}
