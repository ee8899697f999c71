package io.github.frozenimages.images.core.output;

import io.github.frozenimages.images.core.files.AtomicFile;
import io.github.frozenimages.images.core.files.Durability;
import io.github.frozenimages.images.core.files.NoSpaceException;
import io.github.frozenimages.images.core.ref.Digest;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
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
        // hashed as it is written, so the checksum costs no second read of a possibly large archive
        MessageDigest sha256 = Digest.sha256Hasher();
        // synced: a later build whose tree is unchanged keeps an archive that is there without reading it, so
        // one that a crash left short would be kept build after build
        try {
            AtomicFile.write(target, Durability.SYNCED, out -> {
                try (OutputStream file = new BufferedOutputStream(new DigestOutputStream(out, sha256), 1 << 16);
                     OutputStream body = isGzip(target) ? gzip(file) : file) {
                    TarStreamWriter.write(tree, body, entryTime);
                }
            });
            writeChecksum(target, Digest.of(Digest.SHA256, sha256.digest()));
        } catch (IOException e) {
            // the half-written archive is gone by now, so its whole size is what the file system lacked
            throw NoSpaceException.whenFull(e, "the archive " + target.getFileName(), target.getParent(), target, treeBytes(tree),
                    "<archive> or -Dimages.archive");
        }
    }

    /** About the size of the tar of a tree: its files' bytes; the headers add little, gzip takes some off. */
    private static long treeBytes(Path tree) {
        try (java.util.stream.Stream<Path> files = java.nio.file.Files.walk(tree)) {
            return files.filter(java.nio.file.Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
        } catch (IOException | java.io.UncheckedIOException e) {
            return 0;
        }
    }

    /** {@code <archive>.sha256} in sha256sum's format, so {@code sha256sum -c} checks a copied bundle. */
    private static void writeChecksum(Path archive, Digest digest) throws IOException {
        String line = digest.hex() + "  " + archive.getFileName() + "\n";
        // as durable as the archive it describes, and never seen half-written by a sha256sum -c
        AtomicFile.write(archive.resolveSibling(archive.getFileName() + ".sha256"), line.getBytes(StandardCharsets.US_ASCII),
                Durability.SYNCED);
    }

    private static OutputStream gzip(OutputStream out) throws IOException {
        GzipParameters parameters = new GzipParameters();
        parameters.setCompressionLevel(java.util.zip.Deflater.BEST_SPEED);
        parameters.setModificationTime(0);
        return new GzipCompressorOutputStream(out, parameters);
    }
}
