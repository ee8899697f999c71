package io.github.frozenimages.images.core.output;

import io.github.frozenimages.images.core.ref.Digest;
import io.github.frozenimages.images.core.ref.ImageReference;
import io.github.frozenimages.images.core.ref.Platform;
import java.time.Duration;
import java.util.Locale;

/**
 * What one image's pull did.
 *
 * @param totalBytes      the bytes of all its distinct layers
 * @param downloadedBytes the bytes fetched in this run (0 when everything came from the cache)
 * @param cachedLayers    distinct layers already in the cache
 * @param mirror          the mirror that served the image, or null when the registry itself did
 * @param registry        the endpoint that served it, e.g. {@code https://registry-1.docker.io}
 * @param credentialSource where its credentials came from, "anonymous" without any; never the secret
 * @param retries         requests for it that had to be retried
 * @param rateLimitRemaining Docker Hub's {@code ratelimit-remaining} header, or null when not sent
 */
public record PulledImage(ImageReference reference, Platform platform, Digest manifestDigest, Digest configDigest,
                          int layers, long totalBytes, long downloadedBytes, int cachedLayers, Duration duration, String mirror,
                          String registry, String credentialSource, int retries, String rateLimitRemaining) {

    /** The one INFO line per image, e.g. {@code alpine:3.20 linux/arm64 sha256:ab12cd34ef56 3 layers, 3.4 MB (1 cached) in 0.8 s}. */
    public String summary() {
        return String.format(Locale.ROOT, "%s %s %s:%s %d layer%s, %s (%d cached) in %.1f s%s",
                reference.familiarString(), platform, manifestDigest.algorithm(), manifestDigest.shortHex(), layers,
                layers == 1 ? "" : "s", humanBytes(totalBytes), cachedLayers, duration.toMillis() / 1000.0,
                mirror == null ? "" : " from mirror " + mirror);
    }

    public static String humanBytes(long bytes) {
        if (bytes < 1000) {
            return bytes + " B";
        }
        String[] units = {"kB", "MB", "GB", "TB"};
        double value = bytes;
        int unit = -1;
        while (value >= 1000 && unit < units.length - 1) {
            value /= 1000;
            unit++;
        }
        return String.format(Locale.ROOT, "%.1f %s", value, units[unit]);
    }
}
