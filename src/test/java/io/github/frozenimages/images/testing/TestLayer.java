package io.github.frozenimages.images.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.zip.GZIPOutputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

/**
 * A real filesystem layer: a tar of a few files whose content is derived from a seed string, either
 * gzipped or left as plain tar. The same seed and size always give the same tar, so digests can be
 * compared across runs (the gzip bytes additionally depend on the JDK's zlib, which is fixed per host).
 */
public final class TestLayer {

    /** Fixed timestamp for every tar entry, so the tar bytes do not depend on when the test ran. */
    static final Instant ENTRY_TIME = Instant.parse("2024-01-01T00:00:00Z");

    private final String seed;
    private final boolean gzipped;
    private final boolean zstd;
    private final byte[] tar;
    private final byte[] blob;

    private TestLayer(String seed, boolean gzipped, byte[] tar, byte[] blob) {
        this(seed, gzipped, false, tar, blob);
    }

    private TestLayer(String seed, boolean gzipped, boolean zstd, byte[] tar, byte[] blob) {
        this.seed = seed;
        this.gzipped = gzipped;
        this.zstd = zstd;
        this.tar = tar;
        this.blob = blob;
    }

    /** A zstd-compressed layer, compressed by the {@code zstd} command (Debian package zstd). */
    public static TestLayer zstd(String seed, int approxBytes) {
        byte[] tar = tarFor(seed, approxBytes);
        return new TestLayer(seed, false, true, tar, zstdBytes(tar));
    }

    /** A gzip-compressed layer whose files hold about {@code approxBytes} bytes in total. */
    public static TestLayer gzip(String seed, int approxBytes) {
        byte[] tar = tarFor(seed, approxBytes);
        return new TestLayer(seed, true, tar, gzipBytes(tar));
    }

    /** An uncompressed layer: the blob is the tar itself, so digest and diffId coincide. */
    public static TestLayer plain(String seed, int approxBytes) {
        byte[] tar = tarFor(seed, approxBytes);
        return new TestLayer(seed, false, tar, tar);
    }

    /** The bytes as stored in the registry. */
    public byte[] blob() {
        return blob.clone();
    }

    /** The uncompressed tar, which is what {@code diff_ids} hash and what docker-archives may contain. */
    public byte[] tar() {
        return tar.clone();
    }

    public String digest() {
        return Sha256.digest(blob);
    }

    public String diffId() {
        return Sha256.digest(tar);
    }

    public long size() {
        return blob.length;
    }

    public boolean gzipped() {
        return gzipped;
    }

    public String seed() {
        return seed;
    }

    public String mediaType(boolean oci) {
        if (zstd) {
            return MediaTypes.OCI_LAYER_ZSTD; // Docker has no zstd type of its own; engines take the OCI one in either manifest
        }
        if (oci) {
            return gzipped ? MediaTypes.OCI_LAYER_GZIP : MediaTypes.OCI_LAYER_TAR;
        }
        return gzipped ? MediaTypes.DOCKER_LAYER_GZIP : MediaTypes.DOCKER_LAYER_TAR;
    }

    /** The directory inside the layer that holds this layer's files; derived from the seed. */
    public String directory() {
        return directoryFor(seed);
    }

    private static String directoryFor(String seed) {
        return "fixture/" + seed.replaceAll("[^A-Za-z0-9._-]", "_");
    }

    @Override
    public String toString() {
        return "TestLayer[" + seed + ", " + digest() + ", " + blob.length + " bytes]";
    }

    private static byte[] zstdBytes(byte[] tar) {
        try {
            java.nio.file.Path dir = java.nio.file.Files.createTempDirectory("zstd-layer");
            try {
                java.nio.file.Path in = java.nio.file.Files.write(dir.resolve("layer.tar"), tar);
                java.nio.file.Path out = dir.resolve("layer.tar.zst");
                ProcessRunner.runSuccessfully(java.time.Duration.ofSeconds(30), java.util.Map.of(), java.util.List.of(
                        Consumers.requireBinary("zstd"), "-q", "-f", "-o", out.toString(), in.toString()));
                return java.nio.file.Files.readAllBytes(out);
            } finally {
                try (java.util.stream.Stream<java.nio.file.Path> files = java.nio.file.Files.list(dir)) {
                    for (java.nio.file.Path f : files.toList()) {
                        java.nio.file.Files.delete(f);
                    }
                }
                java.nio.file.Files.delete(dir);
            }
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static byte[] tarFor(String seed, int approxBytes) {
        if (approxBytes < 0) {
            throw new IllegalArgumentException("approxBytes must not be negative: " + approxBytes);
        }
        String directory = directoryFor(seed);
        ByteArrayOutputStream out = new ByteArrayOutputStream(approxBytes + 8192);
        try (TarArchiveOutputStream tar = new TarArchiveOutputStream(out)) {
            tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
            addDirectory(tar, "fixture/");
            addDirectory(tar, directory + "/");
            addFile(tar, directory + "/seed.txt", (seed + "\n").getBytes(StandardCharsets.UTF_8));
            addFile(tar, directory + "/data.bin", pseudoRandomBytes(seed, approxBytes));
            tar.finish();
        } catch (IOException e) {
            throw new UncheckedIOException("building the tar of layer " + seed, e);
        }
        return out.toByteArray();
    }

    private static void addDirectory(TarArchiveOutputStream tar, String name) throws IOException {
        TarArchiveEntry entry = new TarArchiveEntry(name);
        stamp(entry, 040755);
        tar.putArchiveEntry(entry);
        tar.closeArchiveEntry();
    }

    private static void addFile(TarArchiveOutputStream tar, String name, byte[] content) throws IOException {
        TarArchiveEntry entry = new TarArchiveEntry(name);
        stamp(entry, 0100644);
        entry.setSize(content.length);
        tar.putArchiveEntry(entry);
        tar.write(content);
        tar.closeArchiveEntry();
    }

    private static void stamp(TarArchiveEntry entry, int mode) {
        entry.setMode(mode);
        entry.setModTime(java.util.Date.from(ENTRY_TIME));
        entry.setIds(0, 0);
        entry.setNames("root", "root");
    }

    /**
     * Incompressible bytes (SHA-256 in counter mode), so the gzip blob is about as large as asked and
     * different seeds never produce equal layers.
     */
    static byte[] pseudoRandomBytes(String seed, int length) {
        byte[] result = new byte[length];
        MessageDigest sha = Sha256.newDigest();
        byte[] seedBytes = seed.getBytes(StandardCharsets.UTF_8);
        int filled = 0;
        for (long counter = 0; filled < length; counter++) {
            sha.update(seedBytes);
            sha.update(Long.toString(counter).getBytes(StandardCharsets.US_ASCII));
            byte[] block = sha.digest();
            int n = Math.min(block.length, length - filled);
            System.arraycopy(block, 0, result, filled, n);
            filled += n;
        }
        return result;
    }

    private static byte[] gzipBytes(byte[] data) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(data.length + 1024);
        // java.util.zip writes a fixed header (mtime 0, no file name), unlike the gzip tool.
        try (GZIPOutputStream gzip = new GZIPOutputStream(out)) {
            gzip.write(data);
        } catch (IOException e) {
            throw new UncheckedIOException("gzipping a layer", e);
        }
        return out.toByteArray();
    }
}
