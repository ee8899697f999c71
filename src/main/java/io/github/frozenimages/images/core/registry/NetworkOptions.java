package io.github.frozenimages.images.core.registry;

import io.github.frozenimages.images.core.http.ProxySettings;
import io.github.frozenimages.images.core.http.TlsSettings;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * How the pull reaches registries, and how patient it is with them.
 *
 * @param attempts       how many times one request is tried before its failure is final
 * @param timeout        connect timeout and idle-read timeout: a download that keeps moving never hits it
 * @param retryBaseDelay the first backoff delay; it doubles per attempt, with jitter
 * @param retryMaxDelay  the longest wait between two attempts, also the cap on a registry's Retry-After
 * @param tls            trust beyond the JVM's, and client certificates
 * @param proxies        forward proxies; none means the JVM's proxy settings
 * @param mirrors        per canonical registry name ({@code docker.io}), mirrors tried in order before it
 */
public record NetworkOptions(int attempts, Duration timeout, Duration retryBaseDelay, Duration retryMaxDelay,
                             TlsSettings tls, ProxySettings proxies, Map<String, List<URI>> mirrors) {

    public static final NetworkOptions DEFAULTS = new NetworkOptions(5, Duration.ofSeconds(30), Duration.ofMillis(500),
            Duration.ofSeconds(30), TlsSettings.JVM_DEFAULTS, ProxySettings.SYSTEM, Map.of());

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
        tls = tls == null ? TlsSettings.JVM_DEFAULTS : tls;
        proxies = proxies == null ? ProxySettings.SYSTEM : proxies;
        mirrors = mirrors == null ? Map.of() : Map.copyOf(mirrors);
    }

    public NetworkOptions withAttempts(int n) {
        return new NetworkOptions(n, timeout, retryBaseDelay, retryMaxDelay, tls, proxies, mirrors);
    }

    public NetworkOptions withTimeout(Duration t) {
        return new NetworkOptions(attempts, t, retryBaseDelay, retryMaxDelay, tls, proxies, mirrors);
    }

    public NetworkOptions withRetryDelays(Duration base, Duration max) {
        return new NetworkOptions(attempts, timeout, base, max, tls, proxies, mirrors);
    }

    public NetworkOptions withTls(TlsSettings settings) {
        return new NetworkOptions(attempts, timeout, retryBaseDelay, retryMaxDelay, settings, proxies, mirrors);
    }

    public NetworkOptions withProxies(ProxySettings settings) {
        return new NetworkOptions(attempts, timeout, retryBaseDelay, retryMaxDelay, tls, settings, mirrors);
    }

    public NetworkOptions withMirrors(Map<String, List<URI>> byRegistry) {
        return new NetworkOptions(attempts, timeout, retryBaseDelay, retryMaxDelay, tls, proxies, byRegistry);
    }
}
