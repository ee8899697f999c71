package io.github.frozenimages.images.core.trust;

import io.github.frozenimages.images.core.model.Descriptor;
import io.github.frozenimages.images.core.model.Referrer;
import io.github.frozenimages.images.core.model.ReferrersIndex;
import io.github.frozenimages.images.core.ref.Digest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;

/**
 * A Sigstore bundle stored as an OCI 1.1 referrer of a digest, whole: the artifact manifest's exact bytes (its
 * {@code subject} is the signed digest), its config, and its one layer, the bundle JSON. Whole, so that it can be
 * kept in the cache, carried into the output and across an air gap, and checked there with no registry. Every part
 * was checked against its digest before this value was made.
 *
 * @param signed   the digest the artifact manifest names as its subject
 * @param manifest the artifact manifest's descriptor, with its exact bytes beside it
 * @param bundle   the bundle layer's descriptor, with the bundle JSON beside it
 */
public record SigstoreBundleArtifact(Digest signed, Descriptor manifest, byte[] manifestBytes, Descriptor config, byte[] configBytes,
                                     Descriptor bundle, byte[] bundleJson) implements SignatureArtifact {

    /** {@code sha256-<hex>}: the fallback tag whose referrers index lists it, beside the image it signs. */
    public String tag() {
        return signed.algorithm() + "-" + signed.hex();
    }

    /**
     * The referrers index that lists this artifact alone, as the fallback tag holds it: what an output carries beside
     * the image, so that a layout is read for referrers as a registry without the referrers API is.
     */
    public byte[] fallbackIndex() {
        try {
            return ReferrersIndex.write(List.of(new Referrer(manifest, SigstoreBundles.BUNDLE_MEDIA_TYPE)));
        } catch (IOException e) {
            throw new UncheckedIOException("writing JSON to memory cannot fail", e);
        }
    }

    @Override
    public List<Descriptor> blobs() {
        return List.of(config, bundle);
    }

    @Override
    public byte[] bytesOf(Descriptor blob) {
        return blob.digest().equals(config.digest()) ? configBytes : bundleJson;
    }
}
