package io.github.frozenimages.images.core.download;

import io.github.frozenimages.images.core.model.Descriptor;
import io.github.frozenimages.images.core.model.MediaTypes;
import io.github.frozenimages.images.core.model.Schema1Converter;
import io.github.frozenimages.images.core.model.Schema1Manifest;
import io.github.frozenimages.images.core.output.OutputImage;
import io.github.frozenimages.images.core.output.Schema1Tree;
import io.github.frozenimages.images.core.ref.Digest;
import io.github.frozenimages.images.core.ref.ImageRequest;
import io.github.frozenimages.images.core.ref.Platform;
import io.github.frozenimages.images.core.registry.RegistryClient;
import io.github.frozenimages.images.core.registry.ResolvedImage;
import io.github.frozenimages.images.core.shared.ImagePullException.Reason;
import io.github.frozenimages.images.core.shared.PullListener;
import io.github.frozenimages.images.core.store.BlobStore;
import io.github.frozenimages.images.core.store.LayerDiffId;
import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Brings a Docker schema 1 image into the store and converts it: every blob the manifest lists (the legacy
 * format writes even the empty ones, as the seed does), the diff id of each layer that counts, then an OCI
 * config and manifest built from them, stored like any other blob. The writers then see an ordinary image.
 */
final class Schema1Download {

    /** What a schema 1 blob is taken for until its first bytes tell gzip from a plain tar. */
    private static final String PROVISIONAL_TYPE = "application/vnd.docker.image.rootfs.diff.tar.gzip";

    private final BlobDownloads blobs;
    private final BlobStore store;
    private final PullListener listener;
    private final boolean offline;

    Schema1Download(BlobDownloads blobs, PullListener listener, boolean offline) {
        this.blobs = blobs;
        this.store = blobs.store();
        this.listener = listener;
        this.offline = offline;
    }

    Downloaded fetch(RegistryClient client, ResolvedImage resolved, Schema1Manifest manifest, ImageRequest request) throws IOException {
        long start = System.nanoTime();
        String name = resolved.reference().familiarString();
        listener.warn(name + " is a Docker schema 1 image, which Docker 28.2 and containerd 2.0 no longer pull;"
                + " it is converted to an OCI image (config from its history, diff ids from its layers)");
        Map<Digest, Descriptor> sized = sizedBlobs(client, resolved, manifest);
        Map<Digest, LayerDiffId> diffIds = new ConcurrentHashMap<>();
        BlobDownloads.Tally tally = blobs.fetchLayers(client, resolved, sized.values(), blob -> {
            if (manifest.entries().stream().anyMatch(e -> e.blobSum().equals(blob.digest()) && Schema1Converter.needsLayer(e))) {
                diffIds.put(blob.digest(), diffIdOf(resolved, blob));
            }
        });

        Map<Digest, Schema1Converter.LayerFacts> facts = new LinkedHashMap<>();
        diffIds.forEach((digest, id) -> facts.put(digest, new Schema1Converter.LayerFacts(new Descriptor(id.gzip()
                ? MediaTypes.OCI_LAYER_GZIP : MediaTypes.OCI_LAYER, digest, sized.get(digest).size()), id.diffId(), id.allZero())));
        Schema1Converter.Converted converted = Schema1Converter.convert(manifest, facts);
        store.put(converted.configDescriptor(), converted.config());
        store.put(converted.manifestDescriptor(), converted.manifest());

        Platform platform = resolved.index().isPresent() ? resolved.platform()
                : DeclaredPlatform.of(listener, resolved, Schema1Converter.os(manifest), Schema1Converter.architecture(manifest),
                Schema1Converter.variant(manifest), request.platform());
        List<Schema1Tree.Entry> entries = new ArrayList<>();
        for (Schema1Manifest.Entry entry : manifest.entries()) {
            LayerDiffId id = diffIds.get(entry.blobSum());
            boolean layerOfImage = Schema1Converter.needsLayer(entry) && id != null && !id.allZero();
            entries.add(new Schema1Tree.Entry(entry.id(), entry.v1Compatibility(), sized.get(entry.blobSum()), layerOfImage));
        }
        OutputImage output = new OutputImage(resolved.reference(), converted.manifestDescriptor().withPlatform(platform),
                converted.configDescriptor(), converted.layers(), converted.diffIds()).withSchema1(new Schema1Tree(entries));
        return new Downloaded(output, List.of(tally.pulled(client, resolved, platform, converted.configDescriptor().digest(),
                converted.layers().size(), start)));
    }

    /**
     * Schema 1 lists blobs without sizes. A blob in the cache has the size of its verified file; any other
     * is asked with a HEAD, so the download is checked against a length as every other blob is. Offline,
     * every missing blob is named at once.
     */
    private Map<Digest, Descriptor> sizedBlobs(RegistryClient client, ResolvedImage resolved, Schema1Manifest manifest) throws IOException {
        Map<Digest, Descriptor> sized = new LinkedHashMap<>();
        List<String> missing = new ArrayList<>();
        for (Schema1Manifest.Entry entry : manifest.entries()) {
            Digest digest = entry.blobSum();
            if (sized.containsKey(digest)) {
                continue;
            }
            Descriptor unsized = new Descriptor(PROVISIONAL_TYPE, digest, -1);
            if (store.contains(unsized)) {
                sized.put(digest, new Descriptor(PROVISIONAL_TYPE, digest, Files.size(store.path(digest))));
            } else if (offline) {
                missing.add("layer " + digest);
                sized.put(digest, unsized);
            } else {
                long size = client.blobSize(resolved.operation("find the size of a layer of", digest), digest);
                sized.put(digest, new Descriptor(PROVISIONAL_TYPE, digest, size));
            }
        }
        if (!missing.isEmpty()) {
            throw resolved.operation("pull", resolved.manifest().digest()).failure(Reason.NOT_IN_CACHE,
                    "offline, and the cache " + store.root() + " lacks " + String.join(", ", missing));
        }
        return sized;
    }

    private LayerDiffId diffIdOf(ResolvedImage resolved, Descriptor blob) {
        try {
            return LayerDiffId.of(store.path(blob.digest()));
        } catch (IOException e) {
            throw resolved.operation("read a layer of", blob.digest()).failure(Reason.PROTOCOL,
                    "to compute its diff id for the conversion from schema 1: " + e.getMessage(), e);
        }
    }
}
