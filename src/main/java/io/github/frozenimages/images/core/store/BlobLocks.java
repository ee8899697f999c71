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

    Held acquire(String key) throws IOException {
        Files.createDirectories(directory);
        Path file = directory.toRealPath().resolve(key + ".lock");
        ReentrantLock threadLock = THREAD_LOCKS.computeIfAbsent(file, k -> new ReentrantLock());
        threadLock.lock();
        FileChannel channel = null;
        try {
            channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            FileLock fileLock = channel.lock();
            FileChannel opened = channel;
            return () -> {
                try {
                    fileLock.release();
                    opened.close();
                } finally {
                    threadLock.unlock();
                }
            };
        } catch (IOException | RuntimeException e) {
            if (channel != null) {
                channel.close();
            }
            threadLock.unlock();
            throw e;
        }
    }
}
