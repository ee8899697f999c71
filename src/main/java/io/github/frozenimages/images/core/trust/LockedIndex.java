package io.github.frozenimages.images.core.trust;

import io.github.frozenimages.images.core.model.ImageIndex;
import io.github.frozenimages.images.core.ref.Digest;
import io.github.frozenimages.images.core.ref.ImageReference;
import io.github.frozenimages.images.core.registry.FetchedManifest;
import io.github.frozenimages.images.core.registry.Operation;
import io.github.frozenimages.images.core.registry.RegistryClient;

import java.util.Optional;

/**
 * The index a lock file chose a platform manifest from, as a digest a signature may name: only once the index,
 * fetched by its digest, really lists that manifest, so a lock file edited by hand cannot lend an image another
 * image's signature.
 */
public final class LockedIndex {

    private LockedIndex() {
    }

    public static Optional<SignedDigest> listing(RegistryClient client, ImageReference image, Digest index, Digest manifest) {
        Operation op = client.operation(image, "read the locked index of", index);
        FetchedManifest fetched = client.getManifest(op, index.toString(), null);
        boolean lists = fetched.digest().equals(index) && fetched.document() instanceof ImageIndex list
                && list.manifests().stream().anyMatch(entry -> entry.digest().equals(manifest));
        return lists ? Optional.of(new SignedDigest(index, "the locked index")) : Optional.empty();
    }
}
