package io.github.frozenimages.images.core.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.frozenimages.images.core.ref.Digest;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Random;
import java.util.zip.GZIPOutputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The uncompressed digest of a schema 1 layer: the diff id its converted config lists, which must match what a runtime unpacks. */
class LayerDiffIdTest {

    @TempDir
    Path dir;

    /** A tar of one file, as a layer that adds it. */
    private static byte[] tar(String name, byte[] content) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (TarArchiveOutputStream tar = new TarArchiveOutputStream(out)) {
            TarArchiveEntry entry = new TarArchiveEntry(name);
            entry.setSize(content.length);
            entry.setModTime(1_464_775_200_000L);
            tar.putArchiveEntry(entry);
            tar.write(content);
            tar.closeArchiveEntry();
        }
        return out.toByteArray();
    }

    private static byte[] gzip(byte[] content) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gzip = new GZIPOutputStream(out)) {
            gzip.write(content);
        }
        return out.toByteArray();
    }

    /** The expected diff id, computed here without the code under test. */
    private static Digest sha256(byte[] content) throws NoSuchAlgorithmException {
        byte[] hash = MessageDigest.getInstance("SHA-256").digest(content);
        return Digest.parse("sha256:" + HexFormat.of().formatHex(hash));
    }

    private Path blob(String name, byte[] content) throws IOException {
        return Files.write(dir.resolve(name), content);
    }

    private static byte[] layerTar() throws IOException {
        byte[] content = new byte[300_000];
        new Random(42).nextBytes(content); // larger than the reader's buffer, and not compressible
        return tar("etc/first.txt", content);
    }

    @Test
    void plainTarIsHashedAsItIs() throws Exception {
        byte[] tar = layerTar();
        LayerDiffId id = LayerDiffId.of(blob("plain", tar));
        assertEquals(sha256(tar), id.diffId());
        assertFalse(id.gzip());
        assertFalse(id.allZero());
    }

    @Test
    void gzipLayerIsHashedUncompressed() throws Exception {
        byte[] tar = layerTar();
        byte[] gz = gzip(tar);
        LayerDiffId id = LayerDiffId.of(blob("gzip", gz));
        assertEquals(sha256(tar), id.diffId());
        assertNotEquals(sha256(gz), id.diffId(), "the diff id is not the blob's own digest");
        assertTrue(id.gzip());
        assertFalse(id.allZero());
    }

    @Test
    void gzipAndPlainTarOfOneLayerGiveOneDiffId() throws Exception {
        byte[] tar = tar("etc/second.txt", "second layer\n".getBytes(StandardCharsets.UTF_8));
        assertEquals(LayerDiffId.of(blob("plain", tar)).diffId(), LayerDiffId.of(blob("gzip", gzip(tar))).diffId());
    }

    @Test
    void emptyTarIsAllZero() throws Exception {
        // Docker's empty layer: just the two zero blocks that end a tar
        byte[] empty = new byte[1024];
        LayerDiffId plain = LayerDiffId.of(blob("plain", empty));
        assertEquals(sha256(empty), plain.diffId());
        assertTrue(plain.allZero());
        LayerDiffId gzip = LayerDiffId.of(blob("gzip", gzip(empty)));
        assertEquals(sha256(empty), gzip.diffId());
        assertTrue(gzip.gzip());
        assertTrue(gzip.allZero());
    }

    @Test
    void tarWithAnEmptyFileIsNotAllZero() throws Exception {
        // a header is not zero even when the file is: this layer adds something
        byte[] tar = tar("etc/empty", new byte[0]);
        LayerDiffId id = LayerDiffId.of(blob("plain", tar));
        assertFalse(id.allZero());
        assertEquals(sha256(tar), id.diffId());
    }

    @Test
    void nonZeroByteAfterTheFirstBufferIsSeen() throws Exception {
        // zeros for longer than one read, then one byte that is not: not empty
        byte[] content = new byte[600_000];
        content[content.length - 1] = 1;
        LayerDiffId id = LayerDiffId.of(blob("gzip", gzip(content)));
        assertFalse(id.allZero());
        assertEquals(sha256(content), id.diffId());
    }

    @Test
    void multiMemberGzipIsReadToTheEnd() throws Exception {
        // pigz and concatenated gzip files give several members; the layer is all of them
        byte[] tar = layerTar();
        int half = tar.length / 2;
        byte[] first = gzip(Arrays.copyOfRange(tar, 0, half));
        byte[] second = gzip(Arrays.copyOfRange(tar, half, tar.length));
        byte[] both = Arrays.copyOf(first, first.length + second.length);
        System.arraycopy(second, 0, both, first.length, second.length);
        LayerDiffId id = LayerDiffId.of(blob("members", both));
        assertEquals(sha256(tar), id.diffId());
        assertTrue(id.gzip());
    }

    @Test
    void truncatedGzipIsRefused() throws Exception {
        byte[] gz = gzip(layerTar());
        Path blob = blob("truncated", Arrays.copyOf(gz, gz.length / 2));
        assertThrows(IOException.class, () -> LayerDiffId.of(blob));
    }

    @ParameterizedTest
    @CsvSource({
            "zstd,  28b52ffd0058",
            "bzip2, 425a68393141",
            "xz,    fd377a585a00",
    })
    void otherCompressionsAreRefused(String kind, String magic) throws IOException {
        byte[] content = Arrays.copyOf(HexFormat.of().parseHex(magic), 4096);
        Path blob = blob(kind, content);
        IOException e = assertThrows(IOException.class, () -> LayerDiffId.of(blob));
        assertTrue(e.getMessage().contains(kind + "-compressed"), e.getMessage());
    }

    @Test
    void shortBlobIsReadAsPlain() throws Exception {
        // fewer bytes than any magic number: nothing to mistake it for
        byte[] content = {0x1f};
        LayerDiffId id = LayerDiffId.of(blob("short", content));
        assertFalse(id.gzip());
        assertEquals(sha256(content), id.diffId());
    }
}
