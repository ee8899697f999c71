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
    private final ConcurrentHashMap<String, ReentrantLock> threadLocks = new ConcurrentHashMap<>();

    BlobLocks(Path directory) {
        this.directory = directory;
    }

    /** A held lock; closing releases both levels. */
    interface Held extends AutoCloseable {
        @Override
        void close() throws IOException;
    }

    Held acquire(String key) throws IOException {
        ReentrantLock threadLock = threadLocks.computeIfAbsent(key, k -> new ReentrantLock());
        threadLock.lock();
        FileChannel channel = null;
        try {
            Files.createDirectories(directory);
            channel = FileChannel.open(directory.resolve(key + ".lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
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
