package io.github.frozenimages.images.core.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.frozenimages.images.core.ref.Digest;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Turns a schema 1 manifest into an OCI image manifest and config, as containerd's converter did before
 * schema 1 was dropped: the config is the top history entry's image fields with a history rebuilt from every
 * entry and the diff ids of the layers that are not empty; the manifest lists those layers, base first.
 * The result is a function of the manifest and its layers alone, so a second conversion gives the same digests.
 */
public final class Schema1Converter {

    /**
     * What reading a layer told: its blob (with size and layer media type) and its uncompressed digest.
     *
     * @param allZero the uncompressed stream held only zero bytes (an empty tar): the layer adds nothing
     */
    public record LayerFacts(Descriptor blob, Digest diffId, boolean allZero) {
    }

    /** The converted image: both documents' bytes, their descriptors, and its layers with their diff ids. */
    public record Converted(byte[] manifest, Descriptor manifestDescriptor, byte[] config, Descriptor configDescriptor,
                            List<Descriptor> layers, List<Digest> diffIds) {
    }

    /** The fields of the OCI image config's {@code config} object; Docker's v1 documents carry more, which no reader needs. */
    private static final List<String> RUN_FIELDS = List.of("User", "ExposedPorts", "Env", "Entrypoint", "Cmd", "Volumes",
            "WorkingDir", "Labels", "StopSignal", "ArgsEscaped");

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private Schema1Converter() {
    }

    /** Whether an entry's layer must be read: the ones declared empty are never part of the image. */
    public static boolean needsLayer(Schema1Manifest.Entry entry) {
        return !entry.declaredEmpty();
    }

    /**
     * @param facts for every blob of an entry that {@link #needsLayer needs its layer}
     */
    public static Converted convert(Schema1Manifest manifest, Map<Digest, LayerFacts> facts) throws IOException {
        ArrayNode history = NODES.arrayNode();
        List<Descriptor> layers = new ArrayList<>();
        List<Digest> diffIds = new ArrayList<>();
        for (Schema1Manifest.Entry entry : manifest.baseFirst()) {
            LayerFacts layer = needsLayer(entry) ? facts.get(entry.blobSum()) : null;
            if (needsLayer(entry) && layer == null) {
                throw new IllegalArgumentException("no facts for layer " + entry.blobSum());
            }
            boolean empty = layer == null || layer.allZero();
            history.add(historyEntry(entry.v1(), empty));
            if (!empty) {
                layers.add(layer.blob());
                diffIds.add(layer.diffId());
            }
        }
        ObjectNode config = imageFields(manifest);
        ObjectNode rootfs = config.putObject("rootfs");
        rootfs.put("type", "layers");
        ArrayNode ids = rootfs.putArray("diff_ids");
        diffIds.forEach(d -> ids.add(d.toString()));
        config.set("history", history);
        byte[] configBytes = Json.write(config);
        Descriptor configDescriptor = new Descriptor(MediaTypes.OCI_CONFIG, Digest.sha256(configBytes), configBytes.length);

        ObjectNode image = NODES.objectNode();
        image.put("schemaVersion", 2);
        image.put("mediaType", MediaTypes.OCI_MANIFEST);
        image.set("config", descriptor(configDescriptor));
        ArrayNode layerList = image.putArray("layers");
        layers.forEach(l -> layerList.add(descriptor(l)));
        byte[] manifestBytes = Json.write(image);
        Descriptor manifestDescriptor = new Descriptor(MediaTypes.OCI_MANIFEST, Digest.sha256(manifestBytes), manifestBytes.length);
        return new Converted(manifestBytes, manifestDescriptor, configBytes, configDescriptor, layers, diffIds);
    }

    /** The image's platform: the top entry's, else the manifest's architecture; Linux unless it says otherwise. */
    public static String architecture(Schema1Manifest manifest) {
        String fromEntry = textOrNull(manifest.top().v1(), "architecture");
        return fromEntry != null ? fromEntry : manifest.architecture() != null && !manifest.architecture().isEmpty()
                ? manifest.architecture() : "amd64";
    }

    public static String os(Schema1Manifest manifest) {
        String os = textOrNull(manifest.top().v1(), "os");
        return os == null ? "linux" : os;
    }

    public static String variant(Schema1Manifest manifest) {
        return textOrNull(manifest.top().v1(), "variant");
    }

    private static ObjectNode imageFields(Schema1Manifest manifest) {
        JsonNode top = manifest.top().v1();
        ObjectNode config = NODES.objectNode();
        copyDate(top, config, "created");
        copyText(top, config, "author");
        config.put("architecture", architecture(manifest));
        String variant = variant(manifest);
        if (variant != null) {
            config.put("variant", variant);
        }
        config.put("os", os(manifest));
        JsonNode run = top.get("config");
        if (run != null && run.isObject()) {
            ObjectNode kept = config.putObject("config");
            for (String field : RUN_FIELDS) {
                JsonNode value = run.get(field);
                if (value != null && fits(field, value)) {
                    kept.set(field, value.deepCopy());
                }
            }
        }
        return config;
    }

    /** A history entry as containerd wrote it: the command is the container's Cmd joined by spaces. */
    private static ObjectNode historyEntry(JsonNode v1, boolean empty) {
        ObjectNode h = NODES.objectNode();
        copyDate(v1, h, "created");
        copyText(v1, h, "author");
        JsonNode cmd = v1.path("container_config").get("Cmd");
        if (cmd != null && cmd.isArray() && !cmd.isEmpty()) {
            List<String> words = new ArrayList<>();
            cmd.forEach(w -> words.add(w.asText()));
            h.put("created_by", String.join(" ", words));
        }
        copyText(v1, h, "comment");
        if (empty) {
            h.put("empty_layer", true);
        }
        return h;
    }

    /** Only values of the type the OCI config schema gives the field are carried over. */
    private static boolean fits(String field, JsonNode value) {
        return switch (field) {
            case "User", "WorkingDir", "StopSignal" -> value.isTextual();
            case "ArgsEscaped" -> value.isBoolean();
            case "Env" -> value.isArray() && every(value, JsonNode::isTextual);
            case "Entrypoint", "Cmd" -> value.isNull() || value.isArray() && every(value, JsonNode::isTextual);
            case "ExposedPorts" -> value.isObject() && every(value, JsonNode::isObject);
            case "Volumes" -> value.isNull() || value.isObject() && every(value, JsonNode::isObject);
            case "Labels" -> value.isNull() || value.isObject() && every(value, JsonNode::isTextual);
            default -> false;
        };
    }

    /** Whether every item of an array, or every value of an object, passes. */
    private static boolean every(JsonNode container, java.util.function.Predicate<JsonNode> test) {
        for (JsonNode item : container) {
            if (!test.test(item)) {
                return false;
            }
        }
        return true;
    }

    /** A date that is not RFC 3339 is left out: the spec's readers refuse the whole config for it. */
    private static void copyDate(JsonNode from, ObjectNode to, String field) {
        String value = textOrNull(from, field);
        if (value != null) {
            try {
                java.time.OffsetDateTime.parse(value);
                to.put(field, value);
            } catch (java.time.format.DateTimeParseException e) {
                // left out
            }
        }
    }

    private static void copyText(JsonNode from, ObjectNode to, String field) {
        String value = textOrNull(from, field);
        if (value != null) {
            to.put(field, value);
        }
    }

    private static String textOrNull(JsonNode node, String field) {
        JsonNode value = node.get(field);
        return value != null && value.isTextual() && !value.textValue().isEmpty() ? value.textValue() : null;
    }

    private static ObjectNode descriptor(Descriptor d) {
        ObjectNode node = NODES.objectNode();
        node.put("mediaType", d.mediaType());
        node.put("digest", d.digest().toString());
        node.put("size", d.size());
        return node;
    }
}
