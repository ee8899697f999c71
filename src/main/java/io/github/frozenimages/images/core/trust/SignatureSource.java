package io.github.frozenimages.images.core.trust;

import io.github.frozenimages.images.core.ref.Digest;
import java.util.List;
import java.util.Optional;

/** Where the signatures of a digest are found: the registry at pull time, or an output or bundle with no network. */
@FunctionalInterface
public interface SignatureSource {

    /** The cosign signature image stored for {@code signed} under its tag convention, or empty when there is none. */
    Optional<SignatureImage> find(Digest signed);

    /** The Sigstore bundles stored for {@code signed} as referrers; none where a source keeps none. */
    default List<SigstoreBundleArtifact> bundles(Digest signed) {
        return List.of();
    }
}
