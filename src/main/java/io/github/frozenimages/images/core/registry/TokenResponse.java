package io.github.frozenimages.images.core.registry;


import com.fasterxml.jackson.databind.JsonNode;
import io.github.frozenimages.images.core.model.Json;
import java.io.IOException;
import java.time.Instant;
import java.time.format.DateTimeParseException;

/** Reads a token service's answer: {@code token} or {@code access_token}, {@code expires_in}, {@code issued_at}. */
final class TokenResponse {

    /** The distribution token spec's default and minimum lifetime. */
    static final long DEFAULT_EXPIRES_IN = 60;

    static final long MAX_EXPIRES_IN = 24 * 3600;

    private TokenResponse() {
    }

    static BearerToken parse(byte[] body, Instant receivedAt) throws IOException {
        JsonNode root = Json.readObject(body);
        String accessToken = Json.text(root, "access_token");
        String token = accessToken != null && !accessToken.isEmpty() ? accessToken : Json.text(root, "token");
        if (token == null || token.isEmpty()) {
            throw new IOException("the token service answered without a token");
        }
        long expiresIn = root.path("expires_in").asLong(DEFAULT_EXPIRES_IN);
        if (expiresIn < DEFAULT_EXPIRES_IN) {
            expiresIn = DEFAULT_EXPIRES_IN;
        }
        // an absurd lifetime would overflow the expiry; no pull needs a token for longer than a day
        expiresIn = Math.min(expiresIn, MAX_EXPIRES_IN);
        Instant issuedAt = receivedAt;
        String issued = Json.text(root, "issued_at");
        if (issued != null) {
            try {
                Instant parsed = Instant.parse(issued);
                // a server clock ahead of ours must not make the token look valid for longer
                issuedAt = parsed.isBefore(receivedAt) ? parsed : receivedAt;
            } catch (DateTimeParseException e) {
                // keep the local time: the lifetime then counts from when the answer arrived
            }
        }
        return new BearerToken(token, issuedAt.plusSeconds(expiresIn));
    }
}
