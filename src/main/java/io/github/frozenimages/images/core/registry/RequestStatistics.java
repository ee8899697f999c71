package io.github.frozenimages.images.core.registry;

import io.github.frozenimages.images.core.ref.ImageReference;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * What one build asked of the registries, for the report and the log: requests by registry and kind
 * ({@code GET manifest}, {@code HEAD manifest}, {@code GET blob}, {@code ping}, {@code token}), retries per image,
 * and the last rate-limit figure a registry sent for an image. Thread-safe; one per registry session.
 */
public final class RequestStatistics {

    private final Map<String, AtomicInteger> requests = new ConcurrentHashMap<>();
    private final Map<ImageReference, AtomicInteger> retries = new ConcurrentHashMap<>();
    private final Map<ImageReference, String> rateLimits = new ConcurrentHashMap<>();

    void request(String registry, String kind) {
        requests.computeIfAbsent(registry + " " + kind, k -> new AtomicInteger()).incrementAndGet();
    }

    void retried(ImageReference image) {
        retries.computeIfAbsent(image, k -> new AtomicInteger()).incrementAndGet();
    }

    void rateLimit(ImageReference image, String remaining) {
        if (remaining != null) {
            rateLimits.put(image, remaining);
        }
    }

    /** How many requests of an image had to be tried again. */
    public int retriesFor(ImageReference image) {
        AtomicInteger n = retries.get(image);
        return n == null ? 0 : n.get();
    }

    /** Docker Hub's {@code ratelimit-remaining} as last sent for an image's manifest, or null. */
    public String rateLimitRemaining(ImageReference image) {
        return rateLimits.get(image);
    }

    /** Requests sent, keyed {@code "<registry> <kind>"}, e.g. {@code "127.0.0.1:5000 HEAD manifest"}; sorted. */
    public Map<String, Integer> requests() {
        Map<String, Integer> copy = new TreeMap<>();
        requests.forEach((k, v) -> copy.put(k, v.get()));
        return copy;
    }

    /** Requests sent, by registry then kind ({@code GET manifest}, {@code HEAD manifest}, ...), both sorted. */
    public Map<String, Map<String, Integer>> byRegistry() {
        Map<String, Map<String, Integer>> out = new TreeMap<>();
        requests.forEach((key, n) -> {
            int space = key.indexOf(' ');
            out.computeIfAbsent(key.substring(0, space), k -> new TreeMap<>()).put(key.substring(space + 1), n.get());
        });
        return out;
    }

    /** Requests of one kind sent to one registry. */
    public int requests(String registry, String kind) {
        AtomicInteger n = requests.get(registry + " " + kind);
        return n == null ? 0 : n.get();
    }
}
