package io.github.frozenimages.images.core.trust;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.InvalidKeyException;
import java.security.KeyFactory;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.PublicKey;
import java.security.Signature;
import java.security.SignatureException;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;

/**
 * A public key that images must be signed with, as cosign writes it ({@code cosign.pub}: a PEM
 * {@code PUBLIC KEY}, i.e. a SubjectPublicKeyInfo). ECDSA (cosign's default, P-256), RSA and Ed25519 keys.
 *
 * @param source where the key came from, for messages
 */
public record TrustedKey(PublicKey key, String source) {

    /** PEM public keys are a few hundred bytes; anything far larger is not one. */
    private static final long MAX_PEM_BYTES = 64 * 1024;

    private static final String BEGIN = "-----BEGIN PUBLIC KEY-----";
    private static final String END = "-----END PUBLIC KEY-----";

    public TrustedKey {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(source, "source");
    }

    /** Reads a PEM public key file; a file that holds none fails with a message naming it. */
    public static TrustedKey read(Path file) throws IOException {
        if (Files.size(file) > MAX_PEM_BYTES) {
            throw new IOException(file + " is larger than " + MAX_PEM_BYTES + " bytes, not a PEM public key");
        }
        return parse(Files.readString(file, StandardCharsets.US_ASCII), file.toString());
    }

    public static TrustedKey parse(String pem, String source) throws IOException {
        int begin = pem.indexOf(BEGIN);
        int end = pem.indexOf(END);
        if (begin < 0 || end < begin) {
            throw new IOException(source + " holds no " + BEGIN + " block (a key as cosign generate-key-pair writes cosign.pub)");
        }
        byte[] der;
        try {
            der = Base64.getMimeDecoder().decode(pem.substring(begin + BEGIN.length(), end));
        } catch (IllegalArgumentException e) {
            throw new IOException(source + ": the PEM block is not base64: " + e.getMessage(), e);
        }
        return new TrustedKey(decode(der, source), source);
    }

    /** The JDK names no key type in X.509 encoding, so each kind cosign makes is tried. */
    private static PublicKey decode(byte[] der, String source) throws IOException {
        for (String algorithm : List.of("EC", "RSA", "Ed25519")) {
            try {
                return KeyFactory.getInstance(algorithm).generatePublic(new X509EncodedKeySpec(der));
            } catch (GeneralSecurityException e) {
                // not this kind of key; the next is tried
            }
        }
        throw new IOException(source + " holds no ECDSA, RSA or Ed25519 public key");
    }

    /** {@code sha256:<hex>} of the DER-encoded key: what messages name the key by, whatever file it came from. */
    public String fingerprint() {
        try {
            return "sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(key.getEncoded()));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    /**
     * Whether {@code signature} is this key's signature over a message whose SHA-256 is {@code sha256}, checked from the
     * digest alone: what a Sigstore bundle's message signature over an image manifest is, with only the manifest's
     * digest at hand. ECDSA signs the hash, so the hash is enough ({@code NONEwithECDSA}); RSA PKCS#1 v1.5 signs the
     * hash in a DigestInfo, which is rebuilt here. Ed25519 signs the message itself, never a hash of it, so no digest
     * can check it: false.
     */
    public boolean verifiesDigest(byte[] sha256, byte[] signature) {
        try {
            switch (key.getAlgorithm()) {
                case "EC" -> {
                    Signature verifier = Signature.getInstance("NONEwithECDSA");
                    verifier.initVerify(key);
                    verifier.update(sha256);
                    return verifier.verify(signature);
                }
                case "RSA" -> {
                    javax.crypto.Cipher rsa = javax.crypto.Cipher.getInstance("RSA/ECB/PKCS1Padding");
                    rsa.init(javax.crypto.Cipher.DECRYPT_MODE, key);
                    byte[] expected = new byte[SHA256_DIGEST_INFO.length + sha256.length];
                    System.arraycopy(SHA256_DIGEST_INFO, 0, expected, 0, SHA256_DIGEST_INFO.length);
                    System.arraycopy(sha256, 0, expected, SHA256_DIGEST_INFO.length, sha256.length);
                    return MessageDigest.isEqual(expected, rsa.doFinal(signature));
                }
                default -> {
                    return false;
                }
            }
        } catch (SignatureException | javax.crypto.BadPaddingException | javax.crypto.IllegalBlockSizeException e) {
            return false; // a malformed signature is simply not a valid one
        } catch (InvalidKeyException | NoSuchAlgorithmException | javax.crypto.NoSuchPaddingException e) {
            throw new IllegalStateException("the JDK cannot verify with the " + key.getAlgorithm() + " key of " + source, e);
        }
    }

    /** Whether the key's kind signs hashes, so that {@link #verifiesDigest} can check it: ECDSA and RSA, not Ed25519. */
    public boolean signsDigests() {
        return !"Ed25519".equals(key.getAlgorithm()) && !"EdDSA".equals(key.getAlgorithm());
    }

    /** The DER prefix PKCS#1 v1.5 puts before a SHA-256 hash (RFC 8017, section 9.2, note 1). */
    private static final byte[] SHA256_DIGEST_INFO = HexFormat.of().parseHex("3031300d060960864801650304020105000420");

    /** Whether {@code signature} is this key's signature over {@code payload}, as cosign signs (SHA-256 for EC and RSA). */
    public boolean verifies(byte[] payload, byte[] signature) {
        try {
            Signature verifier = Signature.getInstance(switch (key.getAlgorithm()) {
                case "EC" -> "SHA256withECDSA";
                case "RSA" -> "SHA256withRSA";
                default -> "Ed25519";
            });
            verifier.initVerify(key);
            verifier.update(payload);
            return verifier.verify(signature);
        } catch (SignatureException e) {
            return false; // a malformed signature (not DER, wrong length) is simply not a valid one
        } catch (InvalidKeyException | NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK cannot verify with the " + key.getAlgorithm() + " key of " + source, e);
        }
    }
}
