package io.github.frozenimages.images.core;

import io.github.frozenimages.images.core.ref.ImageReference;

/**
 * A snapshot of one image's download.
 *
 * @param elapsedNanos time since the image's download started
 */
public record ImageProgress(ImageReference image, long bytesDone, long bytesTotal, int layersDone, int layersTotal,
                            long elapsedNanos) {

    public boolean finished() {
        return layersDone == layersTotal;
    }

    /** Bytes per second since the start, 0 before any time has passed. */
    public long rate() {
        return elapsedNanos <= 0 ? 0 : (long) (bytesDone * 1e9 / elapsedNanos);
    }
}
