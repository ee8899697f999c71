package io.github.frozenimages.images.core.trust;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.frozenimages.images.core.model.Json;
import io.github.frozenimages.images.core.ref.Digest;
import java.io.IOException;
import java.util.Optional;

/**
 * Reads cosign's simple-signing payload: only {@code critical.image.docker-manifest-digest} binds a signature to
 * an image, so that is all that is read; the identity and optional annotations vouch for nothing.
 */
final class SimpleSigningPayload {

    private SimpleSigningPayload() {
    }

    /** The digest the payload names, or empty for a payload that is not JSON or names no valid digest. */
    static Optional<Digest> signedDigest(byte[] payload) {
        try {
            JsonNode digest = Json.readObject(payload).path("critical").path("image").path("docker-manifest-digest");
            return digest.isTextual() ? Optional.of(Digest.parse(digest.asText())) : Optional.empty();
        } catch (IOException | IllegalArgumentException e) {
            return Optional.empty();
        }
    }
}
