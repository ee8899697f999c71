package io.github.frozenimages.images.core.registry;

import io.github.frozenimages.images.core.model.ManifestDocument;
import io.github.frozenimages.images.core.ref.Digest;

/** A manifest or index exactly as served, its verified digest, and its parsed form. */
public record FetchedManifest(byte[] bytes, Digest digest, ManifestDocument document) {

    public String mediaType() {
        return document.mediaType();
    }
}
