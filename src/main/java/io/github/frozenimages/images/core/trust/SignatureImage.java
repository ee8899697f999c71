package io.github.frozenimages.images.core.trust;

import io.github.frozenimages.images.core.model.Descriptor;
import io.github.frozenimages.images.core.ref.Digest;
import java.util.List;

/**
 * The cosign signature image of one digest, whole: its manifest's exact bytes, its config, and its signature
 * layers with their payloads. Whole, so that it can be carried into the output and across an air gap, and
 * verified there with no registry.
 *
 * @param signed   the digest whose signatures these are
 * @param manifest the signature image's manifest, as its descriptor and exact bytes
 */
public record SignatureImage(Digest signed, Descriptor manifest, byte[] manifestBytes, Descriptor config, byte[] configBytes,
                             List<CosignSignature> signatures) implements SignatureArtifact {

    public SignatureImage {
        signatures = List.copyOf(signatures);
    }

    /** {@code sha256-<hex>.sig}: the tag it lives under, beside the image it signs. */
    public String tag() {
        return CosignSignatures.tagFor(signed);
    }

    /** The layer blobs with their bytes, for the store. */
    public List<Descriptor> layers() {
        return signatures.stream().map(CosignSignature::layer).toList();
    }

    /** The bytes of a signature layer. */
    public byte[] payloadOf(Descriptor layer) {
        return signatures.stream().filter(s -> s.layer().digest().equals(layer.digest())).findFirst().orElseThrow().payload();
    }

    @Override
    public List<Descriptor> blobs() {
        List<Descriptor> blobs = new java.util.ArrayList<>(List.of(config));
        blobs.addAll(layers());
        return blobs;
    }

    @Override
    public byte[] bytesOf(Descriptor blob) {
        return blob.digest().equals(config.digest()) ? configBytes : payloadOf(blob);
    }
}
