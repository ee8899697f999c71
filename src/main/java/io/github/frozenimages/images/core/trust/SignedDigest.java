package io.github.frozenimages.images.core.trust;

import io.github.frozenimages.images.core.ref.Digest;

/**
 * A digest of the image that a signature may name, and what it is ("the index", "the platform manifest"):
 * cosign signs what it was given, so a signature of either vouches for the image pulled through them.
 */
public record SignedDigest(Digest digest, String what) {
}
