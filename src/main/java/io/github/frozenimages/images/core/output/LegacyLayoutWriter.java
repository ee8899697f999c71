package io.github.frozenimages.images.core.output;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.frozenimages.images.core.model.Descriptor;
import io.github.frozenimages.images.core.model.ImageConfig;
import io.github.frozenimages.images.core.model.Json;
import io.github.frozenimages.images.core.store.BlobStore;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The tree Moby's {@code download-frozen-image-v2.sh} writes, so that whatever consumed the seed script's
 * output keeps working unchanged: one {@code <fake v1 id>/} folder per layer with {@code VERSION},
 * {@code json} and {@code layer.tar} (the blob as served, still compressed), {@code <config hex>.json},
 * {@code manifest.json} with one entry per image asked for, and {@code repositories} merging every tag of a
 * name. Where the seed writes the same folder twice, the document it leaves last is the one planned here.
 */
public final class LegacyLayoutWriter implements LayoutWriter {

    /** What the seed's {@code echo '1.0' > VERSION} writes: with the newline echo adds. */
    static final byte[] VERSION = "1.0\n".getBytes(StandardCharsets.UTF_8);

    private final BlobStore store;

    public LegacyLayoutWriter(BlobStore store) {
        this.store = store;
    }

    @Override
    public LayoutPlan plan(List<OutputImage> images) throws IOException {
        LayoutPlan plan = new LayoutPlan();
        Map<String, JsonNode> layerJson = new LinkedHashMap<>();
        ArrayNode manifestJson = JsonNodeFactory.instance.arrayNode();
        ObjectNode repositories = JsonNodeFactory.instance.objectNode();
        Set<String> entries = new HashSet<>();
        Map<String, OutputImage> byRepoTag = new HashMap<>();
        for (OutputImage image : images) {
            Optional<String> repoTag = ImageNames.repoTag(image.reference());
            if (repoTag.isPresent()) {
                refuseSecondImageUnderOneName(byRepoTag.putIfAbsent(repoTag.get(), image), image, repoTag.get());
            }
            if (!entries.add(repoTag.orElse("") + " " + image.manifest().digest())) {
                continue; // the same image asked for twice: the seed would write a second, identical entry
            }
            Layers layers = image.schema1().isPresent() ? planSchema1(plan, image.schema1().get()) : planLayers(plan, image, layerJson);
            String configFile = image.config().digest().hex() + ".json";
            plan.blob(configFile, store.path(image.config().digest()));
            ObjectNode entry = manifestJson.addObject();
            entry.put("Config", configFile);
            if (repoTag.isPresent()) {
                entry.putArray("RepoTags").add(repoTag.get());
            } else {
                entry.putNull("RepoTags"); // docker load refuses a name without a tag, as docker save writes it
            }
            entry.set("Layers", layers.paths());
            ImageNames.addToRepositories(repositories, image.reference(), layers.topId());
        }
        for (Map.Entry<String, JsonNode> json : layerJson.entrySet()) {
            plan.document(json.getKey() + "/json", Json.write(json.getValue()));
        }
        plan.document("manifest.json", Json.write(manifestJson));
        plan.document("repositories", Json.write(repositories));
        return plan;
    }

    /** The {@code layer.tar} paths {@code manifest.json} lists for an image, base first, and the id {@code repositories} names. */
    private record Layers(ArrayNode paths, String topId) {
    }

    /** An image's fake v1 layer folders, as the seed writes them; its config becomes the top layer's {@code json}. */
    private Layers planLayers(LayoutPlan plan, OutputImage image, Map<String, JsonNode> layerJson) throws IOException {
        if (image.layers().isEmpty()) {
            throw new IOException(image.reference().familiarString() + " has no layers, and the legacy format names an image"
                    + " by its top layer; use format docker or oci for it");
        }
        List<String> ids = LegacyLayerIds.of(image.layers());
        ArrayNode layerPaths = JsonNodeFactory.instance.arrayNode();
        for (int i = 0; i < ids.size(); i++) {
            String id = ids.get(i);
            if (!OciLayoutWriter.leftOut(store, image.layers().get(i))) {
                plan.blob(id + "/layer.tar", store.path(image.layers().get(i).digest()));
            }
            plan.document(id + "/VERSION", VERSION);
            // the seed writes the starter only into a folder without json: a top layer's document stays
            layerJson.putIfAbsent(id, LegacyLayerJson.starter(id, i == 0 ? "" : ids.get(i - 1)));
            layerPaths.add(id + "/layer.tar");
        }
        String topId = ids.get(ids.size() - 1);
        String topParent = ids.size() == 1 ? "" : ids.get(ids.size() - 2);
        // rewritten for every image, so of two images with the same layers the last one's config is kept
        layerJson.put(topId, LegacyLayerJson.top(topId, topParent, config(image.config())));
        return new Layers(layerPaths, topId);
    }

    /**
     * A schema 1 image as the seed writes it: a folder per history entry, named by the entry's own v1 id and
     * holding its v1Compatibility text, every blob including the empty ones, and the top id in
     * {@code repositories}. The seed then drops {@code manifest.json} for the whole tree, because it cannot
     * rebuild an image config, and engines that still read the tree without one are gone (Docker requires
     * it since API 1.52, Podman always did). The converted config is written and named in a
     * {@code manifest.json} entry, whose layers are the entries' {@code layer.tar} files that are not empty.
     */
    private Layers planSchema1(LayoutPlan plan, Schema1Tree tree) {
        ArrayNode layerPaths = JsonNodeFactory.instance.arrayNode();
        for (Schema1Tree.Entry entry : tree.entries()) {
            plan.document(entry.id() + "/VERSION", VERSION);
            plan.document(entry.id() + "/json", (entry.v1Compatibility() + "\n").getBytes(StandardCharsets.UTF_8));
            plan.blob(entry.id() + "/layer.tar", store.path(entry.blob().digest()));
            if (entry.layerOfImage()) {
                layerPaths.insert(0, entry.id() + "/layer.tar"); // the tree lists the top first, manifest.json the base
            }
        }
        return new Layers(layerPaths, tree.topId());
    }

    /** Config bytes as the registry served them, from the store. */
    private JsonNode config(Descriptor config) throws IOException {
        return Json.readObject(store.read(config, ImageConfig.MAX_BYTES));
    }

    /**
     * {@code repositories} maps a name and tag to one top layer, so one {@code name:tag} cannot stand for two
     * images (as it would when pulled for two platforms); the seed cannot write that either.
     */
    private static void refuseSecondImageUnderOneName(OutputImage earlier, OutputImage image, String repoTag) throws IOException {
        if (earlier != null && !earlier.manifest().digest().equals(image.manifest().digest())) {
            throw new IOException("the legacy format holds one image per name and tag, but " + repoTag + " was pulled as two images ("
                    + describe(earlier) + " and " + describe(image) + "); pull one platform per name:tag, or use format docker or oci");
        }
    }

    private static String describe(OutputImage image) {
        return (image.manifest().platform() == null ? "" : image.manifest().platform() + " ") + image.manifest().digest().shortHex();
    }
}
