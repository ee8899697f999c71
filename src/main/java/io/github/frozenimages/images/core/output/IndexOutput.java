package io.github.frozenimages.images.core.output;

import io.github.frozenimages.images.core.model.Descriptor;
import java.util.List;

/**
 * The index a multi-platform image keeps in the output: the image's own index when every platform was
 * pulled, or one generated for the chosen platforms; its bytes are in the store like every other blob.
 *
 * @param index the index's descriptor, as {@code index.json} names it
 * @param blobs every blob below it: each platform's manifest, config and layers (and attestations with all)
 */
public record IndexOutput(Descriptor index, List<Descriptor> blobs) {

    public IndexOutput {
        blobs = List.copyOf(blobs);
    }
}
