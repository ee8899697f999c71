package io.github.frozenimages.images.core.files;

import java.io.IOException;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * A write that failed because its file system is full (or the user's quota is spent), told in terms a user
 * can act on: the folder, the file being written, the bytes it still needed and those that were free, and the
 * setting that moves the folder elsewhere.
 */
public final class NoSpaceException extends IOException {

    private final Path folder;
    private final long needed;
    private final long free;

    private NoSpaceException(String message, Path folder, long needed, long free, IOException cause) {
        super(message, cause);
        this.folder = folder;
        this.needed = needed;
        this.free = free;
    }

    /**
     * {@code failure} as a NoSpaceException when the disk is what failed it, else {@code failure} itself.
     *
     * @param what         the file being written, as a message names it ("blob sha256:…")
     * @param folder       the folder the user chose (the cache, the output), not the file's own sub-folder
     * @param stillNeeded  the bytes the write had yet to put on the disk when it failed
     * @param whereToMove  the parameter that puts the folder elsewhere, as a message names it
     */
    public static IOException whenFull(IOException failure, String what, Path folder, Path file, long stillNeeded, String whereToMove) {
        if (failure instanceof NoSpaceException) {
            return failure;
        }
        long free = usableSpace(file);
        // the kernel's words (ENOSPC, EDQUOT) are what the JDK passes on; a file system that reports less room
        // than the write still needed is full too, whatever its error says
        boolean otherCause = failure instanceof java.nio.file.AccessDeniedException || failure instanceof java.nio.file.NoSuchFileException
                || failure instanceof java.nio.file.FileAlreadyExistsException;
        if (!saysFull(failure) && (otherCause || !(free >= 0 && stillNeeded > free))) {
            return failure;
        }
        String message = "the file system of " + folder + " is full: no room for " + what + " (it needed " + bytes(stillNeeded)
                + " more, " + (free < 0 ? "an unknown amount" : bytes(free)) + " free); free some space there, or move it with "
                + whereToMove;
        return new NoSpaceException(message, folder, stillNeeded, free, failure);
    }

    public Path folder() {
        return folder;
    }

    /** The bytes still to be written when the write failed. */
    public long needed() {
        return needed;
    }

    /** The bytes the file system had left for this user, or -1 when it would not say. */
    public long free() {
        return free;
    }

    /** Its message alone: callers that append a failure to their own words get no class name in the build log. */
    @Override
    public String toString() {
        return getMessage();
    }

    private static boolean saysFull(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            String text = t.getMessage();
            if (text != null && (text.contains("No space left on device") || text.contains("Disk quota exceeded"))) {
                return true;
            }
        }
        return false;
    }

    /** The room left where {@code file} is (or its nearest existing folder), or -1. */
    static long usableSpace(Path file) {
        Path p = file.toAbsolutePath();
        while (p != null && !Files.exists(p)) {
            p = p.getParent();
        }
        if (p == null) {
            return -1;
        }
        try {
            FileStore store = Files.getFileStore(p);
            return store.getUsableSpace();
        } catch (IOException e) {
            return -1;
        }
    }

    static String bytes(long n) {
        if (n < 1024) {
            return n + " bytes";
        }
        String[] units = {"KiB", "MiB", "GiB", "TiB"};
        double value = n;
        int unit = -1;
        while (value >= 1024 && unit < units.length - 1) {
            value /= 1024;
            unit++;
        }
        return String.format(Locale.ROOT, "%.1f %s (%d bytes)", value, units[unit], n);
    }
}
