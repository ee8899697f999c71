package io.github.frozenimages.images.core.output;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.frozenimages.images.core.model.Descriptor;
import io.github.frozenimages.images.core.model.Json;
import io.github.frozenimages.images.core.model.MediaTypes;
import io.github.frozenimages.images.core.ref.Platform;
import io.github.frozenimages.images.core.store.BlobStore;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The OCI image layout: {@code oci-layout}, {@code blobs/sha256/...} with the exact registry bytes, and an
 * {@code index.json} with one entry per image name, carrying both naming annotations that containerd,
 * Docker and Podman read.
 */
public final class OciLayoutWriter implements LayoutWriter {

    private final BlobStore store;

    public OciLayoutWriter(BlobStore store) {
        this.store = store;
    }

    @Override
    public LayoutPlan plan(List<OutputImage> images) throws IOException {
        LayoutPlan plan = new LayoutPlan();
        for (OutputImage image : images) {
            for (Descriptor blob : image.blobs()) {
                if (!leftOut(store, blob)) {
                    plan.blob(blobPath(blob), store.path(blob.digest()));
                }
            }
            for (AttachedArtifact artifact : image.attached()) {
                plan.blob(blobPath(artifact.manifest()), store.path(artifact.manifest().digest()));
                for (Descriptor blob : artifact.blobs()) {
                    plan.blob(blobPath(blob), store.path(blob.digest()));
                }
            }
        }
        plan.document("oci-layout", "{\"imageLayoutVersion\":\"1.0.0\"}".getBytes(StandardCharsets.UTF_8));
        plan.document("index.json", Json.write(index(images)));
        return plan;
    }

    /**
     * A non-distributable layer the pull did not fetch: the image layout spec lets such blobs be absent, and
     * the manifest still names them, as {@code docker save} and containerd's export do.
     */
    static boolean leftOut(BlobStore store, Descriptor blob) {
        return MediaTypes.isNondistributable(blob.mediaType()) && !java.nio.file.Files.isRegularFile(store.path(blob.digest()),
                java.nio.file.LinkOption.NOFOLLOW_LINKS);
    }

    static String blobPath(Descriptor d) {
        return "blobs/" + d.digest().algorithm() + "/" + d.digest().hex();
    }

    static ObjectNode index(List<OutputImage> images) {
        ObjectNode index = JsonNodeFactory.instance.objectNode();
        index.put("schemaVersion", 2);
        index.put("mediaType", MediaTypes.OCI_INDEX);
        ArrayNode manifests = index.putArray("manifests");
        Set<String> written = new LinkedHashSet<>();
        for (OutputImage image : images) {
            String name = ImageNames.containerdName(image.reference());
            if (!written.add(name + " " + image.top().digest())) {
                continue; // the same image asked for twice is one entry
            }
            ObjectNode entry = descriptor(image.top());
            ObjectNode annotations = entry.putObject("annotations");
            annotations.put(ImageNames.CONTAINERD_NAME, name);
            image.reference().tag().ifPresent(tag -> annotations.put(ImageNames.OCI_REF_NAME, tag));
            manifests.add(entry);
            for (AttachedArtifact artifact : image.attached()) {
                if (!written.add(image.reference().name() + ":" + artifact.tag() + " " + artifact.manifest().digest())) {
                    continue;
                }
                ObjectNode attachedEntry = descriptor(artifact.manifest());
                ObjectNode names = attachedEntry.putObject("annotations");
                names.put(ImageNames.CONTAINERD_NAME, image.reference().name() + ":" + artifact.tag());
                names.put(ImageNames.OCI_REF_NAME, artifact.tag());
                manifests.add(attachedEntry);
            }
        }
        return index;
    }

    static ObjectNode descriptor(Descriptor d) {
        ObjectNode node = JsonNodeFactory.instance.objectNode();
        node.put("mediaType", d.mediaType());
        node.put("digest", d.digest().toString());
        node.put("size", d.size());
        Platform p = d.platform();
        if (p != null) {
            ObjectNode platform = node.putObject("platform");
            platform.put("architecture", p.architecture());
            platform.put("os", p.os());
            if (!p.variant().isEmpty()) {
                platform.put("variant", p.variant());
            }
        }
        return node;
    }
}
