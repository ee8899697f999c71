package io.github.frozenimages.images.core.files;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Writes a whole file so that whoever reads it, during the write or after a failure, finds the old file or
 * the complete new one, never a part: the bytes go to a hidden file of a unique name in the target's own
 * directory, which is then renamed over the target in one step. On any failure that file is deleted and the
 * target is left exactly as it was. The target's directory is created if it is missing.
 *
 * <p>The temporary file is created like any new file (the process's default permissions), so the target
 * ends up with the permissions a plain write would give it.
 */
public final class AtomicFile {

    /** Writes the new file's bytes. */
    @FunctionalInterface
    public interface Content {

        /**
         * @param out the new file; closing it (as a gzip or tar stream does when it is closed) only flushes
         *            it, so a caller may wrap it in streams that close what they wrap
         */
        void writeTo(OutputStream out) throws IOException;
    }

    /** Moves the written file over the target; a seam so that a test can stand for a file system without atomic renames. */
    @FunctionalInterface
    interface Rename {
        void move(Path source, Path target) throws IOException;
    }

    /** Names are random, so a clash means another writer's file of the same moment: a few tries are plenty. */
    private static final int NAME_ATTEMPTS = 16;

    private static final Rename ATOMIC = (source, target) ->
            Files.move(source, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);

    private AtomicFile() {
    }

    /** Replaces {@code target} with exactly {@code bytes}. */
    public static void write(Path target, byte[] bytes, Durability durability) throws IOException {
        write(target, durability, out -> out.write(bytes));
    }

    /** Replaces {@code target} with what {@code content} writes, streamed to disk as it is written. */
    public static void write(Path target, Durability durability, Content content) throws IOException {
        write(target, durability, content, ATOMIC);
    }

    static void write(Path target, Durability durability, Content content, Rename rename) throws IOException {
        Path file = target.toAbsolutePath();
        Path directory = file.getParent();
        Files.createDirectories(directory);
        Path temp = null;
        try {
            FileChannel channel = null;
            for (int attempt = 1; channel == null; attempt++) {
                Path candidate = directory.resolve("." + file.getFileName() + "." + Long.toHexString(ThreadLocalRandom.current().nextLong()) + ".tmp");
                try {
                    // CREATE_NEW: never writes through a file or link that is already there
                    channel = FileChannel.open(candidate, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
                    temp = candidate;
                } catch (FileAlreadyExistsException e) {
                    if (attempt == NAME_ATTEMPTS) {
                        throw e;
                    }
                }
            }
            try (FileChannel written = channel) {
                OutputStream out = new KeptOpen(Channels.newOutputStream(written));
                content.writeTo(out);
                out.flush();
                if (durability == Durability.SYNCED) {
                    // data and size both: the rename must not reach the disk ahead of either
                    written.force(true);
                }
            }
            // No sync of the directory after the rename: a crash that loses the rename leaves the old file,
            // which is one of the two states a reader may find.
            moveInPlace(temp, file, rename);
        } catch (Throwable e) {
            if (temp != null) {
                try {
                    Files.deleteIfExists(temp);
                } catch (IOException cleanup) {
                    e.addSuppressed(cleanup);
                }
            }
            throw e;
        }
    }

    /**
     * Where the file system cannot rename atomically, the write fails and the target stays as it was; there
     * is no fallback to a plain move. Within one directory the JDK reports this only where a rename cannot be
     * done at all, and its plain move then deletes the target and copies the new bytes in: a reader could find
     * no file or part of one, and a failure halfway would lose the old file, the very states this class
     * exists to rule out. The blob store refuses such a cache folder in the same way.
     */
    private static void moveInPlace(Path temp, Path file, Rename rename) throws IOException {
        try {
            rename.move(temp, file);
        } catch (AtomicMoveNotSupportedException e) {
            throw new IOException("cannot write " + file + ": the folder " + file.getParent() + " does not support atomic renames", e);
        }
    }

    /** Lets the caller's streams close what they wrap while the file stays open for its sync. */
    private static final class KeptOpen extends FilterOutputStream {

        KeptOpen(OutputStream out) {
            super(out);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len); // FilterOutputStream would pass it on one byte at a time
        }

        @Override
        public void close() throws IOException {
            flush();
        }
    }
}
