package io.github.frozenimages.images.core.trust;

import io.github.frozenimages.images.core.model.Descriptor;
import io.github.frozenimages.images.core.model.ImageManifest;
import io.github.frozenimages.images.core.model.ManifestDocument;
import io.github.frozenimages.images.core.model.MediaTypes;
import io.github.frozenimages.images.core.ref.Digest;
import io.github.frozenimages.images.core.shared.ImagePullException;
import io.github.frozenimages.images.core.shared.ImagePullException.Reason;
import io.github.frozenimages.images.core.store.BlobStore;
import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The signatures a lock file recorded, read back from the cache with no network: for a pull under {@code mvn -o}.
 * The lock names, per signed digest, the signature manifest that was accepted when it was made; here that manifest
 * and its payloads are read from the cache and each is checked against its digest before it is believed, so the
 * key (not the cache) still decides. A digest the lock recorded no signature for has none here.
 */
public final class CachedSignatures implements SignatureSource {

    private final BlobStore store;
    private final Map<Digest, Digest> recorded;

    /** @param recorded signed digest to the digest of the signature manifest the lock file recorded for it */
    public CachedSignatures(BlobStore store, Map<Digest, Digest> recorded) {
        this.store = store;
        this.recorded = Map.copyOf(recorded);
    }

    @Override
    public Optional<SignatureImage> find(Digest signed) {
        Digest manifestDigest = recorded.get(signed);
        if (manifestDigest == null) {
            return Optional.empty();
        }
        try {
            byte[] manifestBytes = read(manifestDigest, ManifestDocument.MAX_BYTES);
            if (manifestBytes == null) {
                throw new IOException("it lacks the signature manifest " + manifestDigest);
            }
            if (SigstoreBundles.isBundleArtifact(manifestBytes)) {
                return Optional.empty(); // what the lock recorded is a bundle: bundles(signed) gives it
            }
            if (!(ManifestDocument.parse(manifestBytes, null) instanceof ImageManifest manifest)) {
                throw new IOException("the signature manifest " + manifestDigest + " is not an image manifest");
            }
            List<CosignSignature> layers = new ArrayList<>();
            for (Descriptor layer : manifest.layers()) {
                String signature = layer.annotations().get(CosignSignatures.SIGNATURE_ANNOTATION);
                if (CosignSignatures.PAYLOAD_MEDIA_TYPE.equals(layer.mediaType()) && signature != null) {
                    byte[] payload = read(layer.digest(), (int) CosignSignatures.MAX_PAYLOAD_BYTES);
                    if (payload == null) {
                        throw new IOException("the cache lacks the signature payload " + layer.digest());
                    }
                    layers.add(CosignSignatures.of(layer, payload, signature));
                }
            }
            byte[] config = read(manifest.config().digest(), (int) CosignSignatures.MAX_PAYLOAD_BYTES);
            if (config == null) {
                throw new IOException("the cache lacks the signature config " + manifest.config().digest());
            }
            Descriptor entry = new Descriptor(manifest.mediaType(), manifestDigest, manifestBytes.length);
            return Optional.of(new SignatureImage(signed, entry, manifestBytes, manifest.config(), config, layers));
        } catch (IOException e) {
            throw new ImagePullException(Reason.UNTRUSTED, "the signature of " + signed + " recorded in the lock file is damaged in the cache "
                    + store.root() + ": " + e.getMessage() + " (run the build online once to fetch it again)", e);
        }
    }

    /** The Sigstore bundle the lock file recorded for {@code signed}, when what it recorded is one. */
    @Override
    public List<SigstoreBundleArtifact> bundles(Digest signed) {
        Digest manifestDigest = recorded.get(signed);
        if (manifestDigest == null) {
            return List.of();
        }
        try {
            byte[] manifestBytes = read(manifestDigest, ManifestDocument.MAX_BYTES);
            if (manifestBytes == null || !SigstoreBundles.isBundleArtifact(manifestBytes)) {
                return List.of(); // a missing manifest is find's to report; a signature image is no bundle
            }
            Descriptor entry = new Descriptor(MediaTypes.OCI_MANIFEST, manifestDigest, manifestBytes.length);
            return List.of(SigstoreBundles.of(signed, entry, manifestBytes, (blob, limit, what) -> {
                byte[] bytes = read(blob.digest(), limit);
                if (bytes == null) {
                    throw new IOException("the cache lacks the bundle's " + what + " " + blob.digest());
                }
                return SigstoreBundles.checked(blob, bytes, what);
            }));
        } catch (IOException e) {
            throw new ImagePullException(Reason.UNTRUSTED, "the Sigstore bundle of " + signed + " recorded in the lock file is damaged in the"
                    + " cache " + store.root() + ": " + e.getMessage() + " (run the build online once to fetch it again)", e);
        }
    }

    /** A cached blob, bounded and checked against its digest; null when the cache does not hold it. */
    private byte[] read(Digest digest, int limit) throws IOException {
        if (!Files.isRegularFile(store.path(digest))) {
            return null;
        }
        byte[] bytes = store.read(new Descriptor(null, digest, -1), limit);
        Digest actual = Digest.of(digest.algorithm(), digest.newMessageDigest().digest(bytes));
        if (!actual.equals(digest)) {
            throw new IOException("blob " + digest + " hashes to " + actual);
        }
        return bytes;
    }
}
