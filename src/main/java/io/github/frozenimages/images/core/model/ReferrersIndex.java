package io.github.frozenimages.images.core.model;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads an OCI image index as a list of referrers: what {@code GET /v2/<name>/referrers/<digest>} answers, and what
 * a pusher keeps under the fallback tag {@code sha256-<hex>} for registries without that API. The index model
 * ({@link ImageIndex}) drops {@code artifactType}, which is all a referrer is chosen by, so it is read here.
 */
public final class ReferrersIndex {

    private ReferrersIndex() {
    }

    /** The index's entries with their artifact types; bounded like any index, refusing anything that is not one. */
    public static List<Referrer> parse(byte[] bytes) throws IOException {
        if (bytes.length > ManifestDocument.MAX_BYTES) {
            throw new ManifestFormatException("the referrers index is " + bytes.length + " bytes, more than "
                    + ManifestDocument.MAX_BYTES, false);
        }
        JsonNode root;
        try {
            root = Json.readObject(bytes);
        } catch (IOException e) {
            throw new ManifestFormatException("the referrers index is not valid JSON: " + e.getMessage(), false);
        }
        Json.refuseCaseVariants(root, "the referrers index", "schemaVersion", "mediaType", "manifests");
        String mediaType = Json.text(root, "mediaType");
        if (mediaType != null && !MediaTypes.OCI_INDEX.equals(mediaType)) {
            throw new ManifestFormatException("the referrers index declares mediaType " + mediaType + ", not " + MediaTypes.OCI_INDEX, false);
        }
        if (root.has("config") || root.has("layers")) {
            throw new ManifestFormatException("the referrers index carries config or layers: it is a manifest, not an index", false);
        }
        List<Descriptor> entries = Descriptor.readAll(root, "manifests", ImageIndex.MAX_ENTRIES, "the referrers index", "referrer");
        List<Referrer> referrers = new ArrayList<>();
        for (int i = 0; i < entries.size(); i++) {
            JsonNode entry = root.get("manifests").get(i);
            Json.refuseCaseVariants(entry, "referrer " + i, "artifactType");
            referrers.add(new Referrer(entries.get(i), Json.text(entry, "artifactType")));
        }
        return referrers;
    }
}
