package io.github.frozenimages.images.core.model;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.util.List;

/** An OCI image index or a Docker manifest list. */
public record ImageIndex(String mediaType, List<Descriptor> manifests) implements ManifestDocument {

    /** More entries than any real multi-platform image has; a bound against hostile documents. */
    public static final int MAX_ENTRIES = 1024;

    public ImageIndex {
        manifests = List.copyOf(manifests);
    }

    static ImageIndex read(String mediaType, JsonNode root) throws IOException {
        return new ImageIndex(mediaType, Descriptor.readAll(root, "manifests", MAX_ENTRIES, "the index", "index entry"));
    }
}
