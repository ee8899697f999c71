package io.github.frozenimages.images.core.ref;

import io.github.frozenimages.images.core.ref.ImageReference;
import io.github.frozenimages.images.core.ref.Platform;
import java.util.List;
import java.util.Objects;

/**
 * One image to pull.
 *
 * @param platform  the platform whose manifest names the image for {@code docker load} (one platform per tag)
 * @param platforms every platform wanted from a multi-platform image, {@code platform} among them
 * @param all       every platform the image has, and its attestations, keeping the image's own index
 */
public record ImageRequest(ImageReference reference, Platform platform, List<Platform> platforms, boolean all) {

    public ImageRequest {
        Objects.requireNonNull(reference, "reference");
        Objects.requireNonNull(platform, "platform");
        platforms = platforms == null || platforms.isEmpty() ? List.of(platform) : List.copyOf(platforms);
    }

    /** One platform. */
    public ImageRequest(ImageReference reference, Platform platform) {
        this(reference, platform, List.of(platform), false);
    }

    /** Whether more than one platform is wanted, so the output keeps an index. */
    public boolean multiPlatform() {
        return all || platforms.size() > 1;
    }
}
