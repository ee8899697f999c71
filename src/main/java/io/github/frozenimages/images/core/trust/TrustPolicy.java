package io.github.frozenimages.images.core.trust;

import io.github.frozenimages.images.core.ref.ImageReference;
import java.util.Map;
import java.util.Optional;

/**
 * Which images must be signed, and by which key: one check for the whole goal and one per image name (registry
 * and repository, so a tag pinned to a digest by the lock file keeps its image's policy).
 */
public record TrustPolicy(Optional<SignatureCheck> goalWide, Map<String, SignatureCheck> byName) {

    public static final TrustPolicy NONE = new TrustPolicy(Optional.empty(), Map.of());

    public TrustPolicy {
        byName = Map.copyOf(byName);
    }

    public Optional<SignatureCheck> forImage(ImageReference image) {
        return Optional.ofNullable(byName.get(image.name())).or(() -> goalWide);
    }

    public boolean isEmpty() {
        return goalWide.isEmpty() && byName.isEmpty();
    }
}
