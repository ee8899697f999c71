package io.github.frozenimages.images.core.trust;

import io.github.frozenimages.images.core.model.Descriptor;
import io.github.frozenimages.images.core.ref.Digest;
import io.github.frozenimages.images.core.store.BlobStore;
import java.io.IOException;
import java.util.List;

/**
 * What a signature check accepted, whole: a cosign signature image (tag convention) or a Sigstore bundle artifact
 * (an OCI 1.1 referrer). Either is a manifest with its exact bytes and the blobs it names, so that it can be kept in
 * the cache, recorded in the lock file by its manifest's digest, and carried into the output.
 */
public sealed interface SignatureArtifact permits SignatureImage, SigstoreBundleArtifact {

    /** The digest it signs. */
    Digest signed();

    /** Its manifest's descriptor. */
    Descriptor manifest();

    /** Its manifest's exact bytes. */
    byte[] manifestBytes();

    /** Every blob its manifest names (config first), each with its bytes at {@link #bytesOf}. */
    List<Descriptor> blobs();

    /** The bytes of one of {@link #blobs()}. */
    byte[] bytesOf(Descriptor blob);

    /** Keeps the manifest and its blobs in the cache, each checked against its digest as it goes in. */
    default void keepIn(BlobStore store) throws IOException {
        store.put(manifest(), manifestBytes());
        for (Descriptor blob : blobs()) {
            store.put(blob, bytesOf(blob));
        }
    }
}
