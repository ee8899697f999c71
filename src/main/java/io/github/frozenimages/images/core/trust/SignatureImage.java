package io.github.frozenimages.images.core.trust;

import io.github.frozenimages.images.core.model.Descriptor;
import io.github.frozenimages.images.core.ref.Digest;
import io.github.frozenimages.images.core.store.BlobStore;
import java.io.IOException;
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
                             List<CosignSignature> signatures) {

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

    /**
     * Keeps the whole signature image in the cache, each document checked against its digest as it goes in: a
     * pull under {@code mvn -o} then finds there the signature the lock file recorded.
     */
    public void keepIn(BlobStore store) throws IOException {
        store.put(manifest, manifestBytes);
        store.put(config, configBytes);
        for (CosignSignature signature : signatures) {
            store.put(signature.layer(), signature.payload());
        }
    }
}
