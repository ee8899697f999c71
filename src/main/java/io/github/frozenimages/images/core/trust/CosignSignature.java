package io.github.frozenimages.images.core.trust;

import io.github.frozenimages.images.core.model.Descriptor;
import io.github.frozenimages.images.core.ref.Digest;
import java.util.Optional;

/**
 * One signature layer of a cosign signature image: the layer's descriptor, its payload exactly as stored (verified
 * against that descriptor's digest) and the signature bytes from its annotation.
 *
 * @param signedDigest the digest the payload names, empty when the payload names none
 */
record CosignSignature(Descriptor layer, byte[] payload, byte[] signature, Optional<Digest> signedDigest) {
}
