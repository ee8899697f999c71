package io.github.frozenimages.images.core.push;

import io.github.frozenimages.images.core.ref.Digest;
import io.github.frozenimages.images.core.ref.ImageReference;

/**
 * What the push of one image did.
 *
 * @param uploaded blobs whose bytes were sent
 * @param mounted  blobs mounted from another repository of the target
 * @param present  blobs the target had already, not sent
 */
public record PushedImage(ImageReference source, ImageReference target, Digest digest, int uploaded, int mounted, int present,
                          long bytesSent) {
}
