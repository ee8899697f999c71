package io.github.frozenimages.images.core.registry;

import io.github.frozenimages.images.core.model.Descriptor;
import io.github.frozenimages.images.core.model.JwsPayload;
import io.github.frozenimages.images.core.model.ManifestDocument;
import io.github.frozenimages.images.core.model.ManifestFormatException;
import io.github.frozenimages.images.core.ref.Digest;
import io.github.frozenimages.images.core.shared.ImagePullException;
import io.github.frozenimages.images.core.shared.ImagePullException.Reason;
import java.io.IOException;
import java.security.MessageDigest;

/**
 * Checks a manifest or index before anything else sees it: hashed over the exact bytes, compared with the
 * digest asked for and with {@code Docker-Content-Digest}, then parsed. A signed schema 1 manifest is named by
 * its JWS payload, which is also all of it that is kept.
 */
final class ManifestCheck {

    private ManifestCheck() {
    }

    /**
     * @param expected     the descriptor the manifest must match (a pinned digest or an index entry), or null for a tag
     * @param headerDigest the registry's {@code Docker-Content-Digest}, or null
     */
    static FetchedManifest verified(Operation op, byte[] served, String contentType, Descriptor expected, String headerDigest) {
        byte[] bytes;
        try {
            bytes = JwsPayload.of(served);
        } catch (ManifestFormatException e) {
            throw op.failure(Reason.PROTOCOL, e.getMessage(), e);
        }
        Digest actual = verify(op, bytes, expected, headerDigest);
        try {
            return new FetchedManifest(bytes, actual, ManifestDocument.parse(bytes, contentType));
        } catch (ManifestFormatException e) {
            throw op.failure(e.unsupported() ? Reason.UNSUPPORTED_MEDIA_TYPE : Reason.PROTOCOL, e.getMessage(), e);
        } catch (IOException e) {
            throw op.failure(Reason.PROTOCOL, "the manifest is invalid: " + e.getMessage(), e);
        }
    }

    /** A digest header checked for form before anything uses it; null when there is none. */
    static Digest headerDigest(Operation op, String headerDigest) {
        if (headerDigest == null || headerDigest.isEmpty()) {
            return null;
        }
        try {
            return Digest.parse(headerDigest);
        } catch (IllegalArgumentException e) {
            throw op.failure(Reason.PROTOCOL, "the registry sent an invalid Docker-Content-Digest: " + e.getMessage(), e);
        }
    }

    private static Digest verify(Operation op, byte[] bytes, Descriptor expected, String headerDigest) {
        Digest served = headerDigest(op, headerDigest);
        Digest actual = hash(expected != null ? expected.digest() : served, bytes);
        if (expected != null) {
            if (!actual.equals(expected.digest())) {
                throw mismatch(op, expected.digest(), "the registry served content with digest " + actual);
            }
            if (expected.size() >= 0 && expected.size() != bytes.length) {
                throw mismatch(op, expected.digest(), "the registry served " + bytes.length + " bytes, the index declares " + expected.size());
            }
        }
        if (served != null) {
            // almost always the algorithm just hashed with: the bytes are hashed again only for another one
            Digest check = served.algorithm().equals(actual.algorithm()) ? actual : hash(served, bytes);
            if (!check.equals(served)) {
                throw mismatch(op, served, "Docker-Content-Digest says " + served + " but the content hashes to " + check);
            }
        }
        return actual;
    }

    private static ImagePullException mismatch(Operation op, Digest digest, String detail) {
        return op.then("verify the manifest of", digest).failure(Reason.DIGEST_MISMATCH, detail);
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
