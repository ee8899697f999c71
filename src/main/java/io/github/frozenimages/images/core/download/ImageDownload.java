package io.github.frozenimages.images.core.download;

import io.github.frozenimages.images.core.model.Descriptor;
import io.github.frozenimages.images.core.model.ImageConfig;
import io.github.frozenimages.images.core.model.ImageManifest;
import io.github.frozenimages.images.core.model.ManifestFormatException;
import io.github.frozenimages.images.core.model.MediaTypes;
import io.github.frozenimages.images.core.model.Schema1Manifest;
import io.github.frozenimages.images.core.output.OutputImage;
import io.github.frozenimages.images.core.ref.Digest;
import io.github.frozenimages.images.core.ref.ImageRequest;
import io.github.frozenimages.images.core.ref.Platform;
import io.github.frozenimages.images.core.registry.ImageResolver;
import io.github.frozenimages.images.core.registry.RegistryClient;
import io.github.frozenimages.images.core.registry.ResolvedImage;
import io.github.frozenimages.images.core.shared.ImagePullException;
import io.github.frozenimages.images.core.shared.ImagePullException.Reason;
import io.github.frozenimages.images.core.shared.PullListener;
import io.github.frozenimages.images.core.store.BlobStore;
import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;

/**
 * Brings one resolved image's manifest, config and layers into the store; layers in parallel, each once. A
 * schema 1 image is handed to {@link Schema1Download}, several platforms to {@link MultiPlatformDownload}; all
 * three fetch through the same {@link BlobDownloads}.
 */
public final class ImageDownload {

    private final BlobDownloads blobs;
    private final PullListener listener;
    private final boolean offline;
    private final boolean includeNondistributable;

    public ImageDownload(BlobStore store, ExecutorService blobPool, PullListener listener, boolean offline, boolean includeNondistributable) {
        this.blobs = new BlobDownloads(store, blobPool, listener);
        this.listener = listener;
        this.offline = offline;
        this.includeNondistributable = includeNondistributable;
    }

    /** A single-platform request: one output image and its one record. */
    public Downloaded fetch(RegistryClient client, ResolvedImage resolved, ImageRequest request) throws IOException {
        if (resolved.manifest().document() instanceof Schema1Manifest schema1) {
            return new Schema1Download(blobs, listener, offline).fetch(client, resolved, schema1, request);
        }
        long start = System.nanoTime();
        BlobStore store = blobs.store();
        ImageManifest manifest = resolved.imageManifest();
        if (offline) {
            requireCached(resolved, manifest);
        }
        if (!Files.isRegularFile(store.path(manifest.config().digest()))) {
            WarmUp.start(); // a new image, which the guess at the start of the pull did not foresee
        }
        ImageConfig config = fetchConfig(client, resolved, manifest.config());
        Platform platform = resolved.index().isPresent() ? resolved.platform()
                : DeclaredPlatform.of(listener, resolved, config.os(), config.architecture(), config.variant(), request.platform());
        if (config.diffIds().size() != manifest.layers().size()) {
            throw resolved.operation("read", manifest.config().digest()).failure(Reason.PROTOCOL, "the manifest lists "
                    + manifest.layers().size() + " layers but the config lists " + config.diffIds().size() + " diff_ids");
        }

        Map<Digest, Descriptor> distinct = new LinkedHashMap<>();
        for (Descriptor layer : manifest.layers()) {
            if (fetched(layer)) {
                distinct.putIfAbsent(layer.digest(), layer);
            } else if (!distinct.containsKey(layer.digest())) {
                listener.info("not downloading the non-distributable layer " + layer.digest() + " of " + resolved.reference().familiarString()
                        + " (" + layer.mediaType() + "): its licence restricts copies; set images.includeNondistributable=true"
                        + " to fetch it from the registry");
            }
        }
        BlobDownloads.Tally tally = blobs.fetchLayers(client, resolved, distinct.values(), layer -> { });
        OutputImage output = new OutputImage(resolved.reference(), resolved.manifestDescriptor().withPlatform(platform), manifest.config(),
                manifest.layers(), config.diffIds());
        return new Downloaded(output, List.of(tally.pulled(client, resolved, platform, manifest.config().digest(),
                manifest.layers().size(), start)));
    }

    /** A multi-platform request: one output image (with its index) and a record per platform. */
    public Downloaded fetchAll(RegistryClient client, ImageResolver.Resolution resolution, ImageRequest request) throws IOException {
        return new MultiPlatformDownload(this, blobs).fetch(client, resolution, request);
    }

    private ImageConfig fetchConfig(RegistryClient client, ResolvedImage resolved, Descriptor config) {
        if (config.size() > ImageConfig.MAX_BYTES) {
            throw resolved.operation("fetch the config of", config.digest()).failure(Reason.PROTOCOL,
                    "the config declares " + config.size() + " bytes, more than the limit of " + ImageConfig.MAX_BYTES);
        }
        blobs.fetch(client, resolved, config, "the config of", null);
        try {
            return ImageConfig.parse(blobs.store().read(config, ImageConfig.MAX_BYTES));
        } catch (ManifestFormatException e) {
            throw resolved.operation("read the config of", config.digest()).failure(Reason.PROTOCOL, e.getMessage(), e);
        } catch (IOException e) {
            throw new ImagePullException(Reason.IO, "could not read the config of " + resolved.reference().familiarString()
                    + " (" + config.digest() + ") from the cache " + blobs.store().root() + ": " + e.getMessage(), e);
        }
    }

    /** Whether a layer is brought into the store: all are, except non-distributable ones unless asked for. */
    private boolean fetched(Descriptor layer) {
        return includeNondistributable || !MediaTypes.isNondistributable(layer.mediaType());
    }

    /** Offline, every missing blob is named at once, rather than failing on the first. */
    private void requireCached(ResolvedImage resolved, ImageManifest manifest) throws IOException {
        BlobStore store = blobs.store();
        List<String> missing = new ArrayList<>();
        if (!store.contains(manifest.config())) {
            missing.add("config " + manifest.config().digest());
        }
        for (Descriptor layer : manifest.layers()) {
            if (fetched(layer) && !store.contains(layer) && !missing.contains("layer " + layer.digest())) {
                missing.add("layer " + layer.digest());
            }
        }
        if (!missing.isEmpty()) {
            throw resolved.operation("pull", resolved.manifest().digest()).failure(Reason.NOT_IN_CACHE,
                    "offline, and the cache " + store.root() + " lacks " + String.join(", ", missing));
        }
    }
}
