package io.github.frozenimages.images.core.model;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.frozenimages.images.core.ref.Digest;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/** The parts of an image config the plugin needs: its platform and the uncompressed layer digests. */
public record ImageConfig(String os, String architecture, String variant, List<Digest> diffIds) {

    public static final int MAX_BYTES = 4 * 1024 * 1024;

    public ImageConfig {
        diffIds = List.copyOf(diffIds);
    }

    public static ImageConfig parse(byte[] bytes) throws IOException {
        JsonNode root;
        try {
            root = Json.readObject(bytes);
        } catch (IOException e) {
            throw new ManifestFormatException("the image config is not valid JSON: " + e.getMessage(), false);
        }
        try {
            Json.refuseCaseVariants(root, "the image config", "os", "architecture", "variant", "rootfs");
        } catch (IOException e) {
            throw new ManifestFormatException(e.getMessage(), false);
        }
        JsonNode rootfs = root.get("rootfs");
        if (rootfs == null || !rootfs.isObject()) {
            throw new ManifestFormatException("the image config has no rootfs", false);
        }
        JsonNode ids = rootfs.get("diff_ids");
        if (ids == null || !ids.isArray()) {
            throw new ManifestFormatException("the image config has no rootfs.diff_ids", false);
        }
        List<Digest> diffIds = new ArrayList<>();
        for (JsonNode id : ids) {
            try {
                diffIds.add(Digest.parse(id.asText()));
            } catch (IllegalArgumentException e) {
                throw new ManifestFormatException("the image config has an invalid diff_id: " + e.getMessage(), false);
            }
        }
        return new ImageConfig(Json.text(root, "os"), Json.text(root, "architecture"), Json.text(root, "variant"), diffIds);
    }
}
