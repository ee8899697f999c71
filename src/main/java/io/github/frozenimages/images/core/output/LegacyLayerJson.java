package io.github.frozenimages.images.core.output;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Iterator;
import java.util.Map;

/**
 * The {@code <id>/json} documents of the seed script's tree, built field for field as its {@code jq}
 * calls build them, so that old loaders reading only {@code repositories} see what they saw before.
 */
final class LegacyLayerJson {

    /** The date the seed's starter document (taken from Docker's own {@code docker save}) gives every lower layer. */
    static final String ZERO_TIME = "0001-01-01T00:00:00Z";

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private LegacyLayerJson() {
    }

    /** A lower layer: {@code { id, parent } + <starter>}, without {@code parent} for the base layer. */
    static ObjectNode starter(String id, String parentId) {
        ObjectNode json = idAndParent(id, parentId);
        json.put("created", ZERO_TIME);
        ObjectNode container = json.putObject("container_config");
        container.put("Hostname", "");
        container.put("Domainname", "");
        container.put("User", "");
        container.put("AttachStdin", false);
        container.put("AttachStdout", false);
        container.put("AttachStderr", false);
        container.put("Tty", false);
        container.put("OpenStdin", false);
        container.put("StdinOnce", false);
        container.putNull("Env");
        container.putNull("Cmd");
        container.put("Image", "");
        container.putNull("Volumes");
        container.put("WorkingDir", "");
        container.putNull("Entrypoint");
        container.putNull("OnBuild");
        container.putNull("Labels");
        return json;
    }

    /**
     * The top layer: {@code { id, parent } + (config | del(.history, .rootfs))}. jq's object addition lets
     * the right side win on a shared key; a config has no {@code id} or {@code parent}, but the same rule
     * is kept so the result is the seed's in every case.
     */
    static ObjectNode top(String id, String parentId, JsonNode config) {
        ObjectNode json = idAndParent(id, parentId);
        for (Iterator<Map.Entry<String, JsonNode>> it = config.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> field = it.next();
            if (!field.getKey().equals("history") && !field.getKey().equals("rootfs")) {
                json.set(field.getKey(), field.getValue());
            }
        }
        return json;
    }

    private static ObjectNode idAndParent(String id, String parentId) {
        ObjectNode json = NODES.objectNode();
        json.put("id", id);
        if (!parentId.isEmpty()) {
            json.put("parent", parentId);
        }
        return json;
    }
}
