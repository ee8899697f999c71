package io.github.frozenimages.images.core.trust;

import io.github.frozenimages.images.core.ref.Digest;
import java.util.Optional;

/**
 * Checks one Sigstore bundle as a keyless signature of a digest: the certificate's chain to the trusted root's
 * certificate authority, its issuer and identity, the transparency-log entry and the signature itself. Behind
 * an interface because the implementation needs the Sigstore client, which is loaded only for builds that ask
 * for keyless verification.
 */
public interface KeylessVerification {

    /**
     * What is wrong with {@code bundleJson} as a keyless signature of {@code signed} by {@code identity}, in a
     * phrase for a message ("a certificate for identity x, issuer y", "a bad transparency-log entry: ..."); empty
     * when it is valid.
     */
    Optional<String> problem(byte[] bundleJson, Digest signed, KeylessIdentity identity);
}
