package io.github.frozenimages.images.core.registry;

import io.github.frozenimages.images.core.ImagePullException;
import io.github.frozenimages.images.core.ImagePullException.Reason;
import io.github.frozenimages.images.core.ImageRequest;
import io.github.frozenimages.images.core.model.Descriptor;
import io.github.frozenimages.images.core.model.ImageIndex;
import io.github.frozenimages.images.core.model.ImageManifest;
import io.github.frozenimages.images.core.model.ManifestDocument;
import io.github.frozenimages.images.core.model.ManifestFormatException;
import io.github.frozenimages.images.core.ref.Digest;
import io.github.frozenimages.images.core.ref.ImageReference;
import io.github.frozenimages.images.core.ref.Platform;
import io.github.frozenimages.images.core.ref.PlatformMatcher;
import io.github.frozenimages.images.core.store.BlobStore;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Turns a reference and a platform into one verified platform manifest, walking (nested) indexes. Content
 * named by digest comes from the store when it is there, so a pinned reference needs no request at all;
 * a tag is asked of the registry, or offline looked up in the store's record of what it last resolved to.
 */
public final class ImageResolver {

    /** Indexes of indexes are allowed by the spec; deeper nesting than this is refused as hostile. */
    public static final int MAX_INDEX_DEPTH = 4;

    private final BlobStore store;
    private final boolean offline;

    public ImageResolver(BlobStore store, boolean offline) {
        this.store = store;
        this.offline = offline;
    }

    public ResolvedImage resolve(RegistryClient client, ImageRequest request) {
        ImageReference image = request.reference();
        RegistryClient.Context ctx = new RegistryClient.Context(image, "resolve", image.digest().map(Digest::toString).orElse(null));
        FetchedManifest top = top(client, ctx, image);
        FetchedManifest current = top;
        FetchedManifest chosenFrom = null;
        Platform platform = request.platform();
        Set<Digest> seen = new HashSet<>();
        seen.add(top.digest());
        for (int depth = 0; current.document() instanceof ImageIndex index; depth++) {
            if (depth == MAX_INDEX_DEPTH) {
                throw client.failure(ctx, Reason.PROTOCOL, "indexes are nested more than " + MAX_INDEX_DEPTH + " deep", null);
            }
            Descriptor entry = choose(client, ctx, index, request.platform());
            if (!seen.add(entry.digest())) {
                throw client.failure(ctx, Reason.PROTOCOL, "the index refers to itself (" + entry.digest() + ")", null);
            }
            RegistryClient.Context child = new RegistryClient.Context(image, "fetch the " + entry.platform() + " manifest of", entry.digest().toString());
            chosenFrom = current;
            platform = entry.platform();
            current = byDigest(client, child, entry);
        }
        // past the indexes: a schema 1 manifest, which is always an image, or an OCI/Docker manifest
        if (current.document() instanceof ImageManifest manifest && !manifest.isImage()) {
            throw client.failure(ctx, Reason.UNSUPPORTED_MEDIA_TYPE, "it is not a container image but an artifact with config type "
                    + manifest.config().mediaType() + ", which no engine can load", null);
        }
        return new ResolvedImage(image, Optional.ofNullable(chosenFrom), current, platform, client);
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
        RegistryClient.Context ctx = new RegistryClient.Context(image, "resolve", image.digest().map(Digest::toString).orElse(null));
        FetchedManifest top = top(client, ctx, image);
        if (!(top.document() instanceof ImageIndex index)) {
            throw client.failure(ctx, Reason.NO_MATCHING_PLATFORM, "several platforms were asked for, but it is a single-platform image", null);
        }
        List<Descriptor> chosen = new ArrayList<>();
        List<Descriptor> attestations = new ArrayList<>();
        if (request.all()) {
            for (Descriptor d : index.manifests()) {
                (d.isPlatformImage() ? chosen : attestations).add(d);
            }
        } else {
            for (Platform p : request.platforms()) {
                Descriptor entry = choose(client, ctx, index, p);
                if (chosen.stream().noneMatch(c -> c.digest().equals(entry.digest()))) {
                    chosen.add(entry);
                }
            }
        }
        if (chosen.isEmpty()) {
            throw client.failure(ctx, Reason.NO_MATCHING_PLATFORM, "the index lists no platform image", null);
        }
        int primaryAt = PlatformMatcher.best(chosen.stream().map(Descriptor::platform).toList(), request.platform()).orElse(0);
        ResolvedImage primary = null;
        List<ResolvedImage> others = new ArrayList<>();
        for (int i = 0; i < chosen.size(); i++) {
            Descriptor entry = chosen.get(i);
            RegistryClient.Context child = new RegistryClient.Context(image, "fetch the " + entry.platform() + " manifest of", entry.digest().toString());
            FetchedManifest manifest = byDigest(client, child, entry);
            if (!(manifest.document() instanceof ImageManifest m) || !m.isImage()) {
                throw client.failure(child, Reason.UNSUPPORTED_MEDIA_TYPE, "the " + entry.platform() + " entry is not an image manifest", null);
            }
            ResolvedImage resolved = new ResolvedImage(image, Optional.of(top), manifest, entry.platform(), client);
            if (i == primaryAt) {
                primary = resolved;
            } else {
                others.add(resolved);
            }
        }
        List<FetchedManifest> attestationManifests = new ArrayList<>();
        for (Descriptor a : attestations) {
            attestationManifests.add(byDigest(client, new RegistryClient.Context(image, "fetch an attestation of", a.digest().toString()), a));
        }
        return new Resolution(top, primary, others, attestationManifests);
    }

    private FetchedManifest top(RegistryClient client, RegistryClient.Context ctx, ImageReference image) {
        if (image.digest().isPresent()) {
            return byDigest(client, ctx, new Descriptor(null, image.digest().get(), -1));
        }
        if (offline) {
            Descriptor known = store.tags().lookup(image).orElseThrow(() -> client.failure(ctx, Reason.NOT_IN_CACHE,
                    "offline, and the tag was never resolved online with this cache (" + store.root() + ")", null));
            client.listener().warn("offline: " + image.familiarString() + " is taken as " + known.digest()
                    + ", what the tag last resolved to; the registry may have moved it since");
            return byDigest(client, ctx, known);
        }
        FetchedManifest fetched = ManifestFetcher.fetch(client, ctx, image.tag().orElseThrow(), null);
        keep(client, ctx, fetched);
        try {
            store.tags().record(image, new Descriptor(fetched.mediaType(), fetched.digest(), fetched.bytes().length));
        } catch (IOException e) {
            client.listener().warn("could not record " + image + " -> " + fetched.digest() + " for offline builds: " + e.getMessage());
        }
        return fetched;
    }

    /** Content named by digest: from the store when present (it was verified on the way in), else from the registry. */
    private FetchedManifest byDigest(RegistryClient client, RegistryClient.Context ctx, Descriptor expected) {
        try {
            if (store.contains(expected)) {
                byte[] bytes = store.read(expected, ManifestDocument.MAX_BYTES);
                return new FetchedManifest(bytes, expected.digest(), ManifestDocument.parse(bytes, expected.mediaType()));
            }
        } catch (ManifestFormatException e) {
            throw client.failure(ctx, e.unsupported() ? Reason.UNSUPPORTED_MEDIA_TYPE : Reason.PROTOCOL, e.getMessage(), e);
        } catch (IOException e) {
            client.listener().debug("could not read " + expected.digest() + " from the cache (" + e.getMessage() + "); fetching it");
        }
        if (offline) {
            throw client.failure(ctx, Reason.NOT_IN_CACHE, "offline, and the cache " + store.root() + " lacks manifest " + expected.digest(), null);
        }
        FetchedManifest fetched = ManifestFetcher.fetch(client, ctx, expected.digest().toString(), expected);
        keep(client, ctx, fetched);
        return fetched;
    }

    private void keep(RegistryClient client, RegistryClient.Context ctx, FetchedManifest fetched) {
        try {
            store.put(new Descriptor(fetched.mediaType(), fetched.digest(), fetched.bytes().length), fetched.bytes());
        } catch (IOException e) {
            throw new ImagePullException(Reason.IO, ImagePullException.describe("store the manifest of", ctx.image().familiarString(),
                    fetched.digest().toString(), client.endpoint().registry(), "in the cache " + store.root() + ": " + e.getMessage()), e);
        }
    }

    /** The entry for the platform: exact match first, then containerd's fallbacks; attestations never. */
    public static Descriptor choose(RegistryClient client, RegistryClient.Context ctx, ImageIndex index, Platform wanted) {
        List<Descriptor> runnable = index.manifests().stream().filter(Descriptor::isPlatformImage).toList();
        Optional<Integer> best = PlatformMatcher.best(runnable.stream().map(Descriptor::platform).toList(), wanted);
        if (best.isEmpty()) {
            String available = runnable.isEmpty() ? "none" : runnable.stream().map(d -> d.platform().toString())
                    .distinct().collect(Collectors.joining(", "));
            throw client.failure(ctx, Reason.NO_MATCHING_PLATFORM, "no manifest for platform " + wanted
                    + " in the index; the image has: " + available, null);
        }
        return runnable.get(best.get());
    }
}
