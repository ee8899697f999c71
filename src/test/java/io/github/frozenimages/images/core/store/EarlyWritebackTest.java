package io.github.frozenimages.images.core.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EarlyWritebackTest {

    @TempDir
    Path dir;

    @Test
    void aSyncStartsOnceEnoughBytesAreWrittenAndNotBefore() throws IOException {
        CountingChannel file = new CountingChannel(null, null);
        EarlyWriteback writeback = new EarlyWriteback(file);
        writeback.written(EarlyWriteback.EVERY - 1);
        writeback.finish();
        assertEquals(0, file.dataSyncs.get(), "fewer bytes than the threshold: no sync");
        writeback.written(1);
        writeback.finish();
        assertEquals(1, file.dataSyncs.get());
        writeback.written(EarlyWriteback.EVERY / 2);
        writeback.finish();
        assertEquals(1, file.dataSyncs.get(), "the count starts again after each sync");
    }

    @Test
    void noSecondSyncIsQueuedWhileOneRuns() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        CountingChannel file = new CountingChannel(release, null);
        EarlyWriteback writeback = new EarlyWriteback(file);
        for (int i = 0; i < 10; i++) {
            writeback.written(EarlyWriteback.EVERY);
        }
        release.countDown();
        writeback.finish();
        assertEquals(1, file.dataSyncs.get(), "a slow disk gets one sync at a time per file, not a queue of them");
    }

    @Test
    void aFailedBackgroundSyncIsReportedByFinish() throws IOException {
        IOException diskError = new IOException("Input/output error");
        EarlyWriteback writeback = new EarlyWriteback(new CountingChannel(null, diskError));
        writeback.written(EarlyWriteback.EVERY);
        IOException reported = assertThrows(IOException.class, writeback::finish);
        assertSame(diskError, reported, "Linux tells a write-back error to one sync only: this one must not swallow it");
    }

    @Test
    void aFailedBackgroundSyncIsReportedByTheNextWriteToo() throws Exception {
        IOException diskError = new IOException("No space left on device");
        CountingChannel file = new CountingChannel(null, diskError);
        EarlyWriteback writeback = new EarlyWriteback(file);
        writeback.written(EarlyWriteback.EVERY);
        file.failed.await(10, TimeUnit.SECONDS);
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

    @Test
    void abandonWaitsForTheSyncAndKeepsQuiet() throws IOException {
        EarlyWriteback writeback = new EarlyWriteback(new CountingChannel(null, new IOException("gone")));
        writeback.written(EarlyWriteback.EVERY);
        writeback.abandon(); // the download already failed for its own reason: that one is what the user reads
    }

    @Test
    void aRealFileIsSyncedWhileItIsWritten() throws IOException {
        Path path = dir.resolve("blob");
        byte[] chunk = new byte[1 << 20];
        try (FileChannel file = FileChannel.open(path, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            EarlyWriteback writeback = new EarlyWriteback(file);
            for (int i = 0; i < 40; i++) {
                file.write(ByteBuffer.wrap(chunk));
                writeback.written(chunk.length);
            }
            writeback.finish();
            file.force(true);
        }
        assertEquals(40L << 20, Files.size(path));
    }

    /** Counts data syncs; a sync may wait for a latch or fail. Nothing else is called by the class under test. */
    private static final class CountingChannel extends FileChannel {
        final AtomicInteger dataSyncs = new AtomicInteger();
        final CountDownLatch failed = new CountDownLatch(1);
        private final CountDownLatch release;
        private final IOException failure;

        CountingChannel(CountDownLatch release, IOException failure) {
            this.release = release;
            this.failure = failure;
        }

        @Override
        public void force(boolean metaData) throws IOException {
            if (metaData) {
                throw new AssertionError("the background sync writes data, not metadata");
            }
            dataSyncs.incrementAndGet();
            if (release != null) {
                try {
                    release.await(10, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            if (failure != null) {
                failed.countDown();
                throw failure;
            }
        }

        @Override
        public int read(ByteBuffer dst) {
            throw new UnsupportedOperationException();
        }

        @Override
        public long read(ByteBuffer[] dsts, int offset, int length) {
            throw new UnsupportedOperationException();
        }

        @Override
        public int write(ByteBuffer src) {
            throw new UnsupportedOperationException();
        }

        @Override
        public long write(ByteBuffer[] srcs, int offset, int length) {
            throw new UnsupportedOperationException();
        }

        @Override
        public long position() {
            throw new UnsupportedOperationException();
        }

        @Override
        public FileChannel position(long newPosition) {
            throw new UnsupportedOperationException();
        }

        @Override
        public long size() {
            throw new UnsupportedOperationException();
        }

        @Override
        public FileChannel truncate(long size) {
            throw new UnsupportedOperationException();
        }

        @Override
        public long transferTo(long position, long count, WritableByteChannel target) {
            throw new UnsupportedOperationException();
        }

        @Override
        public long transferFrom(ReadableByteChannel src, long position, long count) {
            throw new UnsupportedOperationException();
        }

        @Override
        public int read(ByteBuffer dst, long position) {
            throw new UnsupportedOperationException();
        }

        @Override
        public int write(ByteBuffer src, long position) {
            throw new UnsupportedOperationException();
        }

        @Override
        public MappedByteBuffer map(MapMode mode, long position, long size) {
            throw new UnsupportedOperationException();
        }

        @Override
        public FileLock lock(long position, long size, boolean shared) {
            throw new UnsupportedOperationException();
        }

        @Override
        public FileLock tryLock(long position, long size, boolean shared) {
            throw new UnsupportedOperationException();
        }

        @Override
        protected void implCloseChannel() {
        }
    }
}
