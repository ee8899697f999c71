package io.github.frozenimages.images.core.output;

import io.github.frozenimages.images.core.model.Descriptor;
import java.util.List;

/**
 * What the seed script writes for a schema 1 image, kept beside the converted image for the legacy format:
 * a folder per history entry named by its v1 id, holding the entry's own JSON text and its blob.
 *
 * @param entries top (newest) entry first, the order of the manifest and of the seed's loop
 */
public record Schema1Tree(List<Entry> entries) {

    /**
     * @param blob         the entry's blob as served; for an empty layer too, since the seed downloads every one
     * @param layerOfImage whether the converted image counts the blob among its layers (empty ones it does not)
     */
    public record Entry(String id, String v1Compatibility, Descriptor blob, boolean layerOfImage) {
    }

    public Schema1Tree {
        entries = List.copyOf(entries);
        if (entries.isEmpty()) {
            throw new IllegalArgumentException("a schema 1 image has at least one entry");
        }
    }

    /** The id {@code repositories} names: the top entry's. */
    public String topId() {
        return entries.get(0).id();
    }
}
