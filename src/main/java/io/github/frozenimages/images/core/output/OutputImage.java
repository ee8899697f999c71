package io.github.frozenimages.images.core.output;

import io.github.frozenimages.images.core.model.Descriptor;
import io.github.frozenimages.images.core.ref.Digest;
import io.github.frozenimages.images.core.ref.ImageReference;
import java.util.List;

/**
 * One pulled image as the writers see it: names and descriptors only; every byte comes from the store.
 *
 * @param manifest the platform manifest's descriptor, with its platform
 * @param diffIds  the uncompressed layer digests from the config, base first
 */
public record OutputImage(ImageReference reference, Descriptor manifest, Descriptor config, List<Descriptor> layers,
                          List<Digest> diffIds) {

    public OutputImage {
        layers = List.copyOf(layers);
        diffIds = List.copyOf(diffIds);
    }

    /** Every blob the image needs in an image layout: manifest, config, and each layer once. */
    public List<Descriptor> blobs() {
        java.util.LinkedHashMap<Digest, Descriptor> unique = new java.util.LinkedHashMap<>();
        unique.put(manifest.digest(), manifest);
        unique.put(config.digest(), config);
        for (Descriptor layer : layers) {
            unique.putIfAbsent(layer.digest(), layer);
        }
        return List.copyOf(unique.values());
    }
}
