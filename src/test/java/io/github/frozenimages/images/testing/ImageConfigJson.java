package io.github.frozenimages.images.testing;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Map;

/**
 * Writes an image config the way real builders do, complete enough for podman, skopeo and umoci:
 * platform fields, {@code created}, a runtime {@code config}, {@code rootfs.diff_ids} in layer order
 * and a {@code history} with one entry per layer plus one metadata-only ({@code empty_layer}) entry.
 */
final class ImageConfigJson {

    static final String CREATED = "2024-01-01T00:00:00Z";
    static final String PATH_ENV = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

    private ImageConfigJson() {
    }

    static byte[] write(String os, String architecture, String variant, List<TestLayer> layers,
            Map<String, String> labels) {
        ObjectNode config = Json.object();
        config.put("architecture", architecture);
        config.put("os", os);
        if (!variant.isEmpty()) {
            config.put("variant", variant);
        }
        config.put("created", CREATED);
        config.set("config", runtimeConfig(labels));
        config.set("rootfs", rootfs(layers));
        config.set("history", history(layers));
        return Json.bytes(config);
    }

    private static ObjectNode runtimeConfig(Map<String, String> labels) {
        ObjectNode runtime = Json.object();
        runtime.putArray("Env").add(PATH_ENV);
        runtime.putArray("Cmd").add("/bin/sh");
        runtime.put("WorkingDir", "/");
        if (!labels.isEmpty()) {
            runtime.set("Labels", Json.stringMap(labels));
        }
        return runtime;
    }

    private static ObjectNode rootfs(List<TestLayer> layers) {
        ObjectNode rootfs = Json.object();
        rootfs.put("type", "layers");
        ArrayNode diffIds = rootfs.putArray("diff_ids");
        layers.forEach(layer -> diffIds.add(layer.diffId()));
        return rootfs;
    }

    private static ArrayNode history(List<TestLayer> layers) {
        ArrayNode history = Json.MAPPER.createArrayNode();
        for (TestLayer layer : layers) {
            history.addObject()
                    .put("created", CREATED)
                    .put("created_by", "COPY " + layer.seed() + " /" + layer.directory() + " # buildkit");
        }
        // Real configs carry entries without a layer; consumers must not pair history with layers 1:1.
        history.addObject()
                .put("created", CREATED)
                .put("created_by", "CMD [\"/bin/sh\"]")
                .put("empty_layer", true);
        return history;
    }
}
