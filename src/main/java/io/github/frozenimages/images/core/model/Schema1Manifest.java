package io.github.frozenimages.images.core.model;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.frozenimages.images.core.ref.Digest;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A Docker schema 1 manifest (signature already stripped, see {@link JwsPayload}): layers and their v1
 * history entries, top layer first, as the format lists them.
 *
 * @param architecture the manifest's own architecture field, or null
 * @param entries      one per layer, index 0 the top (newest) layer
 */
public record Schema1Manifest(String mediaType, String architecture, List<Entry> entries) implements ManifestDocument {

    /**
     * One {@code fsLayers[i]} with its {@code history[i]}.
     *
     * @param v1Compatibility the history entry's JSON text exactly as the manifest carries it
     * @param v1              the same, parsed
     * @param declaredEmpty   {@code throwaway: true}, or without that field {@code Size: 0}, as containerd reads it
     */
    public record Entry(Digest blobSum, String v1Compatibility, JsonNode v1, String id, boolean declaredEmpty) {
    }

    /** Docker's v1 image ids: they become folder names in the legacy layout, so nothing else is let through. */
    private static final Pattern V1_ID = Pattern.compile("[0-9a-f]{64}");

    public Schema1Manifest {
        entries = List.copyOf(entries);
    }

    /** Whether a document's {@code schemaVersion} is the number 1 (a string "1" is not). */
    static boolean declaresVersion1(JsonNode root) {
        JsonNode version = root.get("schemaVersion");
        return version != null && version.isIntegralNumber() && version.asLong() == 1;
    }

    static Schema1Manifest read(String mediaType, JsonNode root) throws IOException {
        JsonNode fsLayers = root.get("fsLayers");
        JsonNode history = root.get("history");
        if (fsLayers == null || !fsLayers.isArray() || history == null || !history.isArray()) {
            throw new ManifestFormatException("the schema 1 manifest lacks its fsLayers or history array", false);
        }
        if (fsLayers.size() != history.size()) {
            throw new ManifestFormatException("the schema 1 manifest lists " + fsLayers.size() + " layers but " + history.size()
                    + " history entries", false);
        }
        if (fsLayers.isEmpty() || fsLayers.size() > ImageManifest.MAX_LAYERS) {
            throw new ManifestFormatException("the schema 1 manifest lists " + fsLayers.size() + " layers; between 1 and "
                    + ImageManifest.MAX_LAYERS + " are accepted", false);
        }
        List<Entry> entries = new ArrayList<>();
        Set<String> ids = new HashSet<>();
        for (int i = 0; i < fsLayers.size(); i++) {
            Digest blobSum = digest(Json.text(fsLayers.get(i), "blobSum"), i);
            String text = Json.text(history.get(i), "v1Compatibility");
            if (text == null) {
                throw new ManifestFormatException("history entry " + i + " has no v1Compatibility string", false);
            }
            JsonNode v1;
            try {
                v1 = Json.readObject(text.getBytes(StandardCharsets.UTF_8));
            } catch (IOException e) {
                throw new ManifestFormatException("history entry " + i + " is not a JSON object: " + e.getMessage(), false);
            }
            String id = v1Id(Json.text(v1, "id"), "id", i);
            if (!ids.add(id)) {
                throw new ManifestFormatException("history entries share the id " + id, false);
            }
            entries.add(new Entry(blobSum, text, v1, id, declaredEmpty(v1, i)));
        }
        // each entry's parent is the next one down: the chain Docker checked, and the legacy layout relies on
        for (int i = 0; i < entries.size(); i++) {
            String parent = Json.text(entries.get(i).v1(), "parent");
            String expected = i + 1 < entries.size() ? entries.get(i + 1).id() : null;
            if (parent != null && parent.isEmpty()) {
                parent = null;
            }
            if (parent != null) {
                v1Id(parent, "parent", i);
            }
            if (!java.util.Objects.equals(parent, expected)) {
                throw new ManifestFormatException("history entry " + i + " names parent " + parent + " where the manifest has "
                        + expected, false);
            }
        }
        String architecture = Json.text(root, "architecture");
        return new Schema1Manifest(mediaType, architecture, entries);
    }

    private static Digest digest(String value, int index) throws ManifestFormatException {
        if (value == null) {
            throw new ManifestFormatException("fsLayers entry " + index + " has no blobSum", false);
        }
        try {
            return Digest.parse(value);
        } catch (IllegalArgumentException e) {
            throw new ManifestFormatException("fsLayers entry " + index + ": " + e.getMessage(), false);
        }
    }

    private static String v1Id(String value, String field, int index) throws ManifestFormatException {
        if (value == null || !V1_ID.matcher(value).matches()) {
            throw new ManifestFormatException("history entry " + index + " has " + (value == null ? "no " + field
                    : "the " + field + " " + quoted(value)) + "; a v1 id is 64 lowercase hex digits", false);
        }
        return value;
    }

    /** A hostile value, shown escaped and cut short. */
    private static String quoted(String value) {
        String shown = value.length() > 80 ? value.substring(0, 80) + "..." : value;
        return com.fasterxml.jackson.databind.node.TextNode.valueOf(shown).toString();
    }

    private static boolean declaredEmpty(JsonNode v1, int index) throws ManifestFormatException {
        JsonNode throwaway = v1.get("throwaway");
        if (throwaway != null && !throwaway.isNull()) {
            if (!throwaway.isBoolean()) {
                throw new ManifestFormatException("history entry " + index + " has a throwaway that is not a boolean", false);
            }
            return throwaway.booleanValue();
        }
        JsonNode size = v1.get("Size");
        return size != null && size.isNumber() && size.asLong() == 0;
    }

    /** The entries base layer first, the order of an image config's diff_ids and history. */
    public List<Entry> baseFirst() {
        List<Entry> reversed = new ArrayList<>(entries);
        java.util.Collections.reverse(reversed);
        return reversed;
    }

    /** The top entry: the image's own v1 document (config, architecture, os). */
    public Entry top() {
        return entries.get(0);
    }
}
