package io.github.frozenimages.images.core.registry;

import io.github.frozenimages.images.core.ImagePullException;
import io.github.frozenimages.images.core.ImagePullException.Reason;
import io.github.frozenimages.images.core.http.BoundedBody;
import io.github.frozenimages.images.core.model.Descriptor;
import io.github.frozenimages.images.core.model.JwsPayload;
import io.github.frozenimages.images.core.model.ManifestDocument;
import io.github.frozenimages.images.core.model.ManifestFormatException;
import io.github.frozenimages.images.core.model.MediaTypes;
import io.github.frozenimages.images.core.ref.Digest;
import java.io.IOException;
import java.security.MessageDigest;
import java.util.Map;
import org.apache.hc.core5.http.ClassicHttpResponse;
import org.apache.hc.core5.http.Header;
import org.apache.hc.core5.http.HttpHeaders;

/**
 * Fetches a manifest or index and checks it before anything else sees it: bounded in size, hashed over the
 * exact bytes, compared with the digest asked for and with {@code Docker-Content-Digest}, then parsed.
 */
public final class ManifestFetcher {

    private ManifestFetcher() {
    }

    /**
     * @param reference a tag or digest string
     * @param expected  the descriptor the manifest must match (from a pinned digest or an index entry), or null
     */
    public static FetchedManifest fetch(RegistryClient client, RegistryClient.Context ctx, String reference, Descriptor expected) {
        byte[] bytes = null;
        String contentType = null;
        String headerDigest = null;
        for (int attempt = 1; bytes == null; attempt++) {
            // a failed read has already dropped the response (BoundedBody.read), before the close here could drain it
            try (ClassicHttpResponse response = client.get(ctx, "manifests/" + reference, Map.of(HttpHeaders.ACCEPT, MediaTypes.MANIFEST_ACCEPT))) {
                Header type = response.getFirstHeader(HttpHeaders.CONTENT_TYPE);
                contentType = type == null ? null : type.getValue();
                Header limit = response.getFirstHeader("ratelimit-remaining");
                client.recordRateLimit(ctx.image(), limit == null ? null : limit.getValue());
                Header digest = response.getFirstHeader("Docker-Content-Digest");
                headerDigest = digest == null ? null : digest.getValue().trim();
                bytes = BoundedBody.read(response, ManifestDocument.MAX_BYTES);
            } catch (BoundedBody.TooLargeException e) {
                throw client.failure(ctx, Reason.PROTOCOL, "the manifest is too large: " + e.getMessage(), e);
            } catch (IOException e) {
                // the body broke off after the headers: the request as a whole is tried again
                if (attempt >= client.retries().attempts()) {
                    throw client.failure(ctx, Reason.UNREACHABLE, "reading the manifest failed after " + attempt + " attempts: " + e.getMessage(), e);
                }
                client.listener().warn("reading the manifest of " + ctx.image().familiarString() + " broke off (" + e.getMessage() + "); retrying");
            }
        }
        try {
            // a signed schema 1 manifest is named by its payload, which is also all of it that is read and kept
            bytes = JwsPayload.of(bytes);
        } catch (ManifestFormatException e) {
            throw client.failure(ctx, Reason.PROTOCOL, e.getMessage(), e);
        }
        Digest actual = verify(client, ctx, bytes, expected, headerDigest);
        try {
            return new FetchedManifest(bytes, actual, ManifestDocument.parse(bytes, contentType));
        } catch (ManifestFormatException e) {
            throw client.failure(ctx, e.unsupported() ? Reason.UNSUPPORTED_MEDIA_TYPE : Reason.PROTOCOL, e.getMessage(), e);
        } catch (IOException e) {
            throw client.failure(ctx, Reason.PROTOCOL, "the manifest is invalid: " + e.getMessage(), e);
        }
    }

    private static Digest verify(RegistryClient client, RegistryClient.Context ctx, byte[] bytes, Descriptor expected, String headerDigest) {
        Digest served = null;
        if (headerDigest != null && !headerDigest.isEmpty()) {
            try {
                served = Digest.parse(headerDigest);
            } catch (IllegalArgumentException e) {
                throw client.failure(ctx, Reason.PROTOCOL, "the registry sent an invalid Docker-Content-Digest: " + e.getMessage(), e);
            }
        }
        Digest actual = hash(expected != null ? expected.digest() : served, bytes);
        if (expected != null) {
            if (!actual.equals(expected.digest())) {
                throw new ImagePullException(Reason.DIGEST_MISMATCH, ImagePullException.describe("verify the manifest of",
                        ctx.image().familiarString(), expected.digest().toString(), client.endpoint().registry(),
                        "the registry served content with digest " + actual));
            }
            if (expected.size() >= 0 && expected.size() != bytes.length) {
                throw new ImagePullException(Reason.DIGEST_MISMATCH, ImagePullException.describe("verify the manifest of",
                        ctx.image().familiarString(), expected.digest().toString(), client.endpoint().registry(),
                        "the registry served " + bytes.length + " bytes, the index declares " + expected.size()));
            }
        }
        if (served != null) {
            // almost always the algorithm just hashed with: the bytes are hashed again only for another one
            Digest check = served.algorithm().equals(actual.algorithm()) ? actual : hash(served, bytes);
            if (!check.equals(served)) {
                throw new ImagePullException(Reason.DIGEST_MISMATCH, ImagePullException.describe("verify the manifest of",
                        ctx.image().familiarString(), served.toString(), client.endpoint().registry(),
                        "Docker-Content-Digest says " + served + " but the content hashes to " + check));
            }
        }
        return actual;
    }

    /** Hashes with the algorithm of {@code like} (sha256 when there is none). */
    static Digest hash(Digest like, byte[] bytes) {
        if (like == null) {
            return Digest.sha256(bytes);
        }
        MessageDigest md = like.newMessageDigest();
        return Digest.of(like.algorithm(), md.digest(bytes));
    }
}
