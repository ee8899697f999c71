package io.github.frozenimages.images.core;

import io.github.frozenimages.images.core.download.Downloaded;
import io.github.frozenimages.images.core.download.ImageDownload;
import io.github.frozenimages.images.core.download.WarmUp;
import io.github.frozenimages.images.core.lock.ImageLock;
import io.github.frozenimages.images.core.model.Descriptor;
import io.github.frozenimages.images.core.model.MediaTypes;
import io.github.frozenimages.images.core.output.AttachedArtifact;
import io.github.frozenimages.images.core.output.DockerLayoutWriter;
import io.github.frozenimages.images.core.output.LayoutPlan;
import io.github.frozenimages.images.core.output.LayoutWriter;
import io.github.frozenimages.images.core.output.LegacyLayoutWriter;
import io.github.frozenimages.images.core.output.OciLayoutWriter;
import io.github.frozenimages.images.core.output.OutputImage;
import io.github.frozenimages.images.core.output.PullReport;
import io.github.frozenimages.images.core.output.PullState;
import io.github.frozenimages.images.core.output.PulledImage;
import io.github.frozenimages.images.core.output.StagedDirectory;
import io.github.frozenimages.images.core.output.TarArchiveWriter;
import io.github.frozenimages.images.core.ref.Digest;
import io.github.frozenimages.images.core.ref.ImageReference;
import io.github.frozenimages.images.core.ref.ImageRequest;
import io.github.frozenimages.images.core.registry.ImageResolver;
import io.github.frozenimages.images.core.registry.RegistryClient;
import io.github.frozenimages.images.core.registry.RegistrySession;
import io.github.frozenimages.images.core.registry.ResolvedImage;
import io.github.frozenimages.images.core.shared.ImagePullException.Reason;
import io.github.frozenimages.images.core.shared.ImagePullException;
import io.github.frozenimages.images.core.store.BlobStore;
import io.github.frozenimages.images.core.store.CacheFolders;
import io.github.frozenimages.images.core.trust.Accepted;
import io.github.frozenimages.images.core.trust.CachedSignatures;
import io.github.frozenimages.images.core.trust.LockedIndex;
import io.github.frozenimages.images.core.trust.SignatureArtifact;
import io.github.frozenimages.images.core.trust.SignatureCheck;
import io.github.frozenimages.images.core.trust.SignatureImage;
import io.github.frozenimages.images.core.trust.SignedDigest;
import io.github.frozenimages.images.core.trust.SigstoreBundleArtifact;
import io.github.frozenimages.images.core.trust.TrustPolicy;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The core's entry point: resolves every image, fetches what the cache lacks, then writes the output
 * from the cache alone. Resolve, fetch, store and write are separate steps, so a second run, a shared
 * cache and parallel builds need nothing special.
 */
public final class ImagePuller {

    private final TrustPolicy trust;

    public ImagePuller() {
        this(TrustPolicy.NONE);
    }

    /** A puller that writes an image only when it carries a valid signature its policy asks for. */
    public ImagePuller(TrustPolicy trust) {
        this.trust = trust;
    }

    public List<PulledImage> pull(PullRequest request) {
        return pull(request, System.nanoTime());
    }

    /**
     * Pulls, timing the summary from {@code startNanos} ({@link System#nanoTime}): a caller that did work of its
     * own for this pull (the goal reading its configuration) passes when it began, so the time reported is the whole goal's.
     */
    public List<PulledImage> pull(PullRequest request, long startNanos) {
        try (RegistrySession session = openSession(request)) {
            return pull(request, session, startNanos);
        }
    }

    /**
     * The registry session a pull of this request uses: a caller that asks the registries something first (a lock
     * update) passes the same session to {@link #pull(PullRequest, RegistrySession, long)}, so each registry is
     * pinged and authenticated once. Connects on its first request only.
     */
    public static RegistrySession openSession(PullRequest request) {
        return new RegistrySession(request.parallelDownloads(), request.insecureRegistries(), request.credentials(),
                request.network(), request.listener());
    }

    public List<PulledImage> pull(PullRequest request, RegistrySession session, long startNanos) {
        if (request.images().isEmpty()) {
            return List.of();
        }
        long start = startNanos;
        if (!request.offline()) {
            // a tag is always asked of its registry (HEAD at least): get the connection ready while the records are read
            request.images().stream().filter(image -> image.reference().digest().isEmpty())
                    .forEach(image -> session.pingAhead(image.reference()));
        }
        PullState state = new PullState(request.outputDirectory(), request.archive());
        Optional<String> pinnedRequest = pinnedRequest(request);
        if (pinnedRequest.isPresent() && state.upToDate(pinnedRequest.get())) {
            request.listener().info(request.images().size() + " pinned image" + (request.images().size() == 1 ? "" : "s")
                    + " already in " + request.outputDirectory() + ", untouched since the last build; nothing to do, in "
                    + String.format(java.util.Locale.ROOT, "%.3f s", (System.nanoTime() - start) / 1e9));
            return List.of();
        }
        BlobStore store = new BlobStore(new CacheFolders(request.cacheDirectory(), request.readOnlyCaches(), Optional.empty()),
                request.verifyCache());
        if (!request.offline()) {
            WarmUp.startIf(() -> likelyToDownload(request, store));
        }
        ExecutorService imagePool = Executors.newFixedThreadPool(Math.min(request.images().size(), 4), daemonThreads("images-resolve"));
        ExecutorService blobPool = Executors.newFixedThreadPool(request.parallelDownloads(), daemonThreads("images-download"));
        try {
            ImageResolver resolver = ImageResolver.forPull(store, request.offline(), request.listener());
            ImageDownload download = new ImageDownload(store, blobPool, request.listener(), request.offline(), request.includeNondistributable());
            List<Future<Downloaded>> futures = new ArrayList<>();
            for (ImageRequest image : request.images()) {
                futures.add(imagePool.submit(() -> session.firstServing(image.reference(), client -> {
                    try {
                        if (image.multiPlatform()) {
                            ImageResolver.Resolution resolution = resolver.resolveMulti(client, image);
                            Optional<Accepted> accepted = verifySignature(client, store, image, request,
                                    List.of(new SignedDigest(resolution.index().digest(), "the index")));
                            return carried(store, download.fetchAll(client, resolution, image), accepted, Optional.empty());
                        }
                        ResolvedImage resolved = resolver.resolve(client, image);
                        Optional<Accepted> accepted = verifySignature(client, store, image, request,
                                signedDigests(client, store, request.offline(), resolved));
                        return carried(store, download.fetch(client, resolved, image), accepted, resolved.index());
                    } catch (IOException e) {
                        throw new ImagePullException(Reason.IO, "could not store " + image.reference().familiarString()
                                + " in the cache " + store.root() + ": " + e.getMessage(), e);
                    }
                })));
            }
            List<Downloaded> results = awaitAll(futures);
            state.clear();
            writeOutputs(request, store, results.stream().map(Downloaded::output).toList());
            if (pinnedRequest.isPresent()) {
                state.record(pinnedRequest.get());
            }
            List<PulledImage> pulled = results.stream().flatMap(r -> r.pulled().stream()).toList();
            pulled.forEach(p -> request.listener().info(p.summary()));
            PullReport.write(PullReport.pathFor(request.outputDirectory()), pulled, session.statistics().byRegistry());
            request.listener().debug("requests sent: " + session.statistics().requests());
            PullReport.table(pulled).forEach(line -> request.listener().info(line));
            request.listener().info(PullSummary.of(pulled, System.nanoTime() - start));
            return pulled;
        } catch (IOException e) {
            throw new ImagePullException(Reason.IO, "could not write the images to " + request.outputDirectory() + ": " + e.getMessage(), e);
        } finally {
            imagePool.shutdownNow();
            blobPool.shutdownNow();
            store.close(); // the outputs are written: a prune may take the blobs again
        }
    }

    // --- signature verification (core.trust): between resolving an image and downloading it ---

    /**
     * Checks the image's signature when the policy asks for one, before any of its blobs is fetched: at the registry,
     * or offline against the signatures the lock file recorded, read from the cache.
     */
    private Optional<Accepted> verifySignature(RegistryClient client, BlobStore store, ImageRequest image, PullRequest request,
                                               List<SignedDigest> digests) {
        Optional<SignatureCheck> check = trust.forImage(image.reference());
        if (check.isEmpty()) {
            return Optional.empty();
        }
        if (!request.offline()) {
            return Optional.of(check.get().verify(client, image.reference(), digests, request.listener()));
        }
        ImageReference name = image.reference();
        return Optional.of(check.get().verify(name, digests, new CachedSignatures(store, trust.lockedSignatures()), request.listener(),
                detail -> ImagePullException.of(Reason.UNTRUSTED, "verify the signature of", name.familiarString(),
                        digests.get(0).digest().toString(), null, "offline, with the signatures " + ImageLock.FILE_NAME
                                + " recorded: " + detail + " (run mvn images:lock online: it records the signatures it accepts)", null)));
    }

    /**
     * The accepted signature image, carried into the output beside the image (unless the policy says not to), so
     * that {@code images:verify} can check the output or its archive with no network, and {@code images:push} takes
     * it across. When the signature is of an index the output does not keep, the index goes in as a blob, to link
     * the two.
     */
    private Downloaded carried(BlobStore store, Downloaded downloaded, Optional<Accepted> accepted,
                               Optional<io.github.frozenimages.images.core.registry.FetchedManifest> index) throws IOException {
        if (accepted.isEmpty()) {
            return downloaded;
        }
        SignatureArtifact artifact = accepted.get().signatures();
        artifact.keepIn(store); // also when not carried: the lock names it, and mvn -o checks it from the cache
        if (!trust.includeSignatures()) {
            return downloaded;
        }
        List<Descriptor> blobs = new ArrayList<>();
        String tag;
        Descriptor entry;
        if (artifact instanceof SignatureImage signatures) {
            tag = signatures.tag();
            entry = signatures.manifest();
        } else {
            // a bundle goes in as a registry without the referrers API keeps it: listed by the index under its fallback tag
            SigstoreBundleArtifact bundle = (SigstoreBundleArtifact) artifact;
            byte[] fallback = bundle.fallbackIndex();
            tag = bundle.tag();
            entry = new Descriptor(MediaTypes.OCI_INDEX, Digest.sha256(fallback), fallback.length);
            store.put(entry, fallback);
            blobs.add(bundle.manifest());
        }
        blobs.addAll(artifact.blobs());
        Digest signed = accepted.get().digest().digest();
        if (index.isPresent() && index.get().digest().equals(signed) && !downloaded.output().top().digest().equals(signed)) {
            blobs.add(new Descriptor(index.get().mediaType(), signed, index.get().bytes().length));
        }
        AttachedArtifact attached = new AttachedArtifact(tag, entry, blobs);
        return new Downloaded(downloaded.output().withAttached(attached), downloaded.pulled());
    }

    /**
     * What the reference resolved to and, when that was an index, the platform manifest chosen from it; for a platform
     * manifest pinned by a lock file, the index it was locked from, once it is confirmed to list it.
     */
    private List<SignedDigest> signedDigests(RegistryClient client, BlobStore store, boolean offline, ResolvedImage resolved) {
        Digest manifest = resolved.manifest().digest();
        if (resolved.index().isPresent()) {
            return List.of(new SignedDigest(resolved.index().get().digest(), "the index"), new SignedDigest(manifest, "the platform manifest"));
        }
        Optional<SignedDigest> locked = trust.forImage(resolved.reference()).isEmpty() ? Optional.empty()
                : trust.lockedIndexOf(manifest).flatMap(index -> offline ? LockedIndex.cached(store, index, manifest)
                        : LockedIndex.listing(client, resolved.reference(), index, manifest));
        return locked.map(index -> List.of(index, new SignedDigest(manifest, "the platform manifest")))
                .orElseGet(() -> List.of(new SignedDigest(manifest, "the manifest")));
    }

    private static void writeOutputs(PullRequest request, BlobStore store, List<OutputImage> images) throws IOException {
        LayoutWriter writer = switch (request.format()) {
            case DOCKER -> new DockerLayoutWriter(store);
            case OCI -> new OciLayoutWriter(store);
            case LEGACY -> new LegacyLayoutWriter(store);
        };
        LayoutPlan plan = writer.plan(images);
        boolean unchanged = plan.isSatisfiedBy(request.outputDirectory());
        if (unchanged) {
            request.listener().info(request.outputDirectory() + " already holds exactly these images; left as it is");
        } else {
            StagedDirectory.replace(request.outputDirectory(), plan::writeTo);
        }
        if (request.archive().isPresent()) {
            Path archive = request.archive().get();
            // the archive is a pure function of the tree, so an unchanged tree with its archive present is done
            if (!unchanged || !Files.isRegularFile(archive)) {
                TarArchiveWriter.write(request.outputDirectory(), archive, request.archiveTimestamp());
                request.listener().info("wrote " + archive);
            }
        }
    }

    /**
     * A guess, from the cache alone, whether this pull will download: some image's manifest (its pinned digest,
     * or what its tag resolved to last time) is not in the cache. Only decides whether to warm up hashing.
     */
    private static boolean likelyToDownload(PullRequest request, BlobStore store) {
        for (ImageRequest image : request.images()) {
            ImageReference ref = image.reference();
            Optional<Digest> top = ref.digest().or(() -> store.tags().lookup(ref).map(Descriptor::digest));
            if (top.isEmpty() || !Files.isRegularFile(store.path(top.get()))) {
                return true;
            }
        }
        return false;
    }

    /** The whole request as text when every image is pinned by digest, the only case a record can vouch for. */
    private Optional<String> pinnedRequest(PullRequest request) {
        if (request.verifyCache()) {
            return Optional.empty(); // asked to look at every byte again, so no record vouches for the output
        }
        StringBuilder sb = new StringBuilder(request.format().name()).append(' ').append(request.archiveTimestamp());
        for (ImageRequest image : request.images()) {
            if (image.reference().digest().isEmpty()) {
                return Optional.empty();
            }
            sb.append(' ').append(image.reference()).append('=').append(image.platform()).append(image.platforms())
                    .append(image.all() ? "+all" : "");
            // an output pulled without a policy, or under another one, does not vouch for what this one asks
            trust.forImage(image.reference()).ifPresent(check -> sb.append(" verified by ").append(check.describe())
                    .append(trust.includeSignatures() ? " with signatures" : ""));
        }
        return Optional.of(sb.toString());
    }

    /** Waits for every image, so no download is left running, then reports the first failure with the others attached. */
    private static <T> List<T> awaitAll(List<Future<T>> futures) {
        List<T> results = new ArrayList<>();
        ImagePullException first = null;
        for (Future<T> future : futures) {
            try {
                results.add(future.get());
            } catch (ExecutionException e) {
                ImagePullException failure = e.getCause() instanceof ImagePullException ipe ? ipe
                        : new ImagePullException(Reason.IO, String.valueOf(e.getCause()), e.getCause());
                if (first == null) {
                    first = failure;
                } else {
                    first.addSuppressed(failure);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new ImagePullException(Reason.IO, "the pull was interrupted", e);
            }
        }
        if (first != null) {
            throw first;
        }
        return results;
    }

    static ThreadFactory daemonThreads(String name) {
        AtomicInteger count = new AtomicInteger();
        return runnable -> {
            Thread t = new Thread(runnable, name + "-" + count.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }
}
