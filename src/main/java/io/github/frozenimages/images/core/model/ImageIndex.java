package io.github.frozenimages.images.core.model;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/** An OCI image index or a Docker manifest list. */
public record ImageIndex(String mediaType, List<Descriptor> manifests) implements ManifestDocument {

    /** More entries than any real multi-platform image has; a bound against hostile documents. */
    public static final int MAX_ENTRIES = 1024;

    public ImageIndex {
        manifests = List.copyOf(manifests);
    }

    static ImageIndex read(String mediaType, JsonNode root) throws IOException {
        JsonNode list = root.get("manifests");
        if (list == null || !list.isArray()) {
            throw new ManifestFormatException("the index has no manifests array", false);
        }
        if (list.size() > MAX_ENTRIES) {
            throw new ManifestFormatException("the index lists " + list.size() + " manifests, more than " + MAX_ENTRIES, false);
        }
        List<Descriptor> entries = new ArrayList<>();
        for (int i = 0; i < list.size(); i++) {
            entries.add(Descriptor.read(list.get(i), "index entry " + i));
        }
        return new ImageIndex(mediaType, entries);
    }
}
