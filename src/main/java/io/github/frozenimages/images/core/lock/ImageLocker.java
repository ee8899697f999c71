package io.github.frozenimages.images.core.lock;

import io.github.frozenimages.images.core.ImagePullException;
import io.github.frozenimages.images.core.ImagePullException.Reason;
import io.github.frozenimages.images.core.ImageRequest;
import io.github.frozenimages.images.core.NetworkOptions;
import io.github.frozenimages.images.core.PullListener;
import io.github.frozenimages.images.core.PullRequest;
import io.github.frozenimages.images.core.RegistryClients;
import io.github.frozenimages.images.core.Version;
import io.github.frozenimages.images.core.auth.CredentialProvider;
import io.github.frozenimages.images.core.http.HttpTransport;
import io.github.frozenimages.images.core.http.RetryPolicy;
import io.github.frozenimages.images.core.model.Descriptor;
import io.github.frozenimages.images.core.model.ImageIndex;
import io.github.frozenimages.images.core.model.ManifestDocument;
import io.github.frozenimages.images.core.model.ManifestFormatException;
import io.github.frozenimages.images.core.model.MediaTypes;
import io.github.frozenimages.images.core.ref.Digest;
import io.github.frozenimages.images.core.ref.ImageReference;
import io.github.frozenimages.images.core.ref.Platform;
import io.github.frozenimages.images.core.registry.FetchedManifest;
import io.github.frozenimages.images.core.registry.ImageResolver;
import io.github.frozenimages.images.core.registry.ManifestFetcher;
import io.github.frozenimages.images.core.registry.RegistryClient;
import io.github.frozenimages.images.core.store.BlobStore;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.apache.hc.core5.http.ClassicHttpResponse;
import org.apache.hc.core5.http.Header;
import org.apache.hc.core5.http.HttpHeaders;

/**
 * Resolves images to the digests a lock records, asking as little of the registry as it can: a HEAD of each
 * reference gives the digest it points to and its media type (Docker Hub does not count a HEAD as a pull); only
 * an index needs its body, fetched by digest, or read from the cache when it is there, to choose each platform's
 * manifest by the same rules as a pull. A registry that sends no {@code Docker-Content-Digest} on HEAD, or refuses
 * HEAD, is asked with GET, and the body is hashed instead.
 */
public final class ImageLocker {

    private static final Map<String, String> ACCEPT = Map.of(HttpHeaders.ACCEPT, MediaTypes.MANIFEST_ACCEPT);

    private final Path cacheDirectory;
    private final Set<String> insecureRegistries;
    private final CredentialProvider credentials;
    private final NetworkOptions network;
    private final PullListener listener;

    /** @param cacheDirectory the pull's blob cache: indexes already there need no request, and fetched ones are kept */
    public ImageLocker(Path cacheDirectory, Set<String> insecureRegistries, CredentialProvider credentials,
                       NetworkOptions network, PullListener listener) {
        this.cacheDirectory = Objects.requireNonNull(cacheDirectory, "cacheDirectory");
        this.insecureRegistries = Set.copyOf(insecureRegistries);
        this.credentials = credentials == null ? CredentialProvider.ANONYMOUS : credentials;
        this.network = network == null ? NetworkOptions.DEFAULTS : network;
        this.listener = listener == null ? PullListener.SILENT : listener;
    }

    /** A locker that reaches registries as this pull would: same cache, credentials, mirrors and network settings. */
    public static ImageLocker forRequest(PullRequest request) {
        return new ImageLocker(request.cacheDirectory(), request.insecureRegistries(), request.credentials(),
                request.network(), request.listener());
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
        BlobStore store = new BlobStore(cacheDirectory);
        try (HttpTransport transport = new HttpTransport(4, Version.USER_AGENT, network.timeout(), network.tls(), network.proxies())) {
            RetryPolicy retries = new RetryPolicy(network.attempts(), network.retryBaseDelay(), network.retryMaxDelay());
            RegistryClients clients = new RegistryClients(transport, insecureRegistries, credentials, retries,
                    network.mirrors(), network.tls(), listener);
            List<ImageLock.Image> locked = new ArrayList<>();
            for (Map.Entry<ImageReference, Wanted> e : wanted.entrySet()) {
                locked.add(fromFirstServing(clients.forImage(e.getKey()), store, e.getKey(), e.getValue()));
            }
            return ImageLock.of(locked);
        } catch (IOException e) {
            throw new ImagePullException(Reason.IO, "could not close the registry connections: " + e.getMessage(), e);
        }
    }

    /** Mirrors in order, then the registry, as a pull tries them. */
    private ImageLock.Image fromFirstServing(List<RegistryClient> endpoints, BlobStore store, ImageReference reference,
                                             Wanted wanted) {
        for (int i = 0; ; i++) {
            RegistryClient client = endpoints.get(i);
            try {
                return lock(client, store, reference, wanted);
            } catch (ImagePullException e) {
                if (i == endpoints.size() - 1) {
                    throw e;
                }
                listener.warn("mirror " + client.endpoint().base() + " could not serve " + reference.familiarString()
                        + " (" + e.getMessage() + "); trying " + (i + 2 == endpoints.size() ? "the registry itself" : "the next mirror"));
            }
        }
    }

    private ImageLock.Image lock(RegistryClient client, BlobStore store, ImageReference reference, Wanted wanted) {
        RegistryClient.Context ctx = new RegistryClient.Context(reference, "lock", reference.digest().map(Digest::toString).orElse(null));
        Top top = top(client, ctx, store, reference);
        Map<Platform, Digest> manifests = new LinkedHashMap<>();
        if (!top.isIndex()) {
            if (wanted.multi()) {
                throw client.failure(ctx, Reason.NO_MATCHING_PLATFORM, "several platforms were asked for, but it is a single-platform image", null);
            }
            // a single-platform manifest is what every platform gets, as in a pull
            wanted.platforms().forEach(p -> manifests.put(p, top.digest()));
            listener.debug("locked " + reference.familiarString() + " to manifest " + top.digest());
            return new ImageLock.Image(reference, Optional.empty(), manifests);
        }
        ManifestDocument document = top.document() != null ? top.document()
                : byDigest(client, ctx, store, new Descriptor(top.mediaType(), top.digest(), -1));
        if (!(document instanceof ImageIndex index)) {
            throw client.failure(ctx, Reason.PROTOCOL, "the registry announced an index (" + top.mediaType()
                    + ") but served a manifest", null);
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
            Digest manifest = platformManifest(client, ctx, store, top.digest(), index, platform);
            listener.debug("locked " + reference.familiarString() + " " + platform + " to manifest " + manifest + " of index " + top.digest());
            manifests.put(platform, manifest);
        }
        return new ImageLock.Image(reference, Optional.of(top.digest()), manifests);
    }

    /**
     * What the reference points to. HEAD first; its digest is checked for form before anything uses it. A
     * digest reference whose content the cache holds needs no request at all.
     */
    private Top top(RegistryClient client, RegistryClient.Context ctx, BlobStore store, ImageReference reference) {
        Optional<Digest> pinned = reference.digest();
        if (pinned.isPresent()) {
            Optional<ManifestDocument> cached = cached(client, ctx, store, new Descriptor(null, pinned.get(), -1));
            if (cached.isPresent()) {
                return new Top(pinned.get(), cached.get().mediaType(), cached.get());
            }
        }
        String path = "manifests/" + reference.manifestReference();
        String digestHeader;
        String contentType;
        try (ClassicHttpResponse response = client.head(ctx, path, ACCEPT)) {
            digestHeader = header(response, "Docker-Content-Digest");
            contentType = header(response, HttpHeaders.CONTENT_TYPE);
        } catch (ImagePullException e) {
            if (e.reason() == Reason.UNREACHABLE) {
                throw e;
            }
            // HEAD has no body to explain a refusal, and some registries answer 405: GET says what is wrong, or works
            listener.debug("HEAD " + path + " of " + reference.familiarString() + " failed (" + e.getMessage() + "); asking with GET");
            return viaGet(client, ctx, store, reference);
        } catch (IOException e) {
            throw client.failure(ctx, Reason.UNREACHABLE, "the HEAD request broke off: " + e.getMessage(), e);
        }
        if (digestHeader == null || digestHeader.isEmpty()) {
            listener.debug("the registry sent no Docker-Content-Digest for HEAD " + path + " of " + reference.familiarString()
                    + "; fetching it to hash it");
            return viaGet(client, ctx, store, reference);
        }
        Digest digest;
        try {
            digest = Digest.parse(digestHeader);
        } catch (IllegalArgumentException e) {
            throw client.failure(ctx, Reason.PROTOCOL, "the registry sent an invalid Docker-Content-Digest: " + e.getMessage(), e);
        }
        if (pinned.isPresent() && !pinned.get().equals(digest)) {
            throw new ImagePullException(Reason.DIGEST_MISMATCH, ImagePullException.describe("lock", reference.familiarString(),
                    pinned.get().toString(), client.endpoint().registry(), "the registry says it has " + digest));
        }
        String type = MediaTypes.withoutParameters(contentType);
        if (MediaTypes.isIndex(type) || MediaTypes.isManifest(type)) {
            listener.debug("HEAD " + path + " of " + reference.familiarString() + ": " + digest + " " + type);
            return new Top(digest, type, null);
        }
        // no Content-Type, or one that names no manifest type: the document itself says what it is
        ManifestDocument document = byDigest(client, ctx, store, new Descriptor(null, digest, -1));
        return new Top(digest, document.mediaType(), document);
    }

    /** The fallback: GET the reference, which verifies the body against any digest the registry sent, and hash it. */
    private Top viaGet(RegistryClient client, RegistryClient.Context ctx, BlobStore store, ImageReference reference) {
        Descriptor expected = reference.digest().map(d -> new Descriptor(null, d, -1)).orElse(null);
        FetchedManifest fetched = ManifestFetcher.fetch(client, ctx, reference.manifestReference(), expected);
        keep(store, fetched);
        return new Top(fetched.digest(), fetched.mediaType(), fetched.document());
    }

    /** The entry for the platform, walking nested indexes by the pull's own rules. */
    private Digest platformManifest(RegistryClient client, RegistryClient.Context ctx, BlobStore store, Digest top,
                                    ImageIndex index, Platform platform) {
        Set<Digest> seen = new HashSet<>();
        seen.add(top);
        ImageIndex current = index;
        for (int depth = 0; ; depth++) {
            // as deep as a pull follows nested indexes
            if (depth == ImageResolver.MAX_INDEX_DEPTH) {
                throw client.failure(ctx, Reason.PROTOCOL, "indexes are nested more than " + ImageResolver.MAX_INDEX_DEPTH + " deep", null);
            }
            Descriptor entry = ImageResolver.choose(client, ctx, current, platform);
            if (!seen.add(entry.digest())) {
                throw client.failure(ctx, Reason.PROTOCOL, "the index refers to itself (" + entry.digest() + ")", null);
            }
            if (!MediaTypes.isIndex(entry.mediaType())) {
                return entry.digest();
            }
            RegistryClient.Context child = new RegistryClient.Context(ctx.image(), "lock the " + entry.platform() + " index of",
                    entry.digest().toString());
            ManifestDocument nested = byDigest(client, child, store, entry);
            if (!(nested instanceof ImageIndex nestedIndex)) {
                return entry.digest();
            }
            current = nestedIndex;
        }
    }

    /** A document named by digest: from the cache when there, else fetched, verified and kept. */
    private ManifestDocument byDigest(RegistryClient client, RegistryClient.Context ctx, BlobStore store, Descriptor expected) {
        Optional<ManifestDocument> cached = cached(client, ctx, store, expected);
        if (cached.isPresent()) {
            return cached.get();
        }
        FetchedManifest fetched = ManifestFetcher.fetch(client, ctx, expected.digest().toString(), expected);
        keep(store, fetched);
        return fetched.document();
    }

    private Optional<ManifestDocument> cached(RegistryClient client, RegistryClient.Context ctx, BlobStore store, Descriptor expected) {
        try {
            if (store.contains(expected)) {
                byte[] bytes = store.read(expected, ManifestDocument.MAX_BYTES);
                listener.debug(expected.digest() + " of " + ctx.image().familiarString() + " is in the cache; no request");
                return Optional.of(ManifestDocument.parse(bytes, expected.mediaType()));
            }
        } catch (ManifestFormatException e) {
            throw client.failure(ctx, e.unsupported() ? Reason.UNSUPPORTED_MEDIA_TYPE : Reason.PROTOCOL, e.getMessage(), e);
        } catch (IOException e) {
            listener.debug("could not read " + expected.digest() + " from the cache (" + e.getMessage() + "); fetching it");
        }
        return Optional.empty();
    }

    /** Keeps a fetched document for the next lock and the pull; a cache that cannot take it costs a request later, nothing more. */
    private void keep(BlobStore store, FetchedManifest fetched) {
        try {
            store.put(new Descriptor(fetched.mediaType(), fetched.digest(), fetched.bytes().length), fetched.bytes());
        } catch (IOException e) {
            listener.debug("could not keep " + fetched.digest() + " in the cache " + store.root() + ": " + e.getMessage());
        }
    }

    private static String header(ClassicHttpResponse response, String name) {
        Header h = response.getFirstHeader(name);
        return h == null ? null : h.getValue().trim();
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

    /** What a reference points to; the parsed document when it was already at hand. */
    private record Top(Digest digest, String mediaType, ManifestDocument document) {

        boolean isIndex() {
            return document != null ? document instanceof ImageIndex : MediaTypes.isIndex(mediaType);
        }
    }
}
