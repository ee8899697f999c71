package io.github.frozenimages.images.core.store;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Which of the configured cache folders takes new blobs and which are only read: the first one that can be
 * written takes them; the others, and any that cannot be written (a read-only mount, a CI cache restored
 * read-only, a shared volume without write permission), still serve the blobs they hold. When none can be
 * written, a fallback folder of the build's own takes the new blobs.
 *
 * @param writable    where new blobs, stamps and tag records go
 * @param readOnly    the other folders, read in the order given
 * @param fellBack    why the fallback was taken (the folders that could not be written and what refused), if it was
 */
public record CacheFolders(Path writable, List<Path> readOnly, Optional<String> fellBack) {

    public CacheFolders {
        readOnly = List.copyOf(readOnly);
    }

    /** One folder, written to as it is; for a caller (a test, the lock goal) that knows it can. */
    public static CacheFolders of(Path folder) {
        return new CacheFolders(folder, List.of(), Optional.empty());
    }

    /**
     * Tries each configured folder for writing, by creating it and a file in it (a permission check would
     * not see a read-only mount, and root passes every permission check).
     */
    public static CacheFolders choose(List<Path> configured, Path fallback) {
        return choose(configured, () -> fallback);
    }

    /** @param fallback asked for only when no configured folder can be written */
    public static CacheFolders choose(List<Path> configured, java.util.function.Supplier<Path> fallback) {
        if (configured.isEmpty()) {
            throw new IllegalArgumentException("no cache folder is configured");
        }
        Path writable = null;
        List<Path> readOnly = new ArrayList<>();
        List<String> refused = new ArrayList<>();
        for (Path folder : configured) {
            Path absolute = folder.toAbsolutePath().normalize();
            if (writable != null) {
                readOnly.add(absolute);
                continue;
            }
            Optional<String> problem = whyNotWritable(absolute);
            if (problem.isEmpty()) {
                writable = absolute;
            } else {
                refused.add(absolute + " (" + problem.get() + ")");
                readOnly.add(absolute);
            }
        }
        if (writable != null) {
            return new CacheFolders(writable, readOnly, Optional.empty());
        }
        Path absoluteFallback = fallback.get().toAbsolutePath().normalize();
        return new CacheFolders(absoluteFallback, readOnly, Optional.of("the cache " + String.join(", ", refused)
                + " cannot be written: the blobs it holds are used and verified as usual, and what it lacks is downloaded into "
                + absoluteFallback));
    }

    private static Optional<String> whyNotWritable(Path folder) {
        try {
            Files.createDirectories(folder);
            Path probe = Files.createTempFile(folder, ".write-probe-", "");
            Files.delete(probe);
            return Optional.empty();
        } catch (IOException | UnsupportedOperationException | SecurityException e) {
            String reason = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
            // the JDK puts the path before the reason: the message names the folder already
            int colon = reason.lastIndexOf(": ");
            return Optional.of(colon >= 0 ? reason.substring(colon + 2) : e instanceof java.nio.file.AccessDeniedException
                    ? "permission denied" : reason);
        }
    }
}
