package io.github.frozenimages.images.core.trust;

import io.github.frozenimages.images.core.model.Descriptor;
import io.github.frozenimages.images.core.model.ImageIndex;
import io.github.frozenimages.images.core.model.ManifestDocument;
import io.github.frozenimages.images.core.ref.Digest;
import io.github.frozenimages.images.core.ref.ImageReference;
import io.github.frozenimages.images.core.registry.FetchedManifest;
import io.github.frozenimages.images.core.registry.Operation;
import io.github.frozenimages.images.core.registry.RegistryClient;
import io.github.frozenimages.images.core.store.BlobStore;
import java.io.IOException;
import java.nio.file.Files;
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

    /**
     * The same, offline: the index read from the cache (where the lock or an earlier pull kept it), checked against
     * its digest before it is believed; empty when the cache does not hold it or it does not list the manifest.
     */
    public static Optional<SignedDigest> cached(BlobStore store, Digest index, Digest manifest) {
        try {
            if (!Files.isRegularFile(store.path(index))) {
                return Optional.empty();
            }
            byte[] bytes = store.read(new Descriptor(null, index, -1), ManifestDocument.MAX_BYTES);
            boolean intact = Digest.of(index.algorithm(), index.newMessageDigest().digest(bytes)).equals(index);
            boolean lists = intact && ManifestDocument.parse(bytes, null) instanceof ImageIndex list
                    && list.manifests().stream().anyMatch(entry -> entry.digest().equals(manifest));
            return lists ? Optional.of(new SignedDigest(index, "the locked index")) : Optional.empty();
        } catch (IOException e) {
            return Optional.empty(); // an index the cache cannot give lends the manifest no signature
        }
    }
}
