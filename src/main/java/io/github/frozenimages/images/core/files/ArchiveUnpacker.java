package io.github.frozenimages.images.core.files;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;

/**
 * Unpacks a bundle ({@code .tar} or {@code .tar.gz}, as {@code pull} writes its archive) into a folder, so it can
 * be pushed like an output tree. Only regular files and folders are taken, and only at names inside the folder:
 * links, devices and names that climb out ({@code ..}, absolute) are refused, whoever made the bundle.
 */
public final class ArchiveUnpacker {

    private ArchiveUnpacker() {
    }

    public static void unpack(Path archive, Path into) throws IOException {
        Path root = Files.createDirectories(into).toRealPath();
        try (InputStream file = new BufferedInputStream(Files.newInputStream(archive), 256 * 1024);
             InputStream plain = gzipped(archive) ? new GzipCompressorInputStream(file, true) : file;
             TarArchiveInputStream tar = new TarArchiveInputStream(plain)) {
            for (TarArchiveEntry entry = tar.getNextEntry(); entry != null; entry = tar.getNextEntry()) {
                Path target = root.resolve(entry.getName()).normalize();
                if (!target.startsWith(root) || entry.getName().startsWith("/")) {
                    throw new IOException(archive + " holds an entry outside its own folder: " + entry.getName());
                }
                if (entry.isDirectory()) {
                    Files.createDirectories(target);
                } else if (entry.isFile()) {
                    Files.createDirectories(target.getParent());
                    Files.copy(tar, target, StandardCopyOption.REPLACE_EXISTING);
                } else {
                    throw new IOException(archive + " holds " + entry.getName() + ", which is not a plain file or folder");
                }
            }
        }
    }

    private static boolean gzipped(Path archive) throws IOException {
        try (InputStream in = Files.newInputStream(archive)) {
            return in.read() == 0x1f && in.read() == 0x8b;
        }
    }
}
