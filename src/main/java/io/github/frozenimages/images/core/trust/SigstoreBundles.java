package io.github.frozenimages.images.core.trust;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.frozenimages.images.core.model.Descriptor;
import io.github.frozenimages.images.core.model.ImageManifest;
import io.github.frozenimages.images.core.model.Json;
import io.github.frozenimages.images.core.model.ManifestDocument;
import io.github.frozenimages.images.core.model.Referrer;
import io.github.frozenimages.images.core.ref.Digest;
import io.github.frozenimages.images.core.registry.FetchedManifest;
import io.github.frozenimages.images.core.registry.Operation;
import io.github.frozenimages.images.core.registry.RegistryClient;
import io.github.frozenimages.images.core.shared.ImagePullException.Reason;
import io.github.frozenimages.images.core.store.BlobSource;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Finds the Sigstore bundles stored for a manifest as OCI 1.1 referrers (cosign v3's default, {@code --new-bundle-format}
 * before): the referrers whose {@code artifactType} is a bundle, each an artifact manifest whose {@code subject} is the
 * signed manifest and whose one layer is the bundle JSON. The referrers list is not content-addressed, so each
 * manifest it names is fetched by that digest and checked, and so is every blob; all are bounded.
 */
public final class SigstoreBundles {

    public static final String BUNDLE_MEDIA_TYPE = "application/vnd.dev.sigstore.bundle.v0.3+json";

    /** A bundle holds a certificate chain, a log entry and its proof: some kilobytes; a megabyte is no bundle. */
    static final int MAX_BUNDLE_BYTES = 1024 * 1024;

    /** The config of a bundle artifact is OCI's empty descriptor ({@code {}}); anything large is not one. */
    static final int MAX_CONFIG_BYTES = 64 * 1024;

    private SigstoreBundles() {
    }

    /** How the blobs of an artifact are read: from the registry, a layout or the cache; bounded and digest-checked. */
    @FunctionalInterface
    interface Blobs {
        byte[] read(Descriptor blob, int limit, String what) throws IOException;
    }

    /** Thrown for an artifact that is not a bundle of the digest it was listed for. */
    static final class RefusedArtifact extends IOException {
        RefusedArtifact(String message) {
            super(message);
        }
    }

    /**
     * The bundle artifacts the registry lists as referrers of {@code signed}; empty when it lists none.
     *
     * @param op names the image being verified, for messages
     */
    public static List<SigstoreBundleArtifact> fetch(RegistryClient client, Operation op, Digest signed) {
        List<SigstoreBundleArtifact> artifacts = new ArrayList<>();
        for (Referrer referrer : client.referrers(op, signed)) {
            if (!BUNDLE_MEDIA_TYPE.equals(referrer.artifactType())) {
                continue;
            }
            Descriptor listed = referrer.manifest();
            Operation read = op.then(op.action(), listed.digest());
            FetchedManifest fetched = client.getManifest(read, listed.digest().toString(), listed);
            Descriptor manifest = new Descriptor(fetched.mediaType(), fetched.digest(), fetched.bytes().length);
            try {
                artifacts.add(of(signed, manifest, fetched.bytes(), (blob, limit, what) -> registryBlob(client, read, blob, limit, what)));
            } catch (IOException e) {
                throw read.failure(Reason.UNTRUSTED, "the Sigstore bundle " + listed.digest() + " listed as a referrer of " + signed
                        + " is refused: " + e.getMessage());
            }
        }
        return artifacts;
    }

    /**
     * Reads a bundle artifact from its manifest's exact bytes (already checked against {@code manifest}'s digest),
     * refusing one whose subject is not {@code signed}, that is no bundle, or whose blobs are too large or damaged.
     */
    static SigstoreBundleArtifact of(Digest signed, Descriptor manifest, byte[] manifestBytes, Blobs blobs) throws IOException {
        if (!(ManifestDocument.parse(manifestBytes, manifest.mediaType()) instanceof ImageManifest image)) {
            throw new RefusedArtifact("it is an index, not the artifact manifest a bundle is stored in");
        }
        JsonNode root = Json.readObject(manifestBytes);
        JsonNode subjectNode = root.get("subject");
        if (subjectNode == null) {
            throw new RefusedArtifact("its manifest names no subject, so it signs nothing");
        }
        Descriptor subject = Descriptor.read(subjectNode, "its subject");
        if (!subject.digest().equals(signed)) {
            throw new RefusedArtifact("its manifest's subject is " + subject.digest() + ", not " + signed);
        }
        String artifactType = Json.text(root, "artifactType");
        String type = artifactType != null ? artifactType : image.config().mediaType();
        if (!BUNDLE_MEDIA_TYPE.equals(type)) {
            throw new RefusedArtifact("its manifest's artifact type is " + type + ", not " + BUNDLE_MEDIA_TYPE);
        }
        if (image.layers().size() != 1 || !BUNDLE_MEDIA_TYPE.equals(image.layers().get(0).mediaType())) {
            throw new RefusedArtifact("its manifest has " + image.layers().size() + " layers; a bundle artifact has exactly one, of type "
                    + BUNDLE_MEDIA_TYPE);
        }
        Descriptor bundle = image.layers().get(0);
        byte[] config = blobs.read(image.config(), MAX_CONFIG_BYTES, "config");
        byte[] json = blobs.read(bundle, MAX_BUNDLE_BYTES, "bundle");
        return new SigstoreBundleArtifact(signed, manifest, manifestBytes, image.config(), config, bundle, json);
    }

    /** Whether a manifest's exact bytes declare a Sigstore bundle artifact; false for anything unreadable. */
    static boolean isBundleArtifact(byte[] manifestBytes) {
        try {
            JsonNode root = Json.readObject(manifestBytes);
            return BUNDLE_MEDIA_TYPE.equals(root.path("artifactType").asText(null))
                    || BUNDLE_MEDIA_TYPE.equals(root.path("config").path("mediaType").asText(null));
        } catch (IOException e) {
            return false;
        }
    }

    private static byte[] registryBlob(RegistryClient client, Operation op, Descriptor blob, int limit, String what) throws IOException {
        if (blob.size() > limit) {
            throw new RefusedArtifact("its " + what + " announces " + blob.size() + " bytes, more than the " + limit + " a bundle's "
                    + what + " may have");
        }
        BlobSource source = client.blob(op.then(op.action(), blob.digest()), blob);
        try (BlobSource.Body body = source.open(0)) {
            // one byte more than announced, so that a longer body shows as a mismatch
            return checked(blob, body.stream().readNBytes((int) blob.size() + 1), what);
        }
    }

    /** Refuses bytes that are not exactly what their descriptor names. */
    static byte[] checked(Descriptor blob, byte[] bytes, String what) throws RefusedArtifact {
        Digest actual = Digest.of(blob.digest().algorithm(), blob.digest().newMessageDigest().digest(bytes));
        if (bytes.length != blob.size() || !actual.equals(blob.digest())) {
            throw new RefusedArtifact("its " + what + " " + blob.digest() + " was served as " + bytes.length + " bytes hashing to " + actual
                    + ", not the " + blob.size() + " bytes its manifest names");
        }
        return bytes;
    }
}
