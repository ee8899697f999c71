package io.github.frozenimages.images.core.trust;

import io.github.frozenimages.images.core.model.Descriptor;
import io.github.frozenimages.images.core.model.ImageManifest;
import io.github.frozenimages.images.core.ref.Digest;
import io.github.frozenimages.images.core.registry.FetchedManifest;
import io.github.frozenimages.images.core.registry.Operation;
import io.github.frozenimages.images.core.registry.RegistryClient;
import io.github.frozenimages.images.core.shared.ImagePullException;
import io.github.frozenimages.images.core.shared.ImagePullException.Reason;
import io.github.frozenimages.images.core.store.BlobSource;
import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;


/**
 * Finds cosign's signatures of a manifest under its tag convention: the tag {@code sha256-<hex>.sig} in the same
 * repository names an image manifest with one {@code simplesigning} layer per signature. Every document read is
 * bounded and checked against its digest, as the image's own are.
 */
public final class CosignSignatures {

    public static final String PAYLOAD_MEDIA_TYPE = "application/vnd.dev.cosign.simplesigning.v1+json";
    public static final String SIGNATURE_ANNOTATION = "dev.cosignproject.cosign/signature";

    /** A simple-signing payload is a few hundred bytes; optional annotations may add some, never this much. */
    static final long MAX_PAYLOAD_BYTES = 256 * 1024;

    private CosignSignatures() {
    }

    /** {@code sha256-<hex>.sig}: where cosign puts the signatures of {@code signed}. */
    public static String tagFor(Digest signed) {
        return signed.algorithm() + "-" + signed.hex() + ".sig";
    }

    /**
     * The signature image stored for {@code signed} in the registry; empty when the repository has no signature tag
     * for it.
     *
     * @param op names the image being verified, for messages
     */
    static Optional<SignatureImage> fetch(RegistryClient client, Operation op, Digest signed) {
        String tag = tagFor(signed);
        FetchedManifest manifest;
        try {
            manifest = client.getManifest(op, tag, null);
        } catch (ImagePullException e) {
            if (e.reason() == Reason.NOT_FOUND) {
                return Optional.empty();
            }
            throw e;
        }
        if (!(manifest.document() instanceof ImageManifest image)) {
            throw op.failure(Reason.UNTRUSTED, "the signature tag " + tag + " names a " + manifest.mediaType()
                    + ", not the image manifest cosign stores signatures in");
        }
        List<CosignSignature> signatures = new ArrayList<>();
        for (Descriptor layer : image.layers()) {
            String signature = layer.annotations().get(SIGNATURE_ANNOTATION);
            if (PAYLOAD_MEDIA_TYPE.equals(layer.mediaType()) && signature != null) {
                byte[] payload = payload(client, op.then(op.action(), layer.digest()), layer);
                signatures.add(of(layer, payload, signature));
            }
        }
        byte[] config = payload(client, op.then(op.action(), image.config().digest()), image.config());
        return Optional.of(new SignatureImage(signed, new Descriptor(manifest.mediaType(), manifest.digest(), manifest.bytes().length),
                manifest.bytes(), image.config(), config, signatures));
    }

    /** A signature layer read from wherever it is kept. */
    static CosignSignature of(Descriptor layer, byte[] payload, String base64Signature) {
        return new CosignSignature(layer, payload, decode(base64Signature), SimpleSigningPayload.signedDigest(payload));
    }

    /** A signature annotation that is not base64 is kept as no bytes: it verifies with no key. */
    private static byte[] decode(String base64) {
        try {
            return Base64.getDecoder().decode(base64.strip());
        } catch (IllegalArgumentException e) {
            return new byte[0];
        }
    }

    private static byte[] payload(RegistryClient client, Operation op, Descriptor layer) {
        if (layer.size() < 0 || layer.size() > MAX_PAYLOAD_BYTES) {
            throw op.failure(Reason.UNTRUSTED, "the signature payload announces " + layer.size() + " bytes, more than the "
                    + MAX_PAYLOAD_BYTES + " a simple-signing payload may have");
        }
        BlobSource source = client.blob(op, layer);
        try (BlobSource.Body body = source.open(0)) {
            byte[] bytes = readAtMost(body.stream(), (int) layer.size());
            MessageDigest hasher = layer.digest().newMessageDigest();
            if (bytes.length != layer.size() || !Digest.of(layer.digest().algorithm(), hasher.digest(bytes)).equals(layer.digest())) {
                throw op.failure(Reason.DIGEST_MISMATCH, "the signature payload served is not the one its manifest names");
            }
            return bytes;
        } catch (IOException e) {
            throw op.failure(Reason.UNREACHABLE, "reading the signature payload failed: " + e.getMessage(), e);
        }
    }

    /** Reads {@code size} bytes and one more, so that a longer body than announced shows as a mismatch. */
    private static byte[] readAtMost(InputStream in, int size) throws IOException {
        return in.readNBytes(size + 1);
    }

}
