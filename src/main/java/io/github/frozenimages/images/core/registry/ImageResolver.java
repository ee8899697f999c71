package io.github.frozenimages.images.core.registry;

import io.github.frozenimages.images.core.model.Descriptor;
import io.github.frozenimages.images.core.model.ImageIndex;
import io.github.frozenimages.images.core.model.ImageManifest;
import io.github.frozenimages.images.core.model.ManifestDocument;
import io.github.frozenimages.images.core.model.ManifestFormatException;
import io.github.frozenimages.images.core.model.MediaTypes;
import io.github.frozenimages.images.core.ref.Digest;
import io.github.frozenimages.images.core.ref.ImageReference;
import io.github.frozenimages.images.core.ref.ImageRequest;
import io.github.frozenimages.images.core.ref.Platform;
import io.github.frozenimages.images.core.ref.PlatformMatcher;
import io.github.frozenimages.images.core.shared.ImagePullException;
import io.github.frozenimages.images.core.shared.ImagePullException.Reason;
import io.github.frozenimages.images.core.shared.PullListener;
import io.github.frozenimages.images.core.store.BlobStore;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The one resolver of the plugin: turns a reference into its top manifest or index and, walking (nested) indexes
 * by one set of rules, into the manifest of each platform asked for. {@code images:pull} and {@code images:lock}
 * both ask it, so a lock records exactly what a pull would choose. Content named by digest comes from the store
 * when it is there, so a pinned reference needs no request at all; a tag the cache has seen is asked with
 * {@code HEAD} first, so an unchanged build sends no manifest {@code GET}; offline, a tag is looked up in the
 * store's record of what it last resolved to.
 */
public final class ImageResolver {

    /** Indexes of indexes are allowed by the spec; deeper nesting than this is refused as hostile. */
    public static final int MAX_INDEX_DEPTH = 4;

    /** What the resolution is for: how a tag is asked, and what the cache must take. */
    private enum Purpose {
        /**
         * A pull: a tag the cache knows is asked with HEAD first, any other is fetched whole; what is fetched is kept in
         * the cache (the writers read it there) and the tag's resolution recorded.
         */
        PULL,
        /** A pull with {@code -o}: nothing is asked of a registry. */
        OFFLINE,
        /** A lock: {@code HEAD} first, bodies only of indexes; a cache that cannot take them costs a request later. */
        LOCK
    }

    private final BlobStore store;
    private final Purpose purpose;
    private final PullListener listener;

    private ImageResolver(BlobStore store, Purpose purpose, PullListener listener) {
        this.store = store;
        this.purpose = purpose;
        this.listener = listener;
    }

    public static ImageResolver forPull(BlobStore store, boolean offline, PullListener listener) {
        return new ImageResolver(store, offline ? Purpose.OFFLINE : Purpose.PULL, listener);
    }

    public static ImageResolver forLock(BlobStore store, PullListener listener) {
        return new ImageResolver(store, Purpose.LOCK, listener);
    }

    /**
     * What a reference points to: its descriptor, and its verified document when it was read (a lock's
     * {@code HEAD} reads none for a single-platform manifest).
     */
    public record Top(Descriptor descriptor, Optional<FetchedManifest> document) {

        public Digest digest() {
            return descriptor.digest();
        }

        public boolean isIndex() {
            return document.map(d -> d.document() instanceof ImageIndex).orElse(MediaTypes.isIndex(descriptor.mediaType()));
        }
    }

    /** The entry chosen for a platform, and the (innermost) index it was chosen from. */
    public record Choice(Descriptor entry, FetchedManifest index) {
    }

    /** Resolves a single-platform request to the one manifest a pull writes. */
    public ResolvedImage resolve(RegistryClient client, ImageRequest request) {
        ImageReference image = request.reference();
        Operation op = client.operation(image, "resolve", image.digest().orElse(null));
        FetchedManifest top = document(client, op, top(client, op, image));
        FetchedManifest manifest = top;
        Optional<FetchedManifest> chosenFrom = Optional.empty();
        Platform platform = request.platform();
        if (top.document() instanceof ImageIndex index) {
            Choice choice = choose(client, op, top, index, request.platform());
            chosenFrom = Optional.of(choice.index());
            platform = choice.entry().platform();
            manifest = platformManifest(client, op, choice.entry());
        }
        // past the indexes: a schema 1 manifest, which is always an image, or an OCI/Docker manifest
        if (manifest.document() instanceof ImageManifest m && !m.isImage()) {
            throw op.failure(Reason.UNSUPPORTED_MEDIA_TYPE, "it is not a container image but an artifact with config type "
                    + m.config().mediaType() + ", which no engine can load");
        }
        return new ResolvedImage(image, chosenFrom, manifest, platform, client.endpoint());
    }

    /** Several platforms of one image: the index, the primary platform's manifest, the others, and attestations. */
    public record Resolution(FetchedManifest index, ResolvedImage primary, List<ResolvedImage> others, List<FetchedManifest> attestations) {
    }

    /**
     * Resolves the platforms a multi-platform request names, or every one (with its attestations) when it asks
     * for all; the primary is the one matching the request's own platform, else the first chosen.
     */
    public Resolution resolveMulti(RegistryClient client, ImageRequest request) {
        ImageReference image = request.reference();
        Operation op = client.operation(image, "resolve", image.digest().orElse(null));
        FetchedManifest top = document(client, op, top(client, op, image));
        if (!(top.document() instanceof ImageIndex index)) {
            throw op.failure(Reason.NO_MATCHING_PLATFORM, "several platforms were asked for, but it is a single-platform image");
        }
        List<Descriptor> chosen = new ArrayList<>();
        List<Descriptor> attestations = new ArrayList<>();
        if (request.all()) {
            for (Descriptor d : index.manifests()) {
                (d.isPlatformImage() ? chosen : attestations).add(d);
            }
        } else {
            for (Platform p : request.platforms()) {
                Descriptor entry = entryFor(op, index, p);
                if (chosen.stream().noneMatch(c -> c.digest().equals(entry.digest()))) {
                    chosen.add(entry);
                }
            }
        }
        if (chosen.isEmpty()) {
            throw op.failure(Reason.NO_MATCHING_PLATFORM, "the index lists no platform image");
        }
        int primaryAt = PlatformMatcher.best(chosen.stream().map(Descriptor::platform).toList(), request.platform()).orElse(0);
        ResolvedImage primary = null;
        List<ResolvedImage> others = new ArrayList<>();
        for (int i = 0; i < chosen.size(); i++) {
            Descriptor entry = chosen.get(i);
            Operation child = op.then("fetch the " + entry.platform() + " manifest of", entry.digest());
            FetchedManifest manifest = document(client, child, entry);
            if (!(manifest.document() instanceof ImageManifest m) || !m.isImage()) {
                throw child.failure(Reason.UNSUPPORTED_MEDIA_TYPE, "the " + entry.platform() + " entry is not an image manifest");
            }
            ResolvedImage resolved = new ResolvedImage(image, Optional.of(top), manifest, entry.platform(), client.endpoint());
            if (i == primaryAt) {
                primary = resolved;
            } else {
                others.add(resolved);
            }
        }
        List<FetchedManifest> attestationManifests = new ArrayList<>();
        for (Descriptor a : attestations) {
            attestationManifests.add(document(client, op.then("fetch an attestation of", a.digest()), a));
        }
        return new Resolution(top, primary, others, attestationManifests);
    }

    /**
     * What a reference points to. A digest whose content the cache holds needs no request; offline, a tag is what
     * it last resolved to; a lock asks with {@code HEAD} (free on Docker Hub), a pull with {@code GET}.
     */
    public Top top(RegistryClient client, Operation op, ImageReference image) {
        Optional<Digest> pinned = image.digest();
        if (pinned.isPresent()) {
            Optional<FetchedManifest> cached = cached(op, new Descriptor(null, pinned.get(), -1));
            if (cached.isPresent()) {
                return top(cached.get());
            }
        }
        if (purpose == Purpose.OFFLINE) {
            Descriptor known = pinned.map(d -> new Descriptor(null, d, -1)).or(() -> store.tags().lookup(image))
                    .orElseThrow(() -> op.failure(Reason.NOT_IN_CACHE,
                            "offline, and the tag was never resolved online with this cache (" + store.root() + ")"));
            if (pinned.isEmpty()) {
                listener.warn("offline: " + image.familiarString() + " is taken as " + known.digest()
                        + ", what the tag last resolved to; the registry may have moved it since");
            }
            return top(document(client, op, known));
        }
        if (purpose == Purpose.LOCK) {
            return byHead(client, op, image);
        }
        if (pinned.isPresent()) {
            return top(document(client, op, new Descriptor(null, pinned.get(), -1)));
        }
        Optional<Top> unmoved = unmovedTag(client, op, image);
        if (unmoved.isPresent()) {
            return unmoved.get();
        }
        FetchedManifest fetched = client.getManifest(op, image.tag().orElseThrow(), null);
        keep(op, fetched);
        try {
            store.tags().record(image, descriptorOf(fetched));
        } catch (IOException e) {
            listener.warn("could not record " + image + " -> " + fetched.digest() + " for offline builds: " + e.getMessage());
        }
        return top(fetched);
    }

    /**
     * A tag whose last resolution the cache holds is asked with {@code HEAD} first: Docker Hub counts every manifest
     * {@code GET} against the pull limit and no {@code HEAD}, so a build whose tags have not moved spends none of it.
     * Empty when the cache knows nothing of the tag, or the registry names another digest (or none): the tag is then
     * fetched with GET as on a first pull.
     */
    private Optional<Top> unmovedTag(RegistryClient client, Operation op, ImageReference image) {
        Optional<Descriptor> known = store.tags().lookup(image);
        if (known.isEmpty()) {
            return Optional.empty();
        }
        Optional<FetchedManifest> cached = cached(op, known.get());
        if (cached.isEmpty()) {
            return Optional.empty();
        }
        Optional<Descriptor> head = client.headManifest(op, image.tag().orElseThrow());
        if (head.isPresent() && head.get().digest().equals(known.get().digest())) {
            listener.debug(image.familiarString() + " still points to " + known.get().digest() + " (HEAD); its manifest comes from the cache");
            return Optional.of(top(cached.get()));
        }
        listener.debug(image.familiarString() + (head.isPresent() ? " moved to " + head.get().digest() : " has no digest on HEAD")
                + "; fetching it");
        return Optional.empty();
    }

    /**
     * The lock's way: a {@code HEAD} gives the digest and media type. A registry that refuses HEAD (some answer 405)
     * or sends no digest is asked with GET, and the body is hashed instead; an unknown Content-Type is settled by
     * the document itself.
     */
    private Top byHead(RegistryClient client, Operation op, ImageReference image) {
        Optional<Descriptor> head = client.headManifest(op, image.manifestReference());
        if (head.isEmpty()) {
            return viaGet(client, op, image);
        }
        Descriptor announced = head.get();
        if (image.digest().isPresent() && !image.digest().get().equals(announced.digest())) {
            throw op.failure(Reason.DIGEST_MISMATCH, "the registry says it has " + announced.digest());
        }
        String type = announced.mediaType();
        if (MediaTypes.isIndex(type) || MediaTypes.isManifest(type)) {
            listener.debug("HEAD manifests/" + image.manifestReference() + " of " + image.familiarString() + ": " + announced.digest() + " " + type);
            return new Top(new Descriptor(type, announced.digest(), announced.size()), Optional.empty());
        }
        // no Content-Type, or one that names no manifest type: the document itself says what it is
        return top(document(client, op, new Descriptor(null, announced.digest(), -1)));
    }

    private Top viaGet(RegistryClient client, Operation op, ImageReference image) {
        Descriptor expected = image.digest().map(d -> new Descriptor(null, d, -1)).orElse(null);
        FetchedManifest fetched = client.getManifest(op, image.manifestReference(), expected);
        keep(op, fetched);
        return top(fetched);
    }

    private static Top top(FetchedManifest fetched) {
        return new Top(descriptorOf(fetched), Optional.of(fetched));
    }

    /** The document of a top descriptor: the one at hand, else by digest. */
    public FetchedManifest document(RegistryClient client, Operation op, Top top) {
        return top.document().orElseGet(() -> document(client, op, top.descriptor()));
    }

    /** Content named by digest: from the store when present (it was verified on the way in), else from the registry. */
    public FetchedManifest document(RegistryClient client, Operation op, Descriptor expected) {
        Optional<FetchedManifest> cached = cached(op, expected);
        if (cached.isPresent()) {
            return cached.get();
        }
        if (purpose == Purpose.OFFLINE) {
            throw op.failure(Reason.NOT_IN_CACHE, "offline, and the cache " + store.root() + " lacks manifest " + expected.digest());
        }
        FetchedManifest fetched = client.getManifest(op, expected.digest().toString(), expected);
        keep(op, fetched);
        return fetched;
    }

    /**
     * The entry for a platform, walking nested indexes: exact match first, then containerd's fallbacks, never an
     * attestation; no deeper than {@link #MAX_INDEX_DEPTH}, and never back to an index already seen.
     */
    public Choice choose(RegistryClient client, Operation op, FetchedManifest top, ImageIndex index, Platform platform) {
        Set<Digest> seen = new HashSet<>();
        seen.add(top.digest());
        FetchedManifest from = top;
        ImageIndex current = index;
        for (int depth = 0; ; depth++) {
            if (depth == MAX_INDEX_DEPTH) {
                throw op.failure(Reason.PROTOCOL, "indexes are nested more than " + MAX_INDEX_DEPTH + " deep");
            }
            Descriptor entry = entryFor(op, current, platform);
            if (!seen.add(entry.digest())) {
                throw op.failure(Reason.PROTOCOL, "the index refers to itself (" + entry.digest() + ")");
            }
            if (!MediaTypes.isIndex(entry.mediaType())) {
                return new Choice(entry, from);
            }
            FetchedManifest nested = document(client, nestedIndexOperation(op, entry), entry);
            if (!(nested.document() instanceof ImageIndex nestedIndex)) {
                return new Choice(entry, from);
            }
            from = nested;
            current = nestedIndex;
        }
    }

    private Operation nestedIndexOperation(Operation op, Descriptor entry) {
        return op.then((purpose == Purpose.LOCK ? "lock the " + entry.platform() + " index of"
                : "fetch the " + entry.platform() + " manifest of"), entry.digest());
    }

    /** The platform manifest an index entry names, which must be a manifest after all. */
    private FetchedManifest platformManifest(RegistryClient client, Operation op, Descriptor entry) {
        Operation child = op.then("fetch the " + entry.platform() + " manifest of", entry.digest());
        FetchedManifest manifest = document(client, child, entry);
        if (manifest.document() instanceof ImageIndex) {
            throw child.failure(Reason.PROTOCOL, "the index lists it as " + entry.mediaType() + ", but it is an index");
        }
        return manifest;
    }

    /** The entry of one index for the platform: exact match first, then containerd's fallbacks; attestations never. */
    static Descriptor entryFor(Operation op, ImageIndex index, Platform wanted) {
        List<Descriptor> runnable = index.manifests().stream().filter(Descriptor::isPlatformImage).toList();
        Optional<Integer> best = PlatformMatcher.best(runnable.stream().map(Descriptor::platform).toList(), wanted);
        if (best.isEmpty()) {
            String available = runnable.isEmpty() ? "none" : runnable.stream().map(d -> d.platform().toString())
                    .distinct().collect(Collectors.joining(", "));
            throw op.failure(Reason.NO_MATCHING_PLATFORM, "no manifest for platform " + wanted
                    + " in the index; the image has: " + available);
        }
        return runnable.get(best.get());
    }

    private Optional<FetchedManifest> cached(Operation op, Descriptor expected) {
        try {
            if (store.contains(expected)) {
                byte[] bytes = store.read(expected, ManifestDocument.MAX_BYTES);
                listener.debug(expected.digest() + " of " + op.image().familiarString() + " is in the cache; no request");
                return Optional.of(new FetchedManifest(bytes, expected.digest(), ManifestDocument.parse(bytes, expected.mediaType())));
            }
        } catch (ManifestFormatException e) {
            throw op.failure(e.unsupported() ? Reason.UNSUPPORTED_MEDIA_TYPE : Reason.PROTOCOL, e.getMessage(), e);
        } catch (IOException e) {
            listener.debug("could not read " + expected.digest() + " from the cache (" + e.getMessage() + "); fetching it");
        }
        return Optional.empty();
    }

    /**
     * Keeps a fetched document in the store. A pull's writers read it there, so a pull fails without it; a lock
     * only saves the next lock and pull a request, so a cache that cannot take it is no failure.
     */
    private void keep(Operation op, FetchedManifest fetched) {
        try {
            store.put(descriptorOf(fetched), fetched.bytes());
        } catch (IOException e) {
            if (purpose == Purpose.LOCK) {
                listener.debug("could not keep " + fetched.digest() + " in the cache " + store.root() + ": " + e.getMessage());
                return;
            }
            throw op.then("store the manifest of", fetched.digest()).failure(Reason.IO, "in the cache " + store.root() + ": " + e.getMessage(), e);
        }
    }

    private static Descriptor descriptorOf(FetchedManifest fetched) {
        return new Descriptor(fetched.mediaType(), fetched.digest(), fetched.bytes().length);
    }
}
