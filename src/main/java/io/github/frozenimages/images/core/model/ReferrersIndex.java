package io.github.frozenimages.images.core.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

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

    /** A referrers index listing {@code referrers}, as the fallback tag holds one. */
    public static byte[] write(List<Referrer> referrers) throws IOException {
        ObjectNode index = JsonNodeFactory.instance.objectNode();
        index.put("schemaVersion", 2);
        index.put("mediaType", MediaTypes.OCI_INDEX);
        ArrayNode manifests = index.putArray("manifests");
        for (Referrer referrer : referrers) {
            Descriptor d = referrer.manifest();
            ObjectNode entry = manifests.addObject();
            entry.put("mediaType", d.mediaType());
            entry.put("digest", d.digest().toString());
            entry.put("size", d.size());
            if (referrer.artifactType() != null) {
                entry.put("artifactType", referrer.artifactType());
            }
            if (!d.annotations().isEmpty()) {
                ObjectNode annotations = entry.putObject("annotations");
                d.annotations().forEach(annotations::put);
            }
        }
        return Json.write(index);
    }

    /**
     * {@code existing} with the entries of {@code added} it lacks appended: how a pusher updates a fallback tag that
     * others also keep referrers under. The existing entries stay exactly as they are (annotations, fields this reader
     * does not know), so nothing another tool listed is lost. Both must be referrers indexes.
     */
    public static byte[] merge(byte[] existing, byte[] added) throws IOException {
        parse(existing);
        parse(added);
        ObjectNode root = (ObjectNode) Json.readObject(existing);
        ArrayNode manifests = (ArrayNode) root.get("manifests");
        Set<String> listed = new HashSet<>();
        manifests.forEach(entry -> listed.add(entry.path("digest").asText()));
        boolean changed = false;
        for (JsonNode entry : Json.readObject(added).get("manifests")) {
            if (listed.add(entry.path("digest").asText())) {
                manifests.add(entry);
                changed = true;
            }
        }
        if (manifests.size() > ImageIndex.MAX_ENTRIES) {
            throw new ManifestFormatException("the merged referrers index would list " + manifests.size() + " referrers, more than "
                    + ImageIndex.MAX_ENTRIES, false);
        }
        return changed ? Json.write(root) : existing;
    }
}
