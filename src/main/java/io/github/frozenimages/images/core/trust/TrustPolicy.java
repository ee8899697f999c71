package io.github.frozenimages.images.core.trust;

import io.github.frozenimages.images.core.ref.Digest;
import io.github.frozenimages.images.core.ref.ImageReference;
import java.util.Map;
import java.util.Optional;

/**
 * Which images must be signed, and by which key: one check for the whole goal and one per image name (registry
 * and repository, so a tag pinned to a digest by the lock file keeps its image's policy).
 *
 * @param lockedIndexes platform manifest to the index a lock file chose it from: a locked image is pulled by its
 *                      platform manifest's digest, and a signature of that index still vouches for it
 * @param includeSignatures whether the accepted signature images are written into the output beside their images
 * @param lockedSignatures signed digest to the signature manifest the lock file recorded for it: what a pull under
 *                         {@code mvn -o} checks, from the cache
 */
public record TrustPolicy(Optional<SignatureCheck> goalWide, Map<String, SignatureCheck> byName, Map<Digest, Digest> lockedIndexes,
                          boolean includeSignatures, Map<Digest, Digest> lockedSignatures) {

    public static final TrustPolicy NONE = new TrustPolicy(Optional.empty(), Map.of());

    public TrustPolicy(Optional<SignatureCheck> goalWide, Map<String, SignatureCheck> byName) {
        this(goalWide, byName, Map.of(), true, Map.of());
    }

    public TrustPolicy withIncludeSignatures(boolean include) {
        return new TrustPolicy(goalWide, byName, lockedIndexes, include, lockedSignatures);
    }

    public TrustPolicy {
        byName = Map.copyOf(byName);
        lockedIndexes = Map.copyOf(lockedIndexes);
        lockedSignatures = Map.copyOf(lockedSignatures);
    }

    public TrustPolicy withLockedIndexes(Map<Digest, Digest> indexes) {
        return new TrustPolicy(goalWide, byName, indexes, includeSignatures, lockedSignatures);
    }

    public TrustPolicy withLockedSignatures(Map<Digest, Digest> signatures) {
        return new TrustPolicy(goalWide, byName, lockedIndexes, includeSignatures, signatures);
    }

    public Optional<Digest> lockedIndexOf(Digest manifest) {
        return Optional.ofNullable(lockedIndexes.get(manifest));
    }

    public Optional<SignatureCheck> forImage(ImageReference image) {
        return Optional.ofNullable(byName.get(image.name())).or(() -> goalWide);
    }

    public boolean isEmpty() {
        return goalWide.isEmpty() && byName.isEmpty();
    }
}
