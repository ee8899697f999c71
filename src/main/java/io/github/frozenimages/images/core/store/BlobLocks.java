package io.github.frozenimages.images.core.store;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One lock per blob, held across threads of this JVM ({@code mvn -T}) and across processes (two builds
 * sharing the cache). The JVM lock is taken first because two threads of one JVM may not both call
 * {@link FileChannel#lock()} on one file. Lock files are never used as "exists" markers: only the OS lock counts.
 */
final class BlobLocks {

    private final Path directory;
    /**
     * JVM-wide, not per store: every pull (every module of {@code mvn -T}) makes its own store over the same cache,
     * and {@link FileChannel#lock()} throws {@link java.nio.channels.OverlappingFileLockException} when another
     * thread of the JVM holds or awaits the same file's lock. Keyed by the lock file's real path.
     */
    private static final ConcurrentHashMap<Path, ReentrantLock> THREAD_LOCKS = new ConcurrentHashMap<>();

    BlobLocks(Path directory) {
        this.directory = directory;
    }

    /** A held lock; closing releases both levels. */
    interface Held extends AutoCloseable {
        @Override
        void close() throws IOException;
    }

    /** Another build may hold a blob for as long as its download takes; beyond this it is taken to be stuck. */
    static final long MAX_WAIT_MILLIS = 60L * 60 * 1000;

    /**
     * Polls with {@link FileChannel#tryLock()} rather than blocking in {@link FileChannel#lock()}: the kernel
     * tracks POSIX locks per process, so two builds whose threads each hold one blob and wait for the other's
     * look deadlocked to it, and a blocking lock fails with "Resource deadlock avoided" although each thread
     * would finish its own blob and let the other go on.
     */
    private static FileLock waitFor(FileChannel channel, Path file) throws IOException {
        long deadline = System.currentTimeMillis() + MAX_WAIT_MILLIS;
        long pause = 5;
        while (true) {
            FileLock lock = channel.tryLock();
            if (lock != null) {
                return lock;
            }
            if (System.currentTimeMillis() > deadline) {
                throw new IOException("another build has held " + file + " for over " + MAX_WAIT_MILLIS / 60000 + " minutes");
            }
            try {
                Thread.sleep(pause);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new java.io.InterruptedIOException("interrupted while waiting for " + file);
            }
            pause = Math.min(pause * 2, 100);
        }
    }

    /** For a prune: the lock at once, or empty while a build (of any process) downloads the blob. */
    java.util.Optional<Held> tryAcquire(String key) throws IOException {
        Files.createDirectories(directory);
        Path file = directory.toRealPath().resolve(key + ".lock");
        ReentrantLock threadLock = THREAD_LOCKS.computeIfAbsent(file, k -> new ReentrantLock());
        if (!threadLock.tryLock()) {
            return java.util.Optional.empty();
        }
        if (threadLock.getHoldCount() > 1) {
            threadLock.unlock(); // this very thread holds it (the JVM lock is reentrant, the file lock is not)
            return java.util.Optional.empty();
        }
        FileChannel channel = null;
        try {
            channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            FileLock fileLock = channel.tryLock();
            if (fileLock == null) {
                channel.close();
                threadLock.unlock();
                return java.util.Optional.empty();
            }
            return java.util.Optional.of(held(fileLock, channel, threadLock));
        } catch (IOException | RuntimeException e) {
            if (channel != null) {
                channel.close();
            }
            threadLock.unlock();
            throw e;
        }
    }

    Held acquire(String key) throws IOException {
        Files.createDirectories(directory);
        Path file = directory.toRealPath().resolve(key + ".lock");
        ReentrantLock threadLock = THREAD_LOCKS.computeIfAbsent(file, k -> new ReentrantLock());
        threadLock.lock();
        FileChannel channel = null;
        try {
            channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            FileLock fileLock = waitFor(channel, file);
            return held(fileLock, channel, threadLock);
        } catch (IOException | RuntimeException e) {
            if (channel != null) {
                channel.close();
            }
            threadLock.unlock();
            throw e;
        }
    }

    /** A lock held in both ways, released file lock first, then the channel, then the thread's lock. */
    private static Held held(FileLock fileLock, FileChannel channel, ReentrantLock threadLock) {
        return () -> {
            try {
                fileLock.release();
                channel.close();
            } finally {
                threadLock.unlock();
            }
        };
    }
}
