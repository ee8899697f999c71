package io.github.frozenimages.images.core.output;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Locale;
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
        write(tree, archive, java.time.Instant.EPOCH);
    }

    /**
     * @param entryTime the time every entry carries: {@code project.build.outputTimestamp} for a reproducible
     *                  build, the epoch otherwise, never the time of the build
     */
    public static void write(Path tree, Path archive, java.time.Instant entryTime) throws IOException {
        Path target = archive.toAbsolutePath().normalize();
        Files.createDirectories(target.getParent());
        Path temp = Files.createTempFile(target.getParent(), "." + target.getFileName() + "-", ".partial");
        boolean done = false;
        try {
            try (OutputStream file = new BufferedOutputStream(Files.newOutputStream(temp), 1 << 16);
                 OutputStream body = isGzip(target) ? gzip(file) : file) {
                TarStreamWriter.write(tree, body, entryTime);
            }
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            done = true;
            writeChecksum(target);
        } finally {
            if (!done) {
                Files.deleteIfExists(temp);
            }
        }
    }

    /** {@code <archive>.sha256} in sha256sum's format, so {@code sha256sum -c} checks a copied bundle. */
    private static void writeChecksum(Path archive) throws IOException {
        java.security.MessageDigest md;
        try {
            md = java.security.MessageDigest.getInstance("SHA-256");
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        try (java.io.InputStream in = Files.newInputStream(archive)) {
            byte[] buffer = new byte[1 << 16];
            int n;
            while ((n = in.read(buffer)) > 0) {
                md.update(buffer, 0, n);
            }
        }
        String line = java.util.HexFormat.of().formatHex(md.digest()) + "  " + archive.getFileName() + "\n";
        Files.writeString(archive.resolveSibling(archive.getFileName() + ".sha256"), line, java.nio.charset.StandardCharsets.US_ASCII);
    }

    private static OutputStream gzip(OutputStream out) throws IOException {
        GzipParameters parameters = new GzipParameters();
        parameters.setCompressionLevel(java.util.zip.Deflater.BEST_SPEED);
        parameters.setModificationTime(0);
        return new GzipCompressorOutputStream(out, parameters);
    }
}
