package io.github.frozenimages.images.testing;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** SHA-256 digests in the {@code sha256:<hex>} form that registries and image formats use. */
public final class Sha256 {

    private Sha256() {
    }

    /** {@code "sha256:" + hex(sha256(bytes))}. */
    public static String digest(byte[] bytes) {
        return "sha256:" + hex(bytes);
    }

    /** The lowercase hex of the SHA-256 of {@code bytes}, without the algorithm prefix. */
    public static String hex(byte[] bytes) {
        return HexFormat.of().formatHex(newDigest().digest(bytes));
    }

    /** The hex part of a {@code sha256:<hex>} digest. */
    public static String hexOf(String digest) {
        if (!digest.startsWith("sha256:") || digest.length() != 71) {
            throw new IllegalArgumentException("not a sha256 digest: " + digest);
        }
        return digest.substring("sha256:".length());
    }

    static MessageDigest newDigest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM must provide SHA-256", e);
        }
    }
}
