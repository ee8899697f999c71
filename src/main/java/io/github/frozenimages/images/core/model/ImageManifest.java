package io.github.frozenimages.images.core.model;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.util.List;

/** A single-platform image manifest: one config blob and its layers, base first. */
public record ImageManifest(String mediaType, Descriptor config, List<Descriptor> layers) implements ManifestDocument {

    /** Docker refuses images with more than 127 layers; this bound is looser but stops absurd documents. */
    public static final int MAX_LAYERS = 1000;

    public ImageManifest {
        layers = List.copyOf(layers);
    }

    static ImageManifest read(String mediaType, JsonNode root) throws IOException {
        Descriptor config = Descriptor.read(root.get("config"), "config");
        return new ImageManifest(mediaType, config, Descriptor.readAll(root, "layers", MAX_LAYERS, "the manifest", "layer"));
    }

    /** Whether the config type says this is a runnable image (unknown config types are other OCI artifacts). */
    public boolean isImage() {
        return config.mediaType() == null || MediaTypes.IMAGE_CONFIGS.contains(config.mediaType());
    }
}
