package io.github.frozenimages.images.core;

import io.github.frozenimages.images.core.output.PulledImage;

import java.util.List;
import java.util.Locale;

/** The closing line of a pull: how many images, what was downloaded and what the cache already had, and the time. */
final class PullSummary {

    private PullSummary() {
    }

    static String of(List<PulledImage> pulled, long nanos) {
        long downloaded = pulled.stream().mapToLong(PulledImage::downloadedBytes).sum();
        long total = pulled.stream().mapToLong(PulledImage::totalBytes).sum();
        return String.format(Locale.ROOT, "%d image%s: %s downloaded, %s reused from the cache, in %.2f s",
                pulled.size(), pulled.size() == 1 ? "" : "s", PulledImage.humanBytes(downloaded),
                PulledImage.humanBytes(Math.max(0, total - downloaded)), nanos / 1e9);
    }
}
