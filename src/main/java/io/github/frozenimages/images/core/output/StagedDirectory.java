package io.github.frozenimages.images.core.output;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;

/**
 * Builds an output folder beside its final place and swaps it in only when complete, so that a failed
 * or killed build never leaves a half-written tree under the final name, and nothing of an earlier run
 * lingers in it.
 */
public final class StagedDirectory {

    /** Writes the content of a folder. */
    @FunctionalInterface
    public interface Content {
        void writeTo(Path directory) throws IOException;
    }

    private StagedDirectory() {
    }

    public static void replace(Path target, Content content) throws IOException {
        Path absolute = target.toAbsolutePath().normalize();
        Path parent = absolute.getParent();
        Files.createDirectories(parent);
        Path staging = Files.createTempDirectory(parent, "." + absolute.getFileName() + "-new-");
        Path old = null;
        try {
            content.writeTo(staging);
            if (Files.exists(absolute, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                old = parent.resolve("." + absolute.getFileName() + "-old-" + Long.toHexString(System.nanoTime()));
                Files.move(absolute, old, StandardCopyOption.ATOMIC_MOVE);
            }
            Files.move(staging, absolute, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException | RuntimeException | Error e) {
            // the staged tree goes, so a full disk gets its room back; a failure to delete it must not hide
            // why the write failed, which is what the user needs to read
            try {
                if (old != null && !Files.exists(absolute, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                    Files.move(old, absolute, StandardCopyOption.ATOMIC_MOVE); // the last good output back under its name
                }
                deleteTree(staging);
            } catch (IOException cleanup) {
                e.addSuppressed(cleanup);
            }
            throw e;
        }
        if (old != null) {
            deleteTree(old);
        }
    }

    /** Deletes a tree without following symbolic links out of it. */
    public static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        Files.walkFileTree(root, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Files.delete(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path dir, IOException exc) throws IOException {
                if (exc != null) {
                    throw exc;
                }
                Files.delete(dir);
                return FileVisitResult.CONTINUE;
            }
        });
    }
}
