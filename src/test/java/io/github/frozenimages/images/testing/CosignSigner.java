package io.github.frozenimages.images.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.security.spec.ECGenParameterSpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * Signs images as {@code cosign sign --key} does, in test code: a key pair, the simple-signing payload, the
 * signature over it, and the signature image pushed under {@code sha256-<hex>.sig}. The format is public;
 * nothing here calls cosign.
 */
public final class CosignSigner {

    public static final String PAYLOAD_MEDIA_TYPE = "application/vnd.dev.cosign.simplesigning.v1+json";
    public static final String SIGNATURE_ANNOTATION = "dev.cosignproject.cosign/signature";

    private final KeyPair keys;
    private final String signatureAlgorithm;

    private CosignSigner(KeyPair keys, String signatureAlgorithm) {
        this.keys = keys;
        this.signatureAlgorithm = signatureAlgorithm;
    }

    /** cosign's default: ECDSA on P-256, signatures with SHA-256. */
    public static CosignSigner ecdsaP256() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec("secp256r1"));
            return new CosignSigner(generator.generateKeyPair(), "SHA256withECDSA");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    public static CosignSigner rsa() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
            generator.initialize(2048);
            return new CosignSigner(generator.generateKeyPair(), "SHA256withRSA");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    public static CosignSigner ed25519() {
        try {
            return new CosignSigner(KeyPairGenerator.getInstance("Ed25519").generateKeyPair(), "Ed25519");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The public key as cosign writes {@code cosign.pub}. */
    public String publicKeyPem() {
        String base64 = Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(keys.getPublic().getEncoded());
        return "-----BEGIN PUBLIC KEY-----\n" + base64 + "\n-----END PUBLIC KEY-----\n";
    }

    public Path writePublicKey(Path file) {
        try {
            Files.createDirectories(file.getParent());
            return Files.writeString(file, publicKeyPem(), StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@code sha256:<hex>} of the DER public key, as the plugin names keys. */
    public String fingerprint() {
        return "sha256:" + Sha256.hex(keys.getPublic().getEncoded());
    }

    /** The simple-signing payload cosign signs for {@code digest} of the image {@code dockerReference}. */
    public static byte[] payload(String dockerReference, String digest) {
        return ("{\"critical\":{\"identity\":{\"docker-reference\":\"" + dockerReference + "\"},\"image\":{\"docker-manifest-digest\":\""
                + digest + "\"},\"type\":\"cosign container image signature\"},\"optional\":null}").getBytes(StandardCharsets.UTF_8);
    }

    /** One layer of a signature image: this key's signature over the payload naming {@code digest}. */
    public SignatureLayer sign(String dockerReference, String digest) {
        byte[] payload = payload(dockerReference, digest);
        try {
            Signature signer = Signature.getInstance(signatureAlgorithm);
            signer.initSign(keys.getPrivate());
            signer.update(payload);
            return new SignatureLayer(payload, Base64.getEncoder().encodeToString(signer.sign()));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** This key's signature over any bytes (a DSSE pre-authentication encoding, a manifest), as base64. */
    public String signBytes(byte[] data) {
        try {
            Signature signer = Signature.getInstance(signatureAlgorithm);
            signer.initSign(keys.getPrivate());
            signer.update(data);
            return Base64.getEncoder().encodeToString(signer.sign());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * A payload and the base64 signature its layer annotation carries; for cosign's older keyless signatures also the
     * PEM certificate of the signer (null for a key signature).
     */
    public record SignatureLayer(byte[] payload, String signature, String certificate) {

        public SignatureLayer(byte[] payload, String signature) {
            this(payload, signature, null);
        }

        /** The same signature as cosign's keyless mode stores it, with the signer's certificate beside it. */
        public SignatureLayer withCertificate(String pem) {
            return new SignatureLayer(payload, signature, pem);
        }
    }

    public static final String CERTIFICATE_ANNOTATION = "dev.sigstore.cosign/certificate";

    /** The tag cosign stores the signatures of {@code signedDigest} under. */
    public static String tagFor(String signedDigest) {
        return signedDigest.replace(':', '-') + ".sig";
    }

    /**
     * Pushes a signature image with these layers under the {@code .sig} tag of {@code signedDigest}, replacing any
     * there (cosign appends; a test says all it wants at once), and returns the signature manifest's bytes.
     */
    public static byte[] push(RegistryPusher pusher, String repository, String signedDigest, List<SignatureLayer> layers) {
        byte[] config = "{\"architecture\":\"\",\"created\":\"0001-01-01T00:00:00Z\",\"history\":[],\"os\":\"\",\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[]},\"config\":{}}"
                .getBytes(StandardCharsets.UTF_8);
        pusher.pushBlob(repository, config);
        List<String> layerJson = new ArrayList<>();
        for (SignatureLayer layer : layers) {
            pusher.pushBlob(repository, layer.payload());
            layerJson.add("{\"mediaType\":\"" + PAYLOAD_MEDIA_TYPE + "\",\"size\":" + layer.payload().length + ",\"digest\":\""
                    + Sha256.digest(layer.payload()) + "\",\"annotations\":{\"" + SIGNATURE_ANNOTATION + "\":\"" + layer.signature() + "\""
                    + (layer.certificate() == null ? "" : ",\"" + CERTIFICATE_ANNOTATION + "\":\"" + layer.certificate().replace("\n", "\\n") + "\"") + "}}");
        }
        byte[] manifest = ("{\"schemaVersion\":2,\"mediaType\":\"" + MediaTypes.OCI_MANIFEST + "\",\"config\":{\"mediaType\":\""
                + MediaTypes.OCI_CONFIG + "\",\"size\":" + config.length + ",\"digest\":\"" + Sha256.digest(config) + "\"},\"layers\":["
                + String.join(",", layerJson) + "]}").getBytes(StandardCharsets.UTF_8);
        pusher.pushManifest(repository, tagFor(signedDigest), MediaTypes.OCI_MANIFEST, manifest);
        return manifest;
    }
}
