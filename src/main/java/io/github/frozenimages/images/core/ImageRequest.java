package io.github.frozenimages.images.core;

import io.github.frozenimages.images.core.ref.ImageReference;
import io.github.frozenimages.images.core.ref.Platform;
import java.util.Objects;

/** One image to pull, for one platform. */
public record ImageRequest(ImageReference reference, Platform platform) {

    public ImageRequest {
        Objects.requireNonNull(reference, "reference");
        Objects.requireNonNull(platform, "platform");
    }
}
