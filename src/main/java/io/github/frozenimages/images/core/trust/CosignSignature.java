package io.github.frozenimages.images.core.trust;

import io.github.frozenimages.images.core.ref.Digest;
import java.util.Optional;

/**
 * One signature layer of a cosign signature image: the payload exactly as stored (verified against its
 * descriptor's digest) and the signature bytes from its annotation.
 *
 * @param signedDigest the digest the payload names, empty when the payload names none
 */
record CosignSignature(byte[] payload, byte[] signature, Optional<Digest> signedDigest) {
}
