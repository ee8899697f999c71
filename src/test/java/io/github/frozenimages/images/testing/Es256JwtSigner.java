package io.github.frozenimages.images.testing;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Arrays;
import java.util.Base64;

/**
 * Signs JWTs the way Distribution 2.8's token auth accepts them: ES256 with the raw {@code r||s} signature
 * (JWS, not DER) and a {@code kid} header that is the libtrust key ID of the signing certificate's public
 * key, which the registry looks up among the keys of its {@code rootcertbundle}.
 */
final class Es256JwtSigner {

    private static final char[] BASE32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567".toCharArray();

    private final PrivateKey key;
    private final String keyId;

    Es256JwtSigner(TestCertificates.SigningCertificate signing) {
        try (InputStream in = Files.newInputStream(signing.certificate())) {
            X509Certificate certificate = (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
            this.keyId = libtrustKeyId(certificate.getPublicKey());
            this.key = KeyFactory.getInstance("EC").generatePrivate(new PKCS8EncodedKeySpec(pemBody(signing.pkcs8Key())));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + signing, e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot load the signing key " + signing + ": " + e, e);
        }
    }

    String keyId() {
        return keyId;
    }

    /** {@code base64url(header).base64url(claims).base64url(signature)}. */
    String sign(ObjectNode claims) {
        ObjectNode header = Json.object().put("typ", "JWT").put("alg", "ES256").put("kid", keyId);
        String signingInput = base64Url(Json.bytes(header)) + "." + base64Url(Json.bytes(claims));
        try {
            // P1363 is the fixed-length r||s that JWS wants; plain SHA256withECDSA would give DER, which 2.8 refuses
            Signature signature = Signature.getInstance("SHA256withECDSAinP1363Format");
            signature.initSign(key);
            signature.update(signingInput.getBytes(StandardCharsets.US_ASCII));
            return signingInput + "." + base64Url(signature.sign());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot sign a token: " + e, e);
        }
    }

    /**
     * libtrust's key ID: SHA-256 of the DER SubjectPublicKeyInfo, its first 30 bytes in unpadded base32,
     * in groups of four joined by colons (12 groups), e.g. {@code P2QO:WOBW:...:DAC7}.
     */
    static String libtrustKeyId(PublicKey publicKey) {
        byte[] hash;
        try {
            hash = MessageDigest.getInstance("SHA-256").digest(publicKey.getEncoded());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
        String encoded = base32(Arrays.copyOf(hash, 30));
        StringBuilder id = new StringBuilder();
        for (int i = 0; i < encoded.length(); i += 4) {
            if (i > 0) {
                id.append(':');
            }
            id.append(encoded, i, Math.min(i + 4, encoded.length()));
        }
        return id.toString();
    }

    /** RFC 4648 base32 without padding; 30 bytes make exactly 48 characters. */
    static String base32(byte[] data) {
        StringBuilder out = new StringBuilder();
        int buffer = 0;
        int bits = 0;
        for (byte b : data) {
            buffer = (buffer << 8) | (b & 0xff);
            bits += 8;
            while (bits >= 5) {
                out.append(BASE32[(buffer >> (bits - 5)) & 31]);
                bits -= 5;
            }
        }
        if (bits > 0) {
            out.append(BASE32[(buffer << (5 - bits)) & 31]);
        }
        return out.toString();
    }

    private static String base64Url(byte[] bytes) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    private static byte[] pemBody(Path pem) throws IOException {
        String text = Files.readString(pem, StandardCharsets.US_ASCII);
        int begin = text.indexOf("-----BEGIN PRIVATE KEY-----");
        int end = text.indexOf("-----END PRIVATE KEY-----");
        if (begin < 0 || end < begin) {
            throw new IOException(pem + " holds no PKCS#8 PRIVATE KEY block");
        }
        return Base64.getMimeDecoder().decode(text.substring(begin + "-----BEGIN PRIVATE KEY-----".length(), end));
    }
}
