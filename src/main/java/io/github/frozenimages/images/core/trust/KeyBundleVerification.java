package io.github.frozenimages.images.core.trust;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.frozenimages.images.core.model.Json;
import io.github.frozenimages.images.core.ref.Digest;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Optional;

/**
 * Checks a Sigstore bundle as a signature of a digest by a trusted key, with nothing but the JDK and the JSON reader:
 * either its DSSE envelope (an in-toto statement whose subject has the signed digest, signed over DSSE's
 * pre-authentication encoding), or its message signature (over the signed manifest, whose SHA-256 is the digest).
 *
 * <p>The transparency-log entries a bundle carries are not checked here: with a key the trust is in the key, as for
 * cosign's {@code --key} with {@code --insecure-ignore-tlog}; what a log entry adds (that the signature was public at
 * a time) needs the log's keys from a trusted root, which is the keyless check's business.
 */
public final class KeyBundleVerification {

    static final String IN_TOTO_PAYLOAD_TYPE = "application/vnd.in-toto+json";
    private static final String BUNDLE_MEDIA_TYPE_PREFIX = "application/vnd.dev.sigstore.bundle";

    private final TrustedKey key;

    public KeyBundleVerification(TrustedKey key) {
        this.key = key;
    }

    /**
     * What is wrong with {@code bundleJson} as this key's signature of {@code signed}, as a phrase for a message
     * ("a DSSE signature by another key"); empty when it is valid.
     */
    public Optional<String> problem(byte[] bundleJson, Digest signed) {
        JsonNode bundle;
        try {
            bundle = Json.readObject(bundleJson);
        } catch (IOException e) {
            return Optional.of("a bundle that is not valid JSON (" + e.getMessage() + ")");
        }
        JsonNode mediaType = bundle.path("mediaType");
        if (!mediaType.isTextual() || !mediaType.asText().startsWith(BUNDLE_MEDIA_TYPE_PREFIX)) {
            return Optional.of("a document that is no Sigstore bundle (mediaType " + mediaType + ")");
        }
        JsonNode envelope = bundle.get("dsseEnvelope");
        JsonNode message = bundle.get("messageSignature");
        if ((envelope == null) == (message == null)) {
            return Optional.of("a bundle with " + (envelope == null ? "neither" : "both") + " a DSSE envelope " + (envelope == null ? "nor" : "and")
                    + " a message signature");
        }
        Optional<String> problem = envelope != null ? envelopeProblem(envelope, signed) : messageProblem(message, signed);
        // a keyless bundle carries the signer's certificate: say so, since a key cannot be what signed it
        boolean keyless = bundle.path("verificationMaterial").has("certificate") || bundle.path("verificationMaterial").has("x509CertificateChain");
        return problem.map(p -> keyless && p.contains("another key") ? p + " (a keyless bundle: it carries a certificate)" : p);
    }

    private Optional<String> envelopeProblem(JsonNode envelope, Digest signed) {
        String payloadType = envelope.path("payloadType").asText("");
        if (!IN_TOTO_PAYLOAD_TYPE.equals(payloadType)) {
            return Optional.of("a DSSE envelope of payload type " + payloadType + ", not " + IN_TOTO_PAYLOAD_TYPE);
        }
        byte[] payload = base64(envelope.path("payload"));
        if (payload == null) {
            return Optional.of("a DSSE envelope whose payload is not base64");
        }
        byte[] pae = preAuthenticationEncoding(payloadType, payload);
        boolean signedByKey = false;
        for (JsonNode signature : envelope.path("signatures")) {
            byte[] sig = base64(signature.path("sig"));
            signedByKey |= sig != null && key.verifies(pae, sig);
        }
        if (!signedByKey) {
            return Optional.of(envelope.path("signatures").isEmpty() ? "a DSSE envelope with no signature" : "a DSSE signature by another key");
        }
        JsonNode statement;
        try {
            statement = Json.readObject(payload);
        } catch (IOException e) {
            return Optional.of("a DSSE payload that is no in-toto statement (" + e.getMessage() + ")");
        }
        StringBuilder named = new StringBuilder();
        for (JsonNode subject : statement.path("subject")) {
            JsonNode hex = subject.path("digest").path(signed.algorithm());
            if (hex.isTextual() && hex.asText().equals(signed.hex())) {
                return Optional.empty();
            }
            named.append(named.isEmpty() ? "" : ", ").append(subject.path("digest"));
        }
        return Optional.of("an in-toto statement for another digest (its subject names " + (named.isEmpty() ? "none" : named) + ")");
    }

    private Optional<String> messageProblem(JsonNode message, Digest signed) {
        JsonNode digest = message.path("messageDigest");
        String algorithm = digest.path("algorithm").asText("");
        byte[] bytes = base64(digest.path("digest"));
        if (!"SHA2_256".equals(algorithm) || bytes == null || !"sha256".equals(signed.algorithm())) {
            return Optional.of("a message signature over a " + (algorithm.isEmpty() ? "digest of no algorithm" : algorithm + " digest")
                    + ", where the signed digest is " + signed.algorithm());
        }
        if (!MessageDigest.isEqual(bytes, HexFormat.of().parseHex(signed.hex()))) {
            return Optional.of("a message signature for another digest (sha256:" + HexFormat.of().formatHex(bytes) + ")");
        }
        if (!key.signsDigests()) {
            return Optional.of("a message signature, which an " + key.key().getAlgorithm()
                    + " key cannot be checked on from the digest alone (sign with a DSSE envelope instead)");
        }
        byte[] signature = base64(message.path("signature"));
        if (signature == null || !key.verifiesDigest(bytes, signature)) {
            return Optional.of("a message signature by another key");
        }
        return Optional.empty();
    }

    /** DSSE's PAE: {@code "DSSEv1" SP LEN(type) SP type SP LEN(body) SP body}, lengths in ASCII decimal bytes. */
    static byte[] preAuthenticationEncoding(String payloadType, byte[] payload) {
        byte[] type = payloadType.getBytes(StandardCharsets.UTF_8);
        byte[] head = ("DSSEv1 " + type.length + " " + payloadType + " " + payload.length + " ").getBytes(StandardCharsets.UTF_8);
        byte[] pae = new byte[head.length + payload.length];
        System.arraycopy(head, 0, pae, 0, head.length);
        System.arraycopy(payload, 0, pae, head.length, payload.length);
        return pae;
    }

    /** Protobuf's JSON writes bytes as standard base64 and reads URL-safe too; null for anything else. */
    private static byte[] base64(JsonNode node) {
        if (!node.isTextual()) {
            return null;
        }
        try {
            return Base64.getDecoder().decode(node.asText());
        } catch (IllegalArgumentException e) {
            try {
                return Base64.getUrlDecoder().decode(node.asText());
            } catch (IllegalArgumentException again) {
                return null;
            }
        }
    }
}
