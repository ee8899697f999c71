package io.github.frozenimages.images.core.output;

import io.github.frozenimages.images.core.model.Descriptor;
import io.github.frozenimages.images.core.ref.Digest;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The fake v1 layer ids of {@code download-frozen-image-v2.sh}: each is the sha256 of what
 * {@code echo "$parentId"$'\n'"$layerDigest" | sha256sum} hashes, that is the previous id (empty for the
 * base layer), a newline, the layer digest and the newline {@code echo} adds. Chained through the parent,
 * so one layer listed twice in an image still gets two distinct folders, and images sharing their lower
 * layers share those folders.
 */
final class LegacyLayerIds {

    private LegacyLayerIds() {
    }

    /** The ids of an image's layers, base first. */
    static List<String> of(List<Descriptor> layers) {
        List<String> ids = new ArrayList<>(layers.size());
        String parent = "";
        for (Descriptor layer : layers) {
            parent = next(parent, layer.digest());
            ids.add(parent);
        }
        return ids;
    }

    /** The id of a layer on top of {@code parentId} ({@code ""} for the base layer). */
    static String next(String parentId, Digest layer) {
        return Digest.sha256((parentId + "\n" + layer + "\n").getBytes(StandardCharsets.UTF_8)).hex();
    }
}
