package io.github.frozenimages.images.core.store;

import io.github.frozenimages.images.core.files.AtomicFile;
import io.github.frozenimages.images.core.files.Durability;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * When a build last used each blob, for pruning: one small file per blob whose modification time is the use.
 * Not the file system's access time, which is often off ({@code noatime}) or coarse ({@code relatime}). A stamp
 * is rewritten at most once a {@link #RESOLUTION}, so a warm build costs one stat per blob and writes nothing.
 */
final class UseStamps {

    /** How stale a stamp may get before a use renews it; pruning ages are counted in days, so a day is plenty. */
    static final Duration RESOLUTION = Duration.ofDays(1);

    private final Path directory;
    private final Clock clock;
    /** Blobs this store has seen fresh stamps for: looked at once per build. */
    private final Set<String> fresh = ConcurrentHashMap.newKeySet();

    UseStamps(Path directory) {
        this(directory, Clock.systemUTC());
    }

    UseStamps(Path directory, Clock clock) {
        this.directory = directory;
        this.clock = clock;
    }

    /** Records a use now, unless one was recorded within {@link #RESOLUTION}. Never fails the build. */
    void touch(String key) {
        if (fresh.contains(key)) {
            return;
        }
        Instant now = clock.instant();
        Path stamp = directory.resolve(key);
        try {
            Optional<Instant> last = lastUse(stamp);
            if (last.isEmpty() || Duration.between(last.get(), now).compareTo(RESOLUTION) >= 0) {
                // not synced: a stamp a crash loses only makes its blob look older to a prune
                AtomicFile.write(stamp, (now + "\n").getBytes(StandardCharsets.US_ASCII), Durability.UNSYNCED);
            }
            fresh.add(key);
        } catch (IOException e) {
            // a cache that cannot take the stamp still serves the blob; pruning then goes by the blob's own time
        }
    }

    /** When the blob was last used, if a stamp says so. */
    Optional<Instant> lastUse(String key) throws IOException {
        return lastUse(directory.resolve(key));
    }

    void forget(String key) throws IOException {
        fresh.remove(key);
        Files.deleteIfExists(directory.resolve(key));
    }

    Path directory() {
        return directory;
    }

    private static Optional<Instant> lastUse(Path stamp) throws IOException {
        try {
            return Optional.of(Files.getLastModifiedTime(stamp).toInstant());
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
    }
}
