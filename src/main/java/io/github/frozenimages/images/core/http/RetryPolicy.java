package io.github.frozenimages.images.core.http;

import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Which failures are worth another attempt, and how long to wait before it: exponential backoff with
 * jitter, or the registry's own {@code Retry-After} (seconds or an HTTP date), capped so that a registry
 * cannot park a build for hours.
 */
public final class RetryPolicy {

    private final int attempts;
    private final Duration baseDelay;
    private final Duration maxDelay;

    public RetryPolicy(int attempts, Duration baseDelay, Duration maxDelay) {
        this.attempts = attempts;
        this.baseDelay = baseDelay;
        this.maxDelay = maxDelay;
    }

    public int attempts() {
        return attempts;
    }

    /** The longest wait between two attempts, and the cap on a registry's {@code Retry-After}. */
    public Duration maxDelay() {
        return maxDelay;
    }

    /**
     * Whether a registry's {@code Retry-After} names a time within the cap: worth waiting for even where the answer
     * would otherwise be final (a pull limit used up).
     */
    public boolean retryAfterWithinCap(String retryAfter, Instant now) {
        Duration asked = parseRetryAfter(retryAfter, now);
        return asked != null && asked.compareTo(maxDelay) <= 0;
    }

    /** Statuses that say "not now" rather than "no": timeouts, rate limits and server trouble. */
    public static boolean isTransient(int status) {
        return status == 408 || status == 429 || status == 500 || status == 502 || status == 503 || status == 504;
    }

    /** The wait before attempt {@code failedAttempt + 1}. */
    public Duration delay(int failedAttempt, String retryAfter, Instant now) {
        Duration asked = parseRetryAfter(retryAfter, now);
        if (asked != null) {
            return asked.compareTo(maxDelay) > 0 ? maxDelay : asked;
        }
        long base = baseDelay.toMillis() << Math.min(failedAttempt - 1, 20);
        // jitter spreads the retries of many builds hitting one registry at once
        long jittered = (long) (base * (0.8 + 0.4 * ThreadLocalRandom.current().nextDouble()));
        return Duration.ofMillis(Math.min(jittered, maxDelay.toMillis()));
    }

    /** Seconds or an HTTP date; null when absent, unreadable or already past. */
    static Duration parseRetryAfter(String value, Instant now) {
        if (value == null || value.isBlank()) {
            return null;
        }
        String v = value.trim();
        if (v.matches("\\d{1,9}")) {
            return Duration.ofSeconds(Long.parseLong(v));
        }
        try {
            Instant at = ZonedDateTime.parse(v, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
            return at.isAfter(now) ? Duration.between(now, at) : null;
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    public static void sleep(Duration d) throws InterruptedException {
        if (!d.isZero() && !d.isNegative()) {
            Thread.sleep(d.toMillis());
        }
    }
}
