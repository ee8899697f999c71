package io.github.frozenimages.images.core.output;

import io.github.frozenimages.images.core.model.Descriptor;
import java.util.List;

/**
 * An artifact carried beside an image in the output (a cosign signature image): an {@code index.json} entry of its
 * own under {@code tag} in the image's repository, and its blobs; never in {@code manifest.json}, since no engine
 * loads it.
 *
 * @param manifest its manifest's descriptor
 * @param blobs    every other blob it needs in the layout (its config and layers, and the index a signature names
 *                 when the output keeps only a platform manifest of it)
 */
public record AttachedArtifact(String tag, Descriptor manifest, List<Descriptor> blobs) {

    public AttachedArtifact {
        blobs = List.copyOf(blobs);
    }
}
