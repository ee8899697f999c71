package io.github.frozenimages.images.core.output;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.frozenimages.images.core.model.Descriptor;
import io.github.frozenimages.images.core.model.Json;
import io.github.frozenimages.images.core.model.MediaTypes;
import io.github.frozenimages.images.core.ref.Digest;
import io.github.frozenimages.images.core.ref.ImageReference;
import io.github.frozenimages.images.core.ref.Platform;
import io.github.frozenimages.images.core.store.BlobStore;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPOutputStream;

/**
 * A blob store holding real images: gzip layers, an OCI config whose diff_ids are the digests of the
 * uncompressed layers, and OCI manifest bytes referencing both, exactly as a registry would serve them.
 */
final class StoreFixture {

    static final String LAYER_TYPE = "application/vnd.oci.image.layer.v1.tar+gzip";

    /** One layer: its compressed blob and the digest of its uncompressed content. */
    record Layer(Descriptor blob, Digest diffId) {
    }

    /** One platform image in the store. */
    record Image(Descriptor manifest, Descriptor config, List<Descriptor> layers, List<Digest> diffIds, byte[] manifestBytes) {

        OutputImage as(String reference) {
            return new OutputImage(ImageReference.parse(reference), manifest, config, layers, diffIds);
        }
    }

    final BlobStore store;

    StoreFixture(Path root) {
        this.store = new BlobStore(root);
    }

    Layer layer(String content) throws IOException {
        byte[] raw = content.getBytes(StandardCharsets.UTF_8);
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(buffer)) {
            gz.write(raw);
        }
        byte[] compressed = buffer.toByteArray();
        Descriptor blob = new Descriptor(LAYER_TYPE, Digest.sha256(compressed), compressed.length);
        store.put(blob, compressed);
        return new Layer(blob, Digest.sha256(raw));
    }

    /** Stores config and manifest for these layers (base first; a layer may repeat). */
    Image image(Platform platform, String label, Layer... layers) throws IOException {
        ObjectNode config = JsonNodeFactory.instance.objectNode();
        config.put("created", "2025-01-01T00:00:00Z");
        config.put("architecture", platform.architecture());
        config.put("os", platform.os());
        if (!platform.variant().isEmpty()) {
            config.put("variant", platform.variant());
        }
        config.putObject("config").putArray("Env").add("LABEL=" + label); // makes each config distinct
        ObjectNode rootfs = config.putObject("rootfs");
        rootfs.put("type", "layers");
        ArrayNode diffIds = rootfs.putArray("diff_ids");
        List<Digest> diffIdList = new ArrayList<>();
        List<Descriptor> layerList = new ArrayList<>();
        for (Layer layer : layers) {
            diffIds.add(layer.diffId().toString());
            diffIdList.add(layer.diffId());
            layerList.add(layer.blob());
        }
        byte[] configBytes = new com.fasterxml.jackson.databind.ObjectMapper().writeValueAsBytes(config);
        Descriptor configDescriptor = new Descriptor(MediaTypes.OCI_CONFIG, Digest.sha256(configBytes), configBytes.length);
        store.put(configDescriptor, configBytes);

        ObjectNode manifest = JsonNodeFactory.instance.objectNode();
        manifest.put("schemaVersion", 2);
        manifest.put("mediaType", MediaTypes.OCI_MANIFEST);
        manifest.set("config", descriptorJson(configDescriptor));
        ArrayNode layerArray = manifest.putArray("layers");
        layerList.forEach(l -> layerArray.add(descriptorJson(l)));
        // pretty-printed, as some registries serve it: the writers must keep these exact bytes
        byte[] manifestBytes = new com.fasterxml.jackson.databind.ObjectMapper().writerWithDefaultPrettyPrinter().writeValueAsBytes(manifest);
        Descriptor manifestDescriptor = new Descriptor(MediaTypes.OCI_MANIFEST, Digest.sha256(manifestBytes), manifestBytes.length)
                .withPlatform(platform);
        store.put(manifestDescriptor, manifestBytes);
        return new Image(manifestDescriptor, configDescriptor, layerList, diffIdList, manifestBytes);
    }

    private static ObjectNode descriptorJson(Descriptor d) {
        ObjectNode node = JsonNodeFactory.instance.objectNode();
        node.put("mediaType", d.mediaType());
        node.put("digest", d.digest().toString());
        node.put("size", d.size());
        return node;
    }
}
