package io.github.frozenimages.images.core.store;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Which blobs builds are using right now, so that a prune beside them leaves those alone: a build takes a
 * shared lock on {@code locks/<blob>.use} before it trusts a cached blob, and keeps it until its store is
 * closed, after the output is written; a prune takes that file's lock exclusively, or passes the blob over.
 * Apart from the download lock ({@code <blob>.lock}), so that using and downloading never wait for each other.
 *
 * <p>The OS lock is taken once per JVM and file and counted here, because one JVM may hold only one lock on a
 * file: every module of {@code mvn -T} shares it, and a prune in the same JVM sees the count.
 */
final class BlobLeases {

    /** A prune holds a blob's lock only while it deletes a few files: a lease waits for it that long at most. */
    static final long MAX_WAIT_MILLIS = 60_000;

    /** Lock file to its OS lock and the number of leases on it in this JVM; -1 while a prune of this JVM holds it. */
    private static final Map<Path, Shared> HELD = new HashMap<>();

    private static final class Shared {
        final FileChannel channel;
        final FileLock lock;
        int count;

        Shared(FileChannel channel, FileLock lock, int count) {
            this.channel = channel;
            this.lock = lock;
            this.count = count;
        }
    }

    private final Path directory;
    private final Set<Path> mine = ConcurrentHashMap.newKeySet();
    /** The folder's real path, the key of {@link #HELD}, found on the first lease. */
    private volatile Path realDirectory;

    BlobLeases(Path directory) {
        this.directory = directory;
    }

    /** Marks the blob as used by this store, once; waits while a prune deletes it. */
    void lease(String key) throws IOException {
        Path file = fileOf(key);
        if (mine.contains(file)) {
            return;
        }
        long deadline = System.currentTimeMillis() + MAX_WAIT_MILLIS;
        long pause = 2;
        while (!tryShared(file)) {
            if (System.currentTimeMillis() > deadline) {
                throw new IOException("a prune has held " + file + " for over " + MAX_WAIT_MILLIS / 1000 + " seconds");
            }
            try {
                Thread.sleep(pause);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("interrupted while waiting for " + file);
            }
            pause = Math.min(pause * 2, 50);
        }
        if (!mine.add(file)) {
            release(file); // another thread of this store leased it meanwhile: one count per store
        }
    }

    /** Ends every lease of this store. */
    void releaseAll() {
        for (Path file : mine) {
            mine.remove(file);
            release(file);
        }
    }

    /** For a prune: the blob's use lock held exclusively, or empty when a build uses the blob. */
    Optional<BlobLocks.Held> tryExclusive(String key) throws IOException {
        Path file = fileOf(key);
        synchronized (HELD) {
            if (HELD.containsKey(file)) {
                return Optional.empty();
            }
            FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
            FileLock lock;
            try {
                lock = channel.tryLock();
            } catch (IOException | RuntimeException e) {
                channel.close();
                throw e;
            }
            if (lock == null) {
                channel.close();
                return Optional.empty();
            }
            HELD.put(file, new Shared(channel, lock, -1));
        }
        return Optional.of(() -> {
            synchronized (HELD) {
                Shared held = HELD.remove(file);
                try {
                    held.lock.release();
                } finally {
                    held.channel.close();
                }
            }
        });
    }

    private boolean tryShared(Path file) throws IOException {
        synchronized (HELD) {
            Shared held = HELD.get(file);
            if (held != null) {
                if (held.count < 0) {
                    return false; // a prune of this JVM
                }
                held.count++;
                return true;
            }
            FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
            FileLock lock;
            try {
                lock = channel.tryLock(0, Long.MAX_VALUE, true);
            } catch (IOException | RuntimeException e) {
                channel.close();
                throw e;
            }
            if (lock == null) {
                channel.close();
                return false; // a prune of another process
            }
            HELD.put(file, new Shared(channel, lock, 1));
            return true;
        }
    }

    private static void release(Path file) {
        synchronized (HELD) {
            Shared held = HELD.get(file);
            if (held == null || held.count <= 0) {
                return;
            }
            if (--held.count == 0) {
                HELD.remove(file);
                try {
                    held.lock.release();
                    held.channel.close();
                } catch (IOException e) {
                    // closing the channel ends the lock in any case
                }
            }
        }
    }

    private Path fileOf(String key) throws IOException {
        Path real = realDirectory;
        if (real == null) {
            Files.createDirectories(directory);
            real = directory.toRealPath();
            realDirectory = real;
        }
        return real.resolve(key + ".use");
    }
}
