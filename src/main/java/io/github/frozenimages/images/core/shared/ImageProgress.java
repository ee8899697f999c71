package io.github.frozenimages.images.core.shared;

/**
 * A snapshot of one image's download.
 *
 * @param image        the image as the user named it ({@code alpine:3.20})
 * @param elapsedNanos time since the image's download started
 */
public record ImageProgress(String image, long bytesDone, long bytesTotal, int layersDone, int layersTotal,
                            long elapsedNanos) {

    public boolean finished() {
        return layersDone == layersTotal;
    }

    /** Bytes per second since the start, 0 before any time has passed. */
    public long rate() {
        return elapsedNanos <= 0 ? 0 : (long) (bytesDone * 1e9 / elapsedNanos);
    }
}
