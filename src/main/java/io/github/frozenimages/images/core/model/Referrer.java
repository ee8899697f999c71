package io.github.frozenimages.images.core.model;

import java.util.Objects;

/**
 * One entry of an OCI 1.1 referrers index: a manifest that names another as its {@code subject}, and the kind of
 * artifact it is ({@code artifactType}, e.g. a Sigstore bundle), which is what a client picks referrers by.
 *
 * @param artifactType the entry's {@code artifactType}, or null when it declares none
 */
public record Referrer(Descriptor manifest, String artifactType) {

    public Referrer {
        Objects.requireNonNull(manifest, "manifest");
    }
}
