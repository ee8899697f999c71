package io.github.frozenimages.images.core;

import io.github.frozenimages.images.core.ImagePullException.Reason;
import io.github.frozenimages.images.core.model.Descriptor;
import io.github.frozenimages.images.core.model.ImageConfig;
import io.github.frozenimages.images.core.model.ImageManifest;
import io.github.frozenimages.images.core.model.ManifestFormatException;
import io.github.frozenimages.images.core.model.MediaTypes;
import io.github.frozenimages.images.core.model.Schema1Manifest;
import io.github.frozenimages.images.core.output.OutputImage;
import io.github.frozenimages.images.core.ref.Digest;
import io.github.frozenimages.images.core.ref.Platform;
import io.github.frozenimages.images.core.ref.PlatformMatcher;
import io.github.frozenimages.images.core.registry.BlobFetcher;
import io.github.frozenimages.images.core.registry.RegistryClient;
import io.github.frozenimages.images.core.registry.ResolvedImage;
import io.github.frozenimages.images.core.store.BlobStore;
import io.github.frozenimages.images.core.store.BlobVerificationException;
import io.github.frozenimages.images.core.store.DownloadBrokeOffException;
import io.github.frozenimages.images.core.store.IngestObserver;
import io.github.frozenimages.images.core.http.RetryPolicy;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;

/** Brings one resolved image's manifest, config and layers into the store; layers in parallel, each once. */
final class ImageDownload {

    /** What the writers and the log need from one image. */
    record Result(OutputImage output, PulledImage pulled) {
    }

    final BlobStore store;
    final ExecutorService blobPool;
    final PullListener listener;
    final boolean offline;
    private final boolean includeNondistributable;

    ImageDownload(BlobStore store, ExecutorService blobPool, PullListener listener, boolean offline, boolean includeNondistributable) {
        this.store = store;
        this.blobPool = blobPool;
        this.listener = listener;
        this.offline = offline;
        this.includeNondistributable = includeNondistributable;
    }

    Result fetch(ResolvedImage resolved, ImageRequest request) throws IOException {
        if (resolved.manifest().document() instanceof Schema1Manifest schema1) {
            return new Schema1Download(this).fetch(resolved, schema1, request);
        }
        long start = System.nanoTime();
        RegistryClient client = resolved.client();
        ImageManifest manifest = resolved.imageManifest();
        Descriptor manifestDescriptor = resolved.manifestDescriptor();
        if (offline) {
            requireCached(resolved, manifest);
        }
        if (!java.nio.file.Files.isRegularFile(store.path(manifest.config().digest()))) {
            WarmUp.start(); // a new image, which the guess at the start of the pull did not foresee
        }
        ImageConfig config = fetchConfig(resolved, manifest.config());
        Platform platform = platformOf(resolved, config, request.platform());
        if (config.diffIds().size() != manifest.layers().size()) {
            throw client.failure(context(resolved, "read", manifest.config().digest()), Reason.PROTOCOL, "the manifest lists "
                    + manifest.layers().size() + " layers but the config lists " + config.diffIds().size() + " diff_ids", null);
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
        Tally tally = fetchLayers(resolved, distinct.values(), layer -> { });
        OutputImage output = new OutputImage(resolved.reference(), manifestDescriptor.withPlatform(platform), manifest.config(),
                manifest.layers(), config.diffIds());
        PulledImage pulled = pulled(resolved, platform, manifest.config().digest(), manifest.layers().size(), tally, start);
        return new Result(output, pulled);
    }

    /** What the layer downloads of one image came to: bytes of its distinct layers, bytes fetched, layers found cached. */
    record Tally(long total, long downloaded, int cached) {
    }

    /** Work done on a layer in the download thread once it is in the store. */
    interface LayerStored {
        void stored(Descriptor layer);
    }

    /** Brings distinct layers into the store in parallel, each once, and waits for all of them. */
    Tally fetchLayers(ResolvedImage resolved, java.util.Collection<Descriptor> distinct, LayerStored then) {
        List<Future<Boolean>> downloads = new ArrayList<>();
        ProgressTracker progress = new ProgressTracker(resolved.reference(), distinct, listener);
        int index = 0;
        for (Descriptor layer : distinct) {
            int number = ++index;
            downloads.add(blobPool.submit(() -> {
                boolean fetched = fetchBlob(resolved, layer, "layer " + number + " of", progress);
                progress.layerDone(layer, fetched);
                then.stored(layer);
                return fetched;
            }));
        }
        long total = 0;
        long downloaded = 0;
        int cached = 0;
        List<Descriptor> layers = List.copyOf(distinct);
        for (int i = 0; i < downloads.size(); i++) {
            boolean fetched = await(downloads.get(i));
            total += layers.get(i).size();
            if (fetched) {
                downloaded += layers.get(i).size();
            } else {
                cached++;
            }
        }
        return new Tally(total, downloaded, cached);
    }

    /** The record of one image's pull, for the log line and the report. */
    static PulledImage pulled(ResolvedImage resolved, Platform platform, Digest config, int layers, Tally tally, long start) {
        RegistryClient client = resolved.client();
        return new PulledImage(resolved.reference(), platform, resolved.manifest().digest(), config, layers, tally.total(),
                tally.downloaded(), tally.cached(), Duration.ofNanos(System.nanoTime() - start),
                client.endpoint().mirror() ? client.endpoint().base().toString() : null, client.endpoint().base().toString(),
                client.credentialSource(), client.retriesFor(resolved.reference()), client.rateLimitRemaining(resolved.reference()));
    }

    private ImageConfig fetchConfig(ResolvedImage resolved, Descriptor config) {
        if (config.size() > ImageConfig.MAX_BYTES) {
            throw resolved.client().failure(context(resolved, "fetch the config of", config.digest()), Reason.PROTOCOL,
                    "the config declares " + config.size() + " bytes, more than the limit of " + ImageConfig.MAX_BYTES, null);
        }
        fetchBlob(resolved, config, "the config of", null);
        try {
            return ImageConfig.parse(store.read(config, ImageConfig.MAX_BYTES));
        } catch (ManifestFormatException e) {
            throw resolved.client().failure(context(resolved, "read the config of", config.digest()), Reason.PROTOCOL, e.getMessage(), e);
        } catch (IOException e) {
            throw new ImagePullException(Reason.IO, "could not read the config of " + resolved.reference().familiarString()
                    + " (" + config.digest() + ") from the cache " + store.root() + ": " + e.getMessage(), e);
        }
    }

    /** The platform to report and record: the index entry's, else the config's; warns when it is not the one asked for. */
    private Platform platformOf(ResolvedImage resolved, ImageConfig config, Platform wanted) {
        if (resolved.index().isPresent()) {
            return resolved.platform();
        }
        return declaredPlatform(resolved, config.os(), config.architecture(), config.variant(), wanted);
    }

    /** The platform an image's own document declares, warning when it is not the one asked for. */
    Platform declaredPlatform(ResolvedImage resolved, String os, String architecture, String variant, Platform wanted) {
        if (os == null || architecture == null) {
            return wanted;
        }
        Platform actual;
        try {
            actual = Platform.of(os, architecture, variant);
        } catch (IllegalArgumentException e) {
            listener.warn(resolved.reference().familiarString() + " has a config with an unreadable platform: " + e.getMessage());
            return wanted;
        }
        if (!PlatformMatcher.only(wanted).matches(actual)) {
            listener.warn(resolved.reference().familiarString() + " is a single-platform image for " + actual
                    + ", not for the requested " + wanted);
        }
        return actual;
    }

    boolean fetchBlob(ResolvedImage resolved, Descriptor blob, String what, ProgressTracker progress) {
        RegistryClient.Context ctx = context(resolved, "fetch " + what, blob.digest());
        try {
            boolean fetched = store.ensure(blob, BlobFetcher.source(resolved.client(), ctx, blob), observer(resolved, blob, what, progress));
            listener.debug((fetched ? "downloaded " : "cached     ") + blob.digest() + " (" + blob.size() + " bytes) of "
                    + resolved.reference().familiarString());
            return fetched;
        } catch (BlobVerificationException e) {
            throw new ImagePullException(Reason.DIGEST_MISMATCH, ImagePullException.describe("verify " + what,
                    resolved.reference().familiarString(), blob.digest().toString(), resolved.client().endpoint().registry(), e.getMessage()), e);
        } catch (DownloadBrokeOffException e) {
            throw resolved.client().failure(ctx, Reason.UNREACHABLE, e.getMessage(), e);
        } catch (IOException e) {
            throw new ImagePullException(Reason.IO, ImagePullException.describe("store " + what, resolved.reference().familiarString(),
                    blob.digest().toString(), resolved.client().endpoint().registry(), "in the cache " + store.root() + ": " + e), e);
        }
    }

    /**
     * Brings an attestation (or any non-image artifact of an index) into the store: its manifest is there
     * already; its config and layers are fetched as opaque blobs. Returns every blob it consists of.
     */
    List<Descriptor> fetchArtifact(RegistryClient client, io.github.frozenimages.images.core.ref.ImageReference image,
                                   io.github.frozenimages.images.core.registry.FetchedManifest artifact) {
        List<Descriptor> blobs = new ArrayList<>();
        blobs.add(new Descriptor(artifact.mediaType(), artifact.digest(), artifact.bytes().length));
        if (artifact.document() instanceof ImageManifest m) {
            ResolvedImage asImage = new ResolvedImage(image, java.util.Optional.empty(), artifact, null, client);
            fetchBlob(asImage, m.config(), "an attestation's config of", null);
            blobs.add(m.config());
            for (Descriptor layer : m.layers()) {
                fetchBlob(asImage, layer, "an attestation's layer of", null);
                blobs.add(layer);
            }
        }
        return blobs;
    }

    /** Whether a layer is brought into the store: all are, except non-distributable ones unless asked for. */
    private boolean fetched(Descriptor layer) {
        return includeNondistributable || !MediaTypes.isNondistributable(layer.mediaType());
    }

    /** Offline, every missing blob is named at once, rather than failing on the first. */
    private void requireCached(ResolvedImage resolved, ImageManifest manifest) throws IOException {
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
            throw resolved.client().failure(context(resolved, "pull", resolved.manifest().digest()), Reason.NOT_IN_CACHE,
                    "offline, and the cache " + store.root() + " lacks " + String.join(", ", missing), null);
        }
    }

    /** Logs resumes and restarts at WARN and waits with the retry policy's backoff before resuming. */
    private IngestObserver observer(ResolvedImage resolved, Descriptor blob, String what, ProgressTracker progress) {
        String name = what + " " + resolved.reference().familiarString() + " (" + blob.digest().shortHex() + ")";
        return new IngestObserver() {
            @Override
            public void bytesWritten(long count) {
                if (progress != null) {
                    progress.bytes(count);
                }
            }

            @Override
            public void resuming(long offset, IOException cause, int attempt) throws IOException {
                Duration wait = resolved.client().retries().delay(attempt, null, java.time.Instant.now());
                listener.warn("download of " + name + " broke off at byte " + offset + " of " + blob.size() + " ("
                        + cause.getMessage() + "); resuming in " + wait.toMillis() + " ms");
                try {
                    RetryPolicy.sleep(wait);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new java.io.InterruptedIOException("interrupted while waiting to resume");
                }
            }

            @Override
            public void restarting(String reason) {
                listener.warn("discarding the download of " + name + " and fetching it again from the start: " + reason);
            }
        };
    }

    static RegistryClient.Context context(ResolvedImage resolved, String action, Digest digest) {
        return new RegistryClient.Context(resolved.reference(), action, digest.toString());
    }

    static boolean await(Future<Boolean> future) {
        try {
            return future.get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException re) {
                throw re;
            }
            throw new ImagePullException(Reason.IO, String.valueOf(e.getCause()), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ImagePullException(Reason.IO, "the pull was interrupted", e);
        }
    }
}
