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
 * @param index    for a multi-platform pull, the index the layout names instead of the single manifest
 * @param schema1  for an image served as Docker schema 1, its v1 entries as the legacy format writes them;
 *                 {@code manifest} and {@code config} are then the converted ones
 */
public record OutputImage(ImageReference reference, Descriptor manifest, Descriptor config, List<Descriptor> layers,
                          List<Digest> diffIds, java.util.Optional<IndexOutput> index,
                          java.util.Optional<Schema1Tree> schema1, List<AttachedArtifact> attached) {

    public OutputImage {
        layers = List.copyOf(layers);
        diffIds = List.copyOf(diffIds);
        index = index == null ? java.util.Optional.empty() : index;
        schema1 = schema1 == null ? java.util.Optional.empty() : schema1;
        attached = attached == null ? List.of() : List.copyOf(attached);
    }

    public OutputImage(ImageReference reference, Descriptor manifest, Descriptor config, List<Descriptor> layers,
                       List<Digest> diffIds, java.util.Optional<IndexOutput> index, java.util.Optional<Schema1Tree> schema1) {
        this(reference, manifest, config, layers, diffIds, index, schema1, List.of());
    }

    /** The same image with an artifact carried beside it (a signature image), under its own tag in the layout. */
    public OutputImage withAttached(AttachedArtifact artifact) {
        List<AttachedArtifact> more = new java.util.ArrayList<>(attached);
        more.add(artifact);
        return new OutputImage(reference, manifest, config, layers, diffIds, index, schema1, more);
    }

    /** A single-platform image. */
    public OutputImage(ImageReference reference, Descriptor manifest, Descriptor config, List<Descriptor> layers, List<Digest> diffIds) {
        this(reference, manifest, config, layers, diffIds, java.util.Optional.empty(), java.util.Optional.empty());
    }

    public OutputImage withIndex(IndexOutput indexOutput) {
        return new OutputImage(reference, manifest, config, layers, diffIds, java.util.Optional.of(indexOutput), schema1, attached);
    }

    public OutputImage withSchema1(Schema1Tree tree) {
        return new OutputImage(reference, manifest, config, layers, diffIds, index, java.util.Optional.of(tree), attached);
    }

    /** What index.json names for this image: its index when it keeps several platforms, else its manifest. */
    public Descriptor top() {
        return index.map(IndexOutput::index).orElse(manifest);
    }

    /** Every blob the image needs in an image layout: manifest, config, and each layer once. */
    public List<Descriptor> blobs() {
        java.util.LinkedHashMap<Digest, Descriptor> unique = new java.util.LinkedHashMap<>();
        unique.put(manifest.digest(), manifest);
        unique.put(config.digest(), config);
        for (Descriptor layer : layers) {
            unique.putIfAbsent(layer.digest(), layer);
        }
        index.ifPresent(i -> {
            unique.putIfAbsent(i.index().digest(), i.index());
            i.blobs().forEach(b -> unique.putIfAbsent(b.digest(), b));
        });
        return List.copyOf(unique.values());
    }
}
