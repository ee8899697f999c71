package io.github.frozenimages.images.core.engine;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads the PEM files of a Docker TLS folder: certificates, and a private key in any of the forms the tools
 * that make them write: PKCS#8 ({@code PRIVATE KEY}, openssl 3's default), PKCS#1 ({@code RSA PRIVATE KEY}, what
 * Docker's own guide and older openssl write) and SEC1 ({@code EC PRIVATE KEY}, {@code openssl ecparam -genkey}).
 * Java reads only PKCS#8, so the other two are wrapped into it first.
 */
final class PemFiles {

    private static final Pattern BLOCK = Pattern.compile("-----BEGIN ([A-Z0-9 ]+)-----([^-]*)-----END \\1-----");
    /** rsaEncryption (1.2.840.113549.1.1.1) with its NULL parameters, as PKCS#8 names an RSA key. */
    private static final byte[] RSA_ALGORITHM = {0x30, 0x0d, 0x06, 0x09, 0x2a, (byte) 0x86, 0x48, (byte) 0x86, (byte) 0xf7,
            0x0d, 0x01, 0x01, 0x01, 0x05, 0x00};
    /** id-ecPublicKey (1.2.840.10045.2.1), followed in PKCS#8 by the curve's OID. */
    private static final byte[] EC_PUBLIC_KEY = {0x06, 0x07, 0x2a, (byte) 0x86, 0x48, (byte) 0xce, 0x3d, 0x02, 0x01};
    private static final byte[] VERSION_0 = {0x02, 0x01, 0x00};

    private PemFiles() {
    }

    static List<X509Certificate> certificates(Path file) throws IOException {
        try {
            List<X509Certificate> certificates = new ArrayList<>();
            for (Certificate c : CertificateFactory.getInstance("X.509")
                    .generateCertificates(new ByteArrayInputStream(Files.readAllBytes(file)))) {
                certificates.add((X509Certificate) c);
            }
            if (certificates.isEmpty()) {
                throw new IOException("it holds no certificate");
            }
            return certificates;
        } catch (GeneralSecurityException e) {
            throw new IOException("it holds no PEM certificate (" + e.getMessage() + ")", e);
        }
    }

    /** The first private key in the file; other blocks (such as {@code EC PARAMETERS}) are passed over. */
    static PrivateKey privateKey(Path file) throws IOException {
        Matcher m = BLOCK.matcher(Files.readString(file, StandardCharsets.ISO_8859_1));
        while (m.find()) {
            String type = m.group(1);
            if (type.equals("ENCRYPTED PRIVATE KEY") || m.group(2).contains("Proc-Type: 4,ENCRYPTED")) {
                throw new IOException("the key is encrypted; Docker's key.pem is not (openssl pkey -in key.pem -out key.pem decrypts it)");
            }
            byte[] der;
            try {
                der = Base64.getMimeDecoder().decode(m.group(2).trim());
            } catch (IllegalArgumentException e) {
                throw new IOException("its " + type + " block is not valid base64");
            }
            switch (type) {
                case "PRIVATE KEY":
                    return pkcs8(der, "RSA", "EC", "Ed25519");
                case "RSA PRIVATE KEY":
                    return pkcs8(sequence(VERSION_0, RSA_ALGORITHM, tlv(0x04, der)), "RSA");
                case "EC PRIVATE KEY":
                    return pkcs8(sequence(VERSION_0, sequence(EC_PUBLIC_KEY, sec1Curve(der)), tlv(0x04, der)), "EC");
                default:
                    break;
            }
        }
        throw new IOException("it holds no PRIVATE KEY, RSA PRIVATE KEY or EC PRIVATE KEY block");
    }

    private static PrivateKey pkcs8(byte[] der, String... algorithms) throws IOException {
        GeneralSecurityException last = null;
        for (String algorithm : algorithms) {
            try {
                return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(der));
            } catch (GeneralSecurityException e) {
                last = e;
            }
        }
        throw new IOException("the key cannot be read (" + last.getMessage() + ")", last);
    }

    /**
     * The curve OID (as a whole DER element) of a SEC1 {@code ECPrivateKey}: {@code SEQUENCE {version, privateKey,
     * [0] parameters, [1] publicKey}}; PKCS#8 carries it beside the key instead.
     */
    private static byte[] sec1Curve(byte[] der) throws IOException {
        Der outer = new Der(der, 0);
        if (outer.tag != 0x30) {
            throw new IOException("its EC PRIVATE KEY block is not a DER sequence");
        }
        for (int at = outer.contentStart; at < outer.end; ) {
            Der element = new Der(der, at);
            if (element.tag == (byte) 0xa0) {
                Der oid = new Der(der, element.contentStart);
                if (oid.tag == 0x06) {
                    return java.util.Arrays.copyOfRange(der, element.contentStart, oid.end);
                }
            }
            at = element.end;
        }
        throw new IOException("its EC PRIVATE KEY names no curve (write it with openssl ec -param_enc named_curve)");
    }

    /** One DER element's tag and bounds; lengths up to four bytes, as keys have. */
    private static final class Der {
        final byte tag;
        final int contentStart;
        final int end;

        Der(byte[] der, int at) throws IOException {
            if (at + 2 > der.length) {
                throw new IOException("the key's DER is truncated");
            }
            tag = der[at];
            int first = der[at + 1] & 0xff;
            int length;
            int start;
            if (first < 0x80) {
                length = first;
                start = at + 2;
            } else {
                int bytes = first & 0x7f;
                if (bytes == 0 || bytes > 4 || at + 2 + bytes > der.length) {
                    throw new IOException("the key's DER has a malformed length");
                }
                length = 0;
                for (int i = 0; i < bytes; i++) {
                    length = (length << 8) | (der[at + 2 + i] & 0xff);
                }
                start = at + 2 + bytes;
            }
            if (length < 0 || start + length > der.length) {
                throw new IOException("the key's DER is truncated");
            }
            contentStart = start;
            end = start + length;
        }
    }

    private static byte[] sequence(byte[]... elements) {
        ByteArrayOutputStream content = new ByteArrayOutputStream();
        for (byte[] e : elements) {
            content.writeBytes(e);
        }
        return tlv(0x30, content.toByteArray());
    }

    private static byte[] tlv(int tag, byte[] content) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(content.length + 6);
        out.write(tag);
        int n = content.length;
        if (n < 0x80) {
            out.write(n);
        } else {
            int bytes = n < 0x100 ? 1 : n < 0x10000 ? 2 : n < 0x1000000 ? 3 : 4;
            out.write(0x80 | bytes);
            for (int i = bytes - 1; i >= 0; i--) {
                out.write(n >>> (8 * i));
            }
        }
        out.writeBytes(content);
        return out.toByteArray();
    }
}
