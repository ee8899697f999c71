package io.github.frozenimages.images.core.output;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.frozenimages.images.core.model.Descriptor;
import io.github.frozenimages.images.core.model.Json;
import io.github.frozenimages.images.core.ref.Digest;
import io.github.frozenimages.images.core.store.BlobStore;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The shape {@code docker save} writes since Docker 25: an OCI image layout that is at the same time a
 * docker-archive, through {@code manifest.json} (whose {@code Layers} point at the compressed registry blobs)
 * and {@code repositories}. Docker, Podman, skopeo and containerd all load it.
 */
public final class DockerLayoutWriter implements LayoutWriter {

    private final OciLayoutWriter layout;

    public DockerLayoutWriter(BlobStore store) {
        this.layout = new OciLayoutWriter(store);
    }

    @Override
    public LayoutPlan plan(List<OutputImage> images) throws IOException {
        LayoutPlan plan = layout.plan(images);
        plan.document("manifest.json", Json.write(manifestJson(images)));
        plan.document("repositories", Json.write(repositories(images)));
        return plan;
    }

    /** One entry per distinct image (several tags of one image share it), images in the order asked for. */
    static ArrayNode manifestJson(List<OutputImage> images) {
        Map<Digest, List<OutputImage>> byManifest = new LinkedHashMap<>();
        for (OutputImage image : images) {
            byManifest.computeIfAbsent(image.manifest().digest(), d -> new ArrayList<>()).add(image);
        }
        ArrayNode entries = JsonNodeFactory.instance.arrayNode();
        for (List<OutputImage> group : byManifest.values()) {
            OutputImage first = group.get(0);
            ObjectNode entry = entries.addObject();
            entry.put("Config", path(first.config()));
            List<String> tags = new ArrayList<>();
            for (OutputImage image : group) {
                Optional<String> tag = ImageNames.repoTag(image.reference());
                tag.filter(t -> !tags.contains(t)).ifPresent(tags::add);
            }
            if (tags.isEmpty()) {
                entry.putNull("RepoTags");
            } else {
                ArrayNode repoTags = entry.putArray("RepoTags");
                tags.forEach(repoTags::add);
            }
            ArrayNode layers = entry.putArray("Layers");
            for (Descriptor layer : first.layers()) {
                layers.add(path(layer));
            }
        }
        return entries;
    }

    /** {@code {"name": {"tag": "<top layer DiffID hex>"}}}, as Docker 25+ writes it; read only by old loaders. */
    static ObjectNode repositories(List<OutputImage> images) {
        ObjectNode repositories = JsonNodeFactory.instance.objectNode();
        for (OutputImage image : images) {
            if (!image.diffIds().isEmpty()) {
                ImageNames.addToRepositories(repositories, image.reference(), image.diffIds().get(image.diffIds().size() - 1).hex());
            }
        }
        return repositories;
    }

    private static String path(Descriptor d) {
        return OciLayoutWriter.blobPath(d);
    }
}
