package io.github.frozenimages.images.core;

import io.github.frozenimages.images.core.ImagePullException.Reason;
import io.github.frozenimages.images.core.model.Descriptor;
import io.github.frozenimages.images.core.model.MediaTypes;
import io.github.frozenimages.images.core.model.Schema1Converter;
import io.github.frozenimages.images.core.model.Schema1Manifest;
import io.github.frozenimages.images.core.output.OutputImage;
import io.github.frozenimages.images.core.output.Schema1Tree;
import io.github.frozenimages.images.core.ref.Digest;
import io.github.frozenimages.images.core.ref.Platform;
import io.github.frozenimages.images.core.registry.RegistryClient;
import io.github.frozenimages.images.core.registry.ResolvedImage;
import io.github.frozenimages.images.core.store.LayerDiffId;
import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.hc.core5.http.ClassicHttpResponse;
import org.apache.hc.core5.http.Header;
import org.apache.hc.core5.http.HttpHeaders;

/**
 * Brings a Docker schema 1 image into the store and converts it: every blob the manifest lists (the legacy
 * format writes even the empty ones, as the seed does), the diff id of each layer that counts, then an OCI
 * config and manifest built from them, stored like any other blob. The writers then see an ordinary image.
 */
final class Schema1Download {

    /** What a schema 1 blob is taken for until its first bytes tell gzip from a plain tar. */
    private static final String PROVISIONAL_TYPE = "application/vnd.docker.image.rootfs.diff.tar.gzip";

    private final ImageDownload download;

    Schema1Download(ImageDownload download) {
        this.download = download;
    }

    ImageDownload.Result fetch(ResolvedImage resolved, Schema1Manifest manifest, ImageRequest request) throws IOException {
        long start = System.nanoTime();
        String name = resolved.reference().familiarString();
        download.listener.warn(name + " is a Docker schema 1 image, which Docker 28.2 and containerd 2.0 no longer pull;"
                + " it is converted to an OCI image (config from its history, diff ids from its layers)");
        Map<Digest, Descriptor> blobs = sizedBlobs(resolved, manifest);
        Map<Digest, LayerDiffId> diffIds = new ConcurrentHashMap<>();
        ImageDownload.Tally tally = download.fetchLayers(resolved, blobs.values(), blob -> {
            if (manifest.entries().stream().anyMatch(e -> e.blobSum().equals(blob.digest()) && Schema1Converter.needsLayer(e))) {
                diffIds.put(blob.digest(), diffIdOf(resolved, blob));
            }
        });

        Map<Digest, Schema1Converter.LayerFacts> facts = new LinkedHashMap<>();
        diffIds.forEach((digest, id) -> facts.put(digest, new Schema1Converter.LayerFacts(new Descriptor(id.gzip()
                ? MediaTypes.OCI_LAYER_GZIP : MediaTypes.OCI_LAYER, digest, blobs.get(digest).size()), id.diffId(), id.allZero())));
        Schema1Converter.Converted converted = Schema1Converter.convert(manifest, facts);
        download.store.put(converted.configDescriptor(), converted.config());
        download.store.put(converted.manifestDescriptor(), converted.manifest());

        Platform platform = resolved.index().isPresent() ? resolved.platform()
                : download.declaredPlatform(resolved, Schema1Converter.os(manifest), Schema1Converter.architecture(manifest),
                Schema1Converter.variant(manifest), request.platform());
        List<Schema1Tree.Entry> entries = new ArrayList<>();
        for (Schema1Manifest.Entry entry : manifest.entries()) {
            LayerDiffId id = diffIds.get(entry.blobSum());
            boolean layerOfImage = Schema1Converter.needsLayer(entry) && id != null && !id.allZero();
            entries.add(new Schema1Tree.Entry(entry.id(), entry.v1Compatibility(), blobs.get(entry.blobSum()), layerOfImage));
        }
        OutputImage output = new OutputImage(resolved.reference(), converted.manifestDescriptor().withPlatform(platform),
                converted.configDescriptor(), converted.layers(), converted.diffIds()).withSchema1(new Schema1Tree(entries));
        PulledImage pulled = ImageDownload.pulled(resolved, platform, converted.configDescriptor().digest(), converted.layers().size(),
                tally, start);
        return new ImageDownload.Result(output, pulled);
    }

    /**
     * Schema 1 lists blobs without sizes. A blob in the cache has the size of its verified file; any other
     * is asked with a HEAD, so the download is checked against a length as every other blob is. Offline,
     * every missing blob is named at once.
     */
    private Map<Digest, Descriptor> sizedBlobs(ResolvedImage resolved, Schema1Manifest manifest) throws IOException {
        Map<Digest, Descriptor> blobs = new LinkedHashMap<>();
        List<String> missing = new ArrayList<>();
        for (Schema1Manifest.Entry entry : manifest.entries()) {
            Digest digest = entry.blobSum();
            if (blobs.containsKey(digest)) {
                continue;
            }
            Descriptor unsized = new Descriptor(PROVISIONAL_TYPE, digest, -1);
            if (download.store.contains(unsized)) {
                blobs.put(digest, new Descriptor(PROVISIONAL_TYPE, digest, Files.size(download.store.path(digest))));
            } else if (download.offline) {
                missing.add("layer " + digest);
                blobs.put(digest, unsized);
            } else {
                blobs.put(digest, new Descriptor(PROVISIONAL_TYPE, digest, announcedSize(resolved, digest)));
            }
        }
        if (!missing.isEmpty()) {
            throw resolved.client().failure(ImageDownload.context(resolved, "pull", resolved.manifest().digest()), Reason.NOT_IN_CACHE,
                    "offline, and the cache " + download.store.root() + " lacks " + String.join(", ", missing), null);
        }
        return blobs;
    }

    private static long announcedSize(ResolvedImage resolved, Digest digest) {
        RegistryClient.Context ctx = ImageDownload.context(resolved, "find the size of a layer of", digest);
        ClassicHttpResponse response = resolved.client().head(ctx, "blobs/" + digest, Map.of());
        try (response) {
            Header length = response.getFirstHeader(HttpHeaders.CONTENT_LENGTH);
            long size = length == null ? -1 : parse(length.getValue());
            if (size < 0 || size > Descriptor.MAX_BLOB_SIZE) {
                throw resolved.client().failure(ctx, Reason.PROTOCOL, "the registry answered the HEAD of the blob without a usable"
                        + " Content-Length (" + (length == null ? "none" : length.getValue()) + "), and schema 1 lists no sizes", null);
            }
            return size;
        } catch (IOException e) {
            throw resolved.client().failure(ctx, Reason.UNREACHABLE, e.getMessage(), e);
        }
    }

    private static long parse(String value) {
        try {
            return Long.parseLong(value.trim());
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private LayerDiffId diffIdOf(ResolvedImage resolved, Descriptor blob) {
        try {
            return LayerDiffId.of(download.store.path(blob.digest()));
        } catch (IOException e) {
            throw new ImagePullException(Reason.PROTOCOL, ImagePullException.describe("read a layer of", resolved.reference().familiarString(),
                    blob.digest().toString(), resolved.client().endpoint().registry(), "to compute its diff id for the conversion from"
                            + " schema 1: " + e.getMessage()), e);
        }
    }
}
