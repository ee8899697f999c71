package io.github.frozenimages.images.core.lock;

import io.github.frozenimages.images.core.model.Descriptor;
import io.github.frozenimages.images.core.model.ImageIndex;
import io.github.frozenimages.images.core.ref.Digest;
import io.github.frozenimages.images.core.ref.ImageReference;
import io.github.frozenimages.images.core.ref.ImageRequest;
import io.github.frozenimages.images.core.ref.Platform;
import io.github.frozenimages.images.core.registry.FetchedManifest;
import io.github.frozenimages.images.core.registry.ImageResolver;
import io.github.frozenimages.images.core.registry.Operation;
import io.github.frozenimages.images.core.registry.RegistryClient;
import io.github.frozenimages.images.core.registry.RegistrySession;
import io.github.frozenimages.images.core.shared.ImagePullException.Reason;
import io.github.frozenimages.images.core.shared.ImagePullException;
import io.github.frozenimages.images.core.shared.PullListener;
import io.github.frozenimages.images.core.store.BlobStore;
import io.github.frozenimages.images.core.trust.Accepted;
import io.github.frozenimages.images.core.trust.SignatureCheck;
import io.github.frozenimages.images.core.trust.SignedDigest;
import io.github.frozenimages.images.core.trust.TrustPolicy;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * Resolves images to the digests a lock records, through the pull's own {@link ImageResolver} in its lock mode:
 * a {@code HEAD} of each reference gives the digest it points to and its media type (Docker Hub does not count a
 * HEAD as a pull); only an index needs its body, fetched by digest or read from the cache, to choose each
 * platform's manifest by the same rules, in the same code, as a pull.
 */
public final class ImageLocker {

    private final Path cacheDirectory;
    private final RegistrySession session;
    private final PullListener listener;
    private final TrustPolicy trust;

    public ImageLocker(Path cacheDirectory, RegistrySession session, PullListener listener) {
        this(cacheDirectory, session, listener, TrustPolicy.NONE);
    }

    /**
     * @param cacheDirectory the pull's blob cache: indexes already there need no request, and fetched ones are kept
     * @param session        the build's registry session, shared with the pull that may follow
     * @param trust          the signature policy: an image it asks a signature of is locked only once one is
     *                       accepted, and the lock records which, so that {@code mvn -o} can check it from the cache
     */
    public ImageLocker(Path cacheDirectory, RegistrySession session, PullListener listener, TrustPolicy trust) {
        this.cacheDirectory = Objects.requireNonNull(cacheDirectory, "cacheDirectory");
        this.session = Objects.requireNonNull(session, "session");
        this.listener = listener == null ? PullListener.SILENT : listener;
        this.trust = Objects.requireNonNull(trust, "trust");
    }

    /**
     * Locks every image for each platform it is asked for (every platform of its index for {@code all}); a
     * reference asked for several platforms, or by several requests, is asked of the registry once.
     */
    public ImageLock lock(List<ImageRequest> images) {
        Map<ImageReference, Wanted> wanted = new LinkedHashMap<>();
        for (ImageRequest image : images) {
            wanted.computeIfAbsent(image.reference(), k -> new Wanted()).add(image);
        }
        if (wanted.isEmpty()) {
            return ImageLock.of(List.of());
        }
        // closed when done: the cache's leases on what the lock read are then released, for a prune beside it
        try (BlobStore store = new BlobStore(cacheDirectory)) {
            ImageResolver resolver = ImageResolver.forLock(store, listener);
            List<ImageLock.Image> locked = new ArrayList<>();
            for (Map.Entry<ImageReference, Wanted> e : wanted.entrySet()) {
                locked.add(session.firstServing(e.getKey(), client -> signed(client, store, lock(client, resolver, e.getKey(), e.getValue()))));
            }
            return ImageLock.of(locked);
        }
    }

    private ImageLock.Image lock(RegistryClient client, ImageResolver resolver, ImageReference reference, Wanted wanted) {
        Operation op = client.operation(reference, "lock", reference.digest().orElse(null));
        ImageResolver.Top top = resolver.top(client, op, reference);
        Map<Platform, Digest> manifests = new LinkedHashMap<>();
        if (!top.isIndex()) {
            if (wanted.multi()) {
                throw op.failure(Reason.NO_MATCHING_PLATFORM, "several platforms were asked for, but it is a single-platform image");
            }
            // a single-platform manifest is what every platform gets, as in a pull
            wanted.platforms().forEach(p -> manifests.put(p, top.digest()));
            listener.debug("locked " + reference.familiarString() + " to manifest " + top.digest());
            return new ImageLock.Image(reference, Optional.empty(), manifests);
        }
        FetchedManifest document = resolver.document(client, op, top);
        if (!(document.document() instanceof ImageIndex index)) {
            throw op.failure(Reason.PROTOCOL, "the registry announced an index (" + top.descriptor().mediaType()
                    + ") but served a manifest");
        }
        if (wanted.all()) {
            // every platform the index has, as a pull of all platforms keeps them
            for (Descriptor d : index.manifests()) {
                if (d.isPlatformImage()) {
                    manifests.putIfAbsent(d.platform(), d.digest());
                }
            }
        }
        for (Platform platform : wanted.platforms()) {
            Digest manifest = resolver.choose(client, op, document, index, platform).entry().digest();
            listener.debug("locked " + reference.familiarString() + " " + platform + " to manifest " + manifest + " of index " + top.digest());
            manifests.put(platform, manifest);
        }
        return new ImageLock.Image(reference, Optional.of(top.digest()), manifests);
    }

    /**
     * The locked image with the signatures its policy accepted: the index's, which vouches for every platform
     * manifest it lists, or else each platform manifest's own. Each accepted signature image is kept in the cache.
     */
    private ImageLock.Image signed(RegistryClient client, BlobStore store, ImageLock.Image image) {
        Optional<SignatureCheck> check = trust.forImage(image.reference());
        if (check.isEmpty()) {
            return image;
        }
        Map<Digest, Digest> signatures = new TreeMap<>(Comparator.comparing(Digest::toString));
        Optional<Accepted> forIndex = Optional.empty();
        for (Digest manifest : new LinkedHashSet<>(image.manifests().values())) {
            if (forIndex.isPresent()) {
                break; // the index's signature vouches for every manifest it lists
            }
            List<SignedDigest> candidates = image.index()
                    .map(index -> List.of(new SignedDigest(index, "the index"), new SignedDigest(manifest, "the platform manifest")))
                    .orElseGet(() -> List.of(new SignedDigest(manifest, "the manifest")));
            Accepted accepted = check.get().verify(client, image.reference(), candidates, listener);
            if (image.index().filter(accepted.digest().digest()::equals).isPresent()) {
                forIndex = Optional.of(accepted);
            }
            signatures.put(accepted.digest().digest(), accepted.signatures().manifest().digest());
            try {
                accepted.signatures().keepIn(store);
            } catch (IOException e) {
                throw new ImagePullException(Reason.IO, "could not keep the signature of " + image.reference().familiarString()
                        + " in the cache " + store.root() + ": " + e.getMessage(), e);
            }
        }
        return new ImageLock.Image(image.reference(), image.index(), image.manifests(), signatures);
    }

    /** What the requests of one reference ask for, together. */
    private static final class Wanted {
        private final Set<Platform> platforms = new LinkedHashSet<>();
        private boolean multi;
        private boolean all;

        void add(ImageRequest request) {
            // all platforms: the index's own entries, whatever the request's primary platform
            if (!request.all()) {
                platforms.addAll(request.platforms());
            }
            multi |= request.multiPlatform();
            all |= request.all();
        }

        Set<Platform> platforms() {
            return platforms;
        }

        boolean multi() {
            return multi;
        }

        boolean all() {
            return all;
        }
    }
}
