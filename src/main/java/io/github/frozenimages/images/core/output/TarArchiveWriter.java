package io.github.frozenimages.images.core.output;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorOutputStream;
import org.apache.commons.compress.compressors.gzip.GzipParameters;

/**
 * Streams an output tree into one tarball for {@code docker load -i} and {@code podman load -i}: entries in
 * sorted order with fixed owner, modes and times, so the same tree always gives the same bytes. Gzip for
 * names ending in {@code .tar.gz} or {@code .tgz}, at the fastest level: the layers inside are already compressed.
 */
public final class TarArchiveWriter {

    private TarArchiveWriter() {
    }

    public static boolean isGzip(Path archive) {
        String name = archive.getFileName().toString().toLowerCase(Locale.ROOT);
        return name.endsWith(".tar.gz") || name.endsWith(".tgz");
    }

    public static void write(Path tree, Path archive) throws IOException {
        Path target = archive.toAbsolutePath().normalize();
        Files.createDirectories(target.getParent());
        Path temp = Files.createTempFile(target.getParent(), "." + target.getFileName() + "-", ".partial");
        boolean done = false;
        try {
            try (OutputStream file = new BufferedOutputStream(Files.newOutputStream(temp), 1 << 16);
                 OutputStream body = isGzip(target) ? gzip(file) : file;
                 TarArchiveOutputStream tar = new TarArchiveOutputStream(body)) {
                tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
                tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
                for (Path p : sortedEntries(tree)) {
                    String name = tree.relativize(p).toString().replace('\\', '/');
                    boolean dir = Files.isDirectory(p);
                    TarArchiveEntry entry = new TarArchiveEntry(dir ? name + "/" : name);
                    entry.setMode(dir ? 040755 : 0100644);
                    entry.setUserId(0);
                    entry.setGroupId(0);
                    entry.setModTime(0);
                    if (!dir) {
                        entry.setSize(Files.size(p));
                    }
                    tar.putArchiveEntry(entry);
                    if (!dir) {
                        Files.copy(p, tar);
                    }
                    tar.closeArchiveEntry();
                }
                tar.finish();
            }
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            done = true;
        } finally {
            if (!done) {
                Files.deleteIfExists(temp);
            }
        }
    }

    private static OutputStream gzip(OutputStream out) throws IOException {
        GzipParameters parameters = new GzipParameters();
        parameters.setCompressionLevel(java.util.zip.Deflater.BEST_SPEED);
        parameters.setModificationTime(0);
        return new GzipCompressorOutputStream(out, parameters);
    }

    private static List<Path> sortedEntries(Path tree) throws IOException {
        try (Stream<Path> walk = Files.walk(tree)) {
            return walk.filter(p -> !p.equals(tree)).sorted().toList();
        }
    }
}
