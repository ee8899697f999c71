package io.github.frozenimages.images.core.trust;

/**
 * What a check accepted: which digest was signed, and the artifact that holds the valid signature (a cosign signature
 * image or a Sigstore bundle).
 */
public record Accepted(SignedDigest digest, SignatureArtifact signatures) {
}
