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
        boolean done = false;
        try {
            content.writeTo(staging);
            Path old = null;
            if (Files.exists(absolute, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                old = parent.resolve("." + absolute.getFileName() + "-old-" + Long.toHexString(System.nanoTime()));
                Files.move(absolute, old, StandardCopyOption.ATOMIC_MOVE);
            }
            Files.move(staging, absolute, StandardCopyOption.ATOMIC_MOVE);
            done = true;
            if (old != null) {
                deleteTree(old);
            }
        } finally {
            if (!done) {
                deleteTree(staging);
            }
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
