package io.github.frozenimages.images.core.trust;

import io.github.frozenimages.images.core.ref.Digest;
import java.util.Optional;

/** Where the signatures of a digest are found: the registry at pull time, or an output or bundle with no network. */
@FunctionalInterface
public interface SignatureSource {

    /** The signature image stored for {@code signed}, or empty when there is none. */
    Optional<SignatureImage> find(Digest signed);
}
