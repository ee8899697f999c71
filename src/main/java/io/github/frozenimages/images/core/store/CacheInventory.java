package io.github.frozenimages.images.core.store;

import io.github.frozenimages.images.core.ref.Digest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * What one cache folder holds: its blobs, their bytes, and when the least recently used one was last used.
 *
 * @param oldestUse the last use of the blob no build has used for the longest, if the cache holds any
 */
public record CacheInventory(Path folder, int blobs, long bytes, Optional<Instant> oldestUse) {

    public static CacheInventory of(Path folder) throws IOException {
        return of(new BlobStore(folder));
    }

    static CacheInventory of(BlobStore store) throws IOException {
        List<CachePruner.Blob> all = blobs(store);
        return new CacheInventory(store.root(), all.size(), all.stream().mapToLong(CachePruner.Blob::bytes).sum(),
                all.stream().map(CachePruner.Blob::lastUse).min(Comparator.naturalOrder()));
    }

    /** Every complete blob of the folder with its size and last use; files that are not blobs are left out. */
    static List<CachePruner.Blob> blobs(BlobStore store) throws IOException {
        List<CachePruner.Blob> found = new ArrayList<>();
        for (Path file : files(store, false)) {
            Digest digest;
            try {
                digest = Digest.parse(file.getParent().getFileName() + ":" + file.getFileName());
            } catch (IllegalArgumentException e) {
                continue; // not named like a blob: not the store's
            }
            try {
                found.add(new CachePruner.Blob(digest, Files.size(file), store.lastUse(digest)));
            } catch (NoSuchFileException e) {
                // removed meanwhile, by a prune or a build that found it damaged
            }
        }
        return found;
    }

    /** The partial files of downloads that a failed or killed build left. */
    static List<Path> partials(BlobStore store) throws IOException {
        return files(store, true);
    }

    private static List<Path> files(BlobStore store, boolean partials) throws IOException {
        Path blobs = store.root().resolve("blobs");
        if (!Files.isDirectory(blobs)) {
            return List.of();
        }
        List<Path> found = new ArrayList<>();
        try (Stream<Path> algorithms = Files.list(blobs)) {
            for (Path algorithm : algorithms.filter(Files::isDirectory).toList()) {
                try (Stream<Path> files = Files.list(algorithm)) {
                    files.filter(f -> {
                        String name = f.getFileName().toString();
                        return partials ? name.startsWith(".") && name.endsWith(".partial") : !name.startsWith(".");
                    }).filter(f -> Files.isRegularFile(f, java.nio.file.LinkOption.NOFOLLOW_LINKS)).forEach(found::add);
                }
            }
        }
        return found;
    }
}
