package io.github.frozenimages.images.core.store;

import io.github.frozenimages.images.core.ref.Digest;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.zip.GZIPInputStream;

/**
 * The uncompressed digest of a layer blob in the store, for images whose manifest does not carry one
 * (schema 1). gzip and plain tar are what schema 1 layers are; anything else is refused rather than guessed.
 *
 * @param gzip    whether the blob is gzip-compressed (else a plain tar)
 * @param allZero whether the uncompressed stream is zero bytes only, as an empty tar is
 */
public record LayerDiffId(Digest diffId, boolean gzip, boolean allZero) {

    private static final int BUFFER = 256 * 1024;

    public static LayerDiffId of(Path blob) throws IOException {
        try (InputStream file = new BufferedInputStream(Files.newInputStream(blob), BUFFER)) {
            file.mark(6);
            byte[] magic = file.readNBytes(6);
            file.reset();
            boolean gzip = magic.length >= 2 && (magic[0] & 0xff) == 0x1f && (magic[1] & 0xff) == 0x8b;
            if (!gzip) {
                refuseOtherCompression(magic);
            }
            try (InputStream tar = gzip ? new GZIPInputStream(file, BUFFER) : file) {
                MessageDigest sha256 = Digest.sha256Hasher();
                byte[] buffer = new byte[BUFFER];
                boolean allZero = true;
                int n;
                while ((n = tar.read(buffer)) > 0) {
                    sha256.update(buffer, 0, n);
                    for (int i = 0; allZero && i < n; i++) {
                        allZero = buffer[i] == 0;
                    }
                }
                return new LayerDiffId(Digest.of(Digest.SHA256, sha256.digest()), gzip, allZero);
            }
        }
    }

    private static void refuseOtherCompression(byte[] m) throws IOException {
        String kind = null;
        if (m.length >= 4 && (m[0] & 0xff) == 0x28 && (m[1] & 0xff) == 0xb5 && (m[2] & 0xff) == 0x2f && (m[3] & 0xff) == 0xfd) {
            kind = "zstd";
        } else if (m.length >= 3 && m[0] == 'B' && m[1] == 'Z' && m[2] == 'h') {
            kind = "bzip2";
        } else if (m.length >= 6 && (m[0] & 0xff) == 0xfd && m[1] == '7' && m[2] == 'z' && m[3] == 'X' && m[4] == 'Z' && m[5] == 0) {
            kind = "xz";
        }
        if (kind != null) {
            throw new IOException("the layer is " + kind + "-compressed; a schema 1 layer is gzip or a plain tar");
        }
    }
}
