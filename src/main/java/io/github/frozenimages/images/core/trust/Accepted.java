package io.github.frozenimages.images.core.trust;

/** What a check accepted: which digest was signed, and the signature image that holds the valid signature. */
public record Accepted(SignedDigest digest, SignatureImage signatures) {
}
