package io.github.frozenimages.images.core.registry;

import java.time.Instant;

/** A registry token and when to stop using it. {@link #toString()} hides the value. */
public record BearerToken(String value, Instant expiresAt) {

    /** Tokens are renewed this long before they expire, so a request never races the expiry. */
    private static final long SKEW_SECONDS = 10;

    public boolean usableAt(Instant now) {
        return now.plusSeconds(SKEW_SECONDS).isBefore(expiresAt);
    }

    public String header() {
        return "Bearer " + value;
    }

    @Override
    public String toString() {
        return "BearerToken[expires " + expiresAt + "]";
    }
}
