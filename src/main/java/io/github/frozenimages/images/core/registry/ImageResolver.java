package io.github.frozenimages.images.core.registry;

import io.github.frozenimages.images.core.ImagePullException;
import io.github.frozenimages.images.core.ImagePullException.Reason;
import io.github.frozenimages.images.core.ImageRequest;
import io.github.frozenimages.images.core.model.Descriptor;
import io.github.frozenimages.images.core.model.ImageIndex;
import io.github.frozenimages.images.core.model.ImageManifest;
import io.github.frozenimages.images.core.model.ManifestDocument;
import io.github.frozenimages.images.core.ref.Digest;
import io.github.frozenimages.images.core.ref.ImageReference;
import io.github.frozenimages.images.core.ref.Platform;
import io.github.frozenimages.images.core.ref.PlatformMatcher;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/** Turns a reference and a platform into one verified platform manifest, walking (nested) indexes. */
public final class ImageResolver {

    /** Indexes of indexes are allowed by the spec; deeper nesting than this is refused as hostile. */
    static final int MAX_INDEX_DEPTH = 4;

    private ImageResolver() {
    }

    public static ResolvedImage resolve(RegistryClient client, ImageRequest request) {
        ImageReference image = request.reference();
        Descriptor pinned = image.digest().map(d -> new Descriptor(null, d, -1)).orElse(null);
        RegistryClient.Context ctx = new RegistryClient.Context(image, "resolve", image.digest().map(Digest::toString).orElse(null));
        FetchedManifest top = ManifestFetcher.fetch(client, ctx, image.manifestReference(), pinned);
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
            current = ManifestFetcher.fetch(client, child, entry.digest().toString(), entry);
        }
        ImageManifest manifest = (ImageManifest) current.document();
        if (!manifest.isImage()) {
            throw client.failure(ctx, Reason.UNSUPPORTED_MEDIA_TYPE, "it is not a container image but an artifact with config type "
                    + manifest.config().mediaType() + ", which no engine can load", null);
        }
        return new ResolvedImage(image, Optional.ofNullable(chosenFrom), current, platform, client);
    }

    /** The entry for the platform: exact match first, then containerd's fallbacks; attestations never. */
    static Descriptor choose(RegistryClient client, RegistryClient.Context ctx, ImageIndex index, Platform wanted) {
        List<Descriptor> runnable = new ArrayList<>();
        for (Descriptor d : index.manifests()) {
            if (d.platform() != null && !d.platform().isUnknown() && !isAttestation(d)) {
                runnable.add(d);
            }
        }
        Optional<Integer> best = PlatformMatcher.best(runnable.stream().map(Descriptor::platform).toList(), wanted);
        if (best.isEmpty()) {
            String available = runnable.isEmpty() ? "none" : runnable.stream().map(d -> d.platform().toString())
                    .distinct().collect(Collectors.joining(", "));
            throw client.failure(ctx, Reason.NO_MATCHING_PLATFORM, "no manifest for platform " + wanted
                    + " in the index; the image has: " + available, null);
        }
        return runnable.get(best.get());
    }

    private static boolean isAttestation(Descriptor d) {
        return d.annotations().containsKey("vnd.docker.reference.type");
    }

    /** Reads a manifest document type, for callers outside this package. */
    public static boolean isIndex(ManifestDocument document) {
        return document instanceof ImageIndex;
    }
}
