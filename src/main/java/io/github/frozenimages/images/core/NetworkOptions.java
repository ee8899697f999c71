package io.github.frozenimages.images.core;

import java.time.Duration;
import java.util.Objects;

/**
 * How patient the pull is with the network.
 *
 * @param attempts       how many times one request is tried before its failure is final
 * @param timeout        connect timeout and idle-read timeout: a download that keeps moving never hits it
 * @param retryBaseDelay the first backoff delay; it doubles per attempt, with jitter
 * @param retryMaxDelay  the longest wait between two attempts, also the cap on a registry's Retry-After
 */
public record NetworkOptions(int attempts, Duration timeout, Duration retryBaseDelay, Duration retryMaxDelay) {

    public static final NetworkOptions DEFAULTS =
            new NetworkOptions(5, Duration.ofSeconds(30), Duration.ofMillis(500), Duration.ofSeconds(30));

    public NetworkOptions {
        if (attempts < 1) {
            throw new IllegalArgumentException("retries must allow at least 1 attempt, was " + attempts);
        }
        Objects.requireNonNull(timeout, "timeout");
        Objects.requireNonNull(retryBaseDelay, "retryBaseDelay");
        Objects.requireNonNull(retryMaxDelay, "retryMaxDelay");
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("timeout must be positive, was " + timeout);
        }
    }

    public NetworkOptions withAttempts(int n) {
        return new NetworkOptions(n, timeout, retryBaseDelay, retryMaxDelay);
    }

    public NetworkOptions withTimeout(Duration t) {
        return new NetworkOptions(attempts, t, retryBaseDelay, retryMaxDelay);
    }

    public NetworkOptions withRetryDelays(Duration base, Duration max) {
        return new NetworkOptions(attempts, timeout, base, max);
    }
}
