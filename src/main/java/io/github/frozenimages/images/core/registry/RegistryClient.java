package io.github.frozenimages.images.core.registry;

import io.github.frozenimages.images.core.http.BoundedBody;
import io.github.frozenimages.images.core.http.Retrier;
import io.github.frozenimages.images.core.http.RetryPolicy;
import io.github.frozenimages.images.core.model.Descriptor;
import io.github.frozenimages.images.core.model.ImageIndex;
import io.github.frozenimages.images.core.model.ManifestDocument;
import io.github.frozenimages.images.core.model.MediaTypes;
import io.github.frozenimages.images.core.model.Referrer;
import io.github.frozenimages.images.core.model.ReferrersIndex;
import io.github.frozenimages.images.core.ref.Digest;
import io.github.frozenimages.images.core.ref.ImageReference;
import io.github.frozenimages.images.core.shared.ImagePullException;
import io.github.frozenimages.images.core.shared.ImagePullException.Reason;
import io.github.frozenimages.images.core.shared.PullListener;
import io.github.frozenimages.images.core.store.BlobSource;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.hc.core5.http.ClassicHttpResponse;
import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.http.io.entity.ByteArrayEntity;
import org.apache.hc.core5.http.Header;
import org.apache.hc.core5.http.HttpHeaders;

/**
 * One registry endpoint, in the protocol's nouns: the manifest a tag or digest names (its descriptor by
 * {@code HEAD}, or its verified bytes and document by {@code GET}), and a blob's body from an offset. What it
 * returns is the model's values; no HTTP type crosses it. Ping, authentication, redirects and retries happen
 * underneath ({@link RegistryHttp}). Thread-safe; one instance serves every image of the endpoint in a build.
 */
public final class RegistryClient {

    private static final Map<String, String> ACCEPT_MANIFESTS = Map.of(HttpHeaders.ACCEPT, MediaTypes.MANIFEST_ACCEPT);
    private static final Map<String, String> ACCEPT_INDEX = Map.of(HttpHeaders.ACCEPT, MediaTypes.OCI_INDEX);

    private final RegistryHttp http;
    private final RequestStatistics statistics;
    private final PullListener listener;

    RegistryClient(RegistryHttp http, RequestStatistics statistics, PullListener listener) {
        this.http = http;
        this.statistics = statistics;
        this.listener = listener;
    }

    /** Where the registry is reached: after the first request, https for a loopback registry that speaks TLS only. */
    public RegistryEndpoint endpoint() {
        return http.endpoint();
    }

    /**
     * Sends this endpoint's ping in the background, named for resolving {@code image}: see
     * {@link RegistryHttp#pingAhead}.
     */
    public void pingAhead(ImageReference image) {
        http.pingAhead(operation(image, "resolve", image.digest().orElse(null)));
    }

    /** What an operation on an image at this endpoint is called in messages. */
    public Operation operation(ImageReference image, String action, Digest digest) {
        return new Operation(image, action, digest, http.endpoint());
    }

    /**
     * The descriptor a tag or digest points to, by {@code HEAD} (Docker Hub counts no pull for it): media type,
     * digest and size as the registry announces them. Empty when the registry does not say: it sent no
     * {@code Docker-Content-Digest}, or it refused the HEAD (some answer 405, and a HEAD has no body to explain a
     * refusal), so that only a GET can tell. A registry that cannot be reached, or sends a malformed digest, fails.
     */
    public Optional<Descriptor> headManifest(Operation op, String reference) {
        String[] headers;
        try {
            headers = http.send("HEAD", op, "manifests/" + reference, ACCEPT_MANIFESTS, null, (response, attempt) -> {
                try (response) {
                    statistics.rateLimit(op.image(), header(response, "ratelimit-remaining"));
                    return new String[] {header(response, "Docker-Content-Digest"), header(response, HttpHeaders.CONTENT_TYPE),
                            header(response, HttpHeaders.CONTENT_LENGTH)};
                }
            });
        } catch (ImagePullException e) {
            if (e.reason() == Reason.UNREACHABLE) {
                throw e;
            }
            listener.debug("HEAD manifests/" + reference + " of " + op.image().familiarString() + " failed (" + e.getMessage()
                    + "); it takes a GET");
            return Optional.empty();
        } catch (IOException e) {
            throw op.failure(Reason.UNREACHABLE, "the HEAD request broke off: " + e.getMessage(), e);
        }
        Digest digest = ManifestCheck.headerDigest(op, headers[0]);
        if (digest == null) {
            listener.debug("the registry sent no Docker-Content-Digest for HEAD manifests/" + reference + " of "
                    + op.image().familiarString() + "; it takes a GET and a hash");
            return Optional.empty();
        }
        return Optional.of(new Descriptor(MediaTypes.withoutParameters(headers[1]), digest, headers[2] == null ? -1 : parseSize(headers[2])));
    }

    /**
     * A manifest or index, bounded in size, verified against {@code expected} (when given) and the registry's
     * own digest header, and parsed. A body that breaks off is fetched again whole.
     *
     * @param reference a tag or digest string
     * @param expected  the descriptor the manifest must match (from a pinned digest or an index entry), or null
     */
    public FetchedManifest getManifest(Operation op, String reference, Descriptor expected) {
        try {
            return http.send("GET", op, "manifests/" + reference, ACCEPT_MANIFESTS, "manifest", (response, attempt) -> {
                try (response) {
                    statistics.rateLimit(op.image(), header(response, "ratelimit-remaining"));
                    String contentType = header(response, HttpHeaders.CONTENT_TYPE);
                    String headerDigest = header(response, "Docker-Content-Digest");
                    return ManifestCheck.verified(op, manifestBody(op, response), contentType, expected, headerDigest);
                }
            });
        } catch (Retrier.GaveUp e) {
            throw op.failure(Reason.UNREACHABLE, "reading the manifest failed after " + e.attempts() + " attempts: " + e.getMessage(), e.getCause());
        } catch (IOException e) {
            throw op.failure(Reason.UNREACHABLE, e.getMessage(), e);
        }
    }

    /**
     * The manifests that name {@code subject} as theirs (OCI 1.1 referrers: signatures, attestations, SBOMs), as the
     * registry lists them: by {@code GET /v2/<name>/referrers/<digest>}, or, from a registry without that API (it
     * answers 404, as Distribution 2.8 does), from the index a pusher keeps under the fallback tag {@code sha256-<hex>},
     * fetched and digest-checked like any manifest. Neither is content-addressed by the subject, so a caller fetches
     * each manifest it picks by the digest listed here, and checks it. Empty when there is neither.
     */
    public List<Referrer> referrers(Operation op, Digest subject) {
        byte[] body;
        try {
            body = http.send("GET", op, "referrers/" + subject, ACCEPT_INDEX, "referrers index", (response, attempt) -> {
                try (response) {
                    return boundedBody(op, response, "the referrers index");
                }
            });
        } catch (ImagePullException e) {
            if (e.reason() != Reason.NOT_FOUND) {
                throw e;
            }
            listener.debug("the registry has no referrers API for " + op.image().familiarString() + " (HTTP 404); reading the fallback tag "
                    + fallbackTag(subject));
            return fallbackReferrers(op, subject);
        } catch (Retrier.GaveUp e) {
            throw op.failure(Reason.UNREACHABLE, "reading the referrers of " + subject + " failed after " + e.attempts() + " attempts: "
                    + e.getMessage(), e.getCause());
        } catch (IOException e) {
            throw op.failure(Reason.UNREACHABLE, e.getMessage(), e);
        }
        return checkedReferrers(op, subject, body, null, "the referrers API's answer");
    }

    /** {@code sha256-<hex>}: the tag under which a pusher keeps the referrers index of {@code subject} (OCI 1.1's fallback). */
    public static String fallbackTag(Digest subject) {
        return subject.algorithm() + "-" + subject.hex();
    }

    private List<Referrer> fallbackReferrers(Operation op, Digest subject) {
        String tag = fallbackTag(subject);
        FetchedManifest fetched;
        try {
            fetched = getManifest(op, tag, null);
        } catch (ImagePullException e) {
            if (e.reason() == Reason.NOT_FOUND) {
                return List.of();
            }
            throw e;
        }
        if (!(fetched.document() instanceof ImageIndex)) {
            throw op.failure(Reason.PROTOCOL, "the referrers fallback tag " + tag + " names a " + fetched.mediaType()
                    + ", not the index of referrers that tag is kept for");
        }
        return checkedReferrers(op, subject, fetched.bytes(), fetched.digest(), "the referrers fallback tag " + tag);
    }

    /** Parses a referrers index, refusing one that lists the subject or itself as its own referrer (a loop, never a referrer). */
    private static List<Referrer> checkedReferrers(Operation op, Digest subject, byte[] bytes, Digest own, String what) {
        List<Referrer> referrers;
        try {
            referrers = ReferrersIndex.parse(bytes);
        } catch (IOException e) {
            throw op.failure(Reason.PROTOCOL, what + " is no referrers index: " + e.getMessage(), e);
        }
        for (Referrer referrer : referrers) {
            Digest listed = referrer.manifest().digest();
            if (listed.equals(subject) || listed.equals(own)) {
                throw op.failure(Reason.PROTOCOL, what + " lists " + listed + ", " + (listed.equals(subject) ? "the subject" : "the index")
                        + " itself, as a referrer of " + subject);
            }
        }
        return referrers;
    }

    private static byte[] manifestBody(Operation op, ClassicHttpResponse response) throws IOException {
        return boundedBody(op, response, "the manifest");
    }

    private static byte[] boundedBody(Operation op, ClassicHttpResponse response, String what) throws IOException {
        try {
            return BoundedBody.read(response, ManifestDocument.MAX_BYTES);
        } catch (BoundedBody.TooLargeException e) {
            throw op.failure(Reason.PROTOCOL, what + " is too large: " + e.getMessage(), e);
        } catch (IOException e) {
            // the body broke off after the headers: the request as a whole is tried again
            throw new Retrier.BrokenBody(e);
        }
    }

    /**
     * A blob's body from an offset, for the store to hash and count. Never asks for a range at the very end:
     * distribution answers that 416 with a lying Content-Length.
     */
    public BlobSource blob(Operation op, Descriptor blob) {
        return offset -> {
            boolean ranged = offset > 0 && offset < blob.size();
            Map<String, String> headers = ranged ? Map.of("Range", "bytes=" + offset + "-") : Map.of();
            return http.send("GET", op, "blobs/" + blob.digest(), headers, null,
                    (response, attempt) -> BlobResponse.body(op, response, blob, ranged ? offset : 0));
        };
    }

    /** A blob's size as a {@code HEAD} announces it: schema 1 manifests list blobs without sizes. */
    public long blobSize(Operation op, Digest digest) {
        try {
            return http.send("HEAD", op, "blobs/" + digest, Map.of(), null, (response, attempt) -> {
                try (response) {
                    String length = header(response, HttpHeaders.CONTENT_LENGTH);
                    long size = length == null ? -1 : parseSize(length);
                    if (size < 0 || size > Descriptor.MAX_BLOB_SIZE) {
                        throw op.failure(Reason.PROTOCOL, "the registry answered the HEAD of the blob without a usable"
                                + " Content-Length (" + (length == null ? "none" : length) + "), and schema 1 lists no sizes");
                    }
                    return size;
                }
            });
        } catch (IOException e) {
            throw op.failure(Reason.UNREACHABLE, e.getMessage(), e);
        }
    }

    /** Whether the repository holds a blob ({@code HEAD}): a blob the target has is never sent again. */
    public boolean blobExists(Operation op, Digest digest) {
        try {
            return http.send("HEAD", op, "blobs/" + digest, Map.of(), null, (response, attempt) -> {
                response.close();
                return true;
            });
        } catch (ImagePullException e) {
            if (e.reason() == Reason.NOT_FOUND) {
                return false;
            }
            throw e;
        } catch (IOException e) {
            throw op.failure(Reason.UNREACHABLE, e.getMessage(), e);
        }
    }

    /**
     * Puts a blob into the repository: mounted from {@code mountFrom} (another repository of this registry that
     * holds it) when given and the registry agrees, else uploaded from {@code file}, whole or in chunks.
     *
     * @return true when it was mounted, false when its bytes were sent
     */
    public boolean pushBlob(Operation op, Descriptor blob, Path file, Optional<String> mountFrom) {
        BlobUpload upload = new BlobUpload(http, http.retrier().policy(), listener);
        try {
            Optional<URI> session = Optional.empty();
            if (mountFrom.isPresent()) {
                session = upload.mount(op, blob, mountFrom.get());
                if (session.isEmpty()) {
                    return true;
                }
            }
            upload.upload(op, blob, file, session);
            return false;
        } catch (IOException e) {
            throw op.failure(Reason.UNREACHABLE, e.getMessage(), e);
        }
    }

    /**
     * Puts a manifest or index as its exact bytes, so its digest at the target is the source's; returns the digest
     * the registry says it stored it under.
     */
    public Optional<Digest> putManifest(Operation op, String reference, String mediaType, byte[] bytes) {
        try {
            URI uri = http.repositoryUri(op, "manifests/" + reference);
            return http.sendTo("PUT", op, uri, Map.of(), new ByteArrayEntity(bytes, ContentType.parse(mediaType)), true,
                    (response, attempt) -> {
                        try (response) {
                            return Optional.ofNullable(ManifestCheck.headerDigest(op, header(response, "Docker-Content-Digest")));
                        }
                    });
        } catch (IOException e) {
            throw op.failure(Reason.UNREACHABLE, e.getMessage(), e);
        }
    }

    /** Where this endpoint's credentials come from ("anonymous" without any); never the secret. */
    public String credentialSource() {
        return http.authenticator().credentials().map(c -> c.source()).orElse("anonymous");
    }

    /** How many of an image's requests had to be tried again, in this build. */
    public int retriesFor(ImageReference image) {
        return statistics.retriesFor(image);
    }

    /** Docker Hub's {@code ratelimit-remaining} as last sent for an image's manifest, or null. */
    public String rateLimitRemaining(ImageReference image) {
        return statistics.rateLimitRemaining(image);
    }

    /** The retry policy of this build, for the waits between resumes of a broken blob download. */
    public RetryPolicy retryPolicy() {
        return http.retrier().policy();
    }

    private static String header(ClassicHttpResponse response, String name) {
        Header h = response.getFirstHeader(name);
        return h == null ? null : h.getValue().trim();
    }

    private static long parseSize(String value) {
        try {
            return Long.parseLong(value.trim());
        } catch (NumberFormatException e) {
            return -1;
        }
    }
}
