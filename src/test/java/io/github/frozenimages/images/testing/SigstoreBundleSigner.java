package io.github.frozenimages.images.testing;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;

/**
 * Makes Sigstore bundles as cosign v3 stores them, in test code: the bundle JSON (a DSSE envelope with an in-toto
 * statement, or a message signature over the manifest) signed with a {@link CosignSigner}'s key, the artifact
 * manifest that names the signed manifest as its {@code subject}, and the fallback-tag index {@code sha256-<hex>} a
 * registry without the referrers API keeps them in. The formats are public; nothing here calls cosign.
 */
public final class SigstoreBundleSigner {

    public static final String BUNDLE_TYPE = "application/vnd.dev.sigstore.bundle.v0.3+json";
    public static final String EMPTY_TYPE = "application/vnd.oci.empty.v1+json";
    public static final byte[] EMPTY_CONFIG = "{}".getBytes(StandardCharsets.UTF_8);

    private SigstoreBundleSigner() {
    }

    /** An in-toto statement whose one subject has {@code digest} ({@code sha256:<hex>}). */
    public static byte[] statement(String digest) {
        return ("{\"_type\":\"https://in-toto.io/Statement/v1\",\"subject\":[{\"name\":\"image\",\"digest\":{\"sha256\":\""
                + Sha256.hexOf(digest) + "\"}}],\"predicateType\":\"https://sigstore.dev/cosign/sign/v1\",\"predicate\":{}}")
                .getBytes(StandardCharsets.UTF_8);
    }

    /** A bundle whose DSSE envelope carries {@code statement}, signed by {@code signer} over DSSE's PAE. */
    public static byte[] dsseBundle(CosignSigner signer, byte[] statement) {
        String type = MediaTypes.IN_TOTO;
        byte[] head = ("DSSEv1 " + type.length() + " " + type + " " + statement.length + " ").getBytes(StandardCharsets.UTF_8);
        byte[] pae = new byte[head.length + statement.length];
        System.arraycopy(head, 0, pae, 0, head.length);
        System.arraycopy(statement, 0, pae, head.length, statement.length);
        return bundle("\"dsseEnvelope\":{\"payload\":\"" + Base64.getEncoder().encodeToString(statement) + "\",\"payloadType\":\"" + type
                + "\",\"signatures\":[{\"sig\":\"" + signer.signBytes(pae) + "\"}]}");
    }

    /** A bundle whose message signature is {@code signer}'s over the manifest's bytes, as cosign signs a manifest. */
    public static byte[] messageBundle(CosignSigner signer, byte[] manifest) {
        byte[] digest = java.util.HexFormat.of().parseHex(Sha256.hex(manifest));
        return bundle("\"messageSignature\":{\"messageDigest\":{\"algorithm\":\"SHA2_256\",\"digest\":\""
                + Base64.getEncoder().encodeToString(digest) + "\"},\"signature\":\"" + signer.signBytes(manifest) + "\"}");
    }

    private static byte[] bundle(String content) {
        return ("{\"mediaType\":\"" + BUNDLE_TYPE + "\",\"verificationMaterial\":{\"publicKey\":{\"hint\":\"test\"},\"tlogEntries\":[]},"
                + content + "}").getBytes(StandardCharsets.UTF_8);
    }

    /** The artifact manifest of a bundle, naming the subject by its descriptor. */
    public static byte[] artifactManifest(String subjectMediaType, String subjectDigest, long subjectSize, byte[] bundle) {
        return ("{\"schemaVersion\":2,\"mediaType\":\"" + MediaTypes.OCI_MANIFEST + "\",\"artifactType\":\"" + BUNDLE_TYPE
                + "\",\"config\":{\"mediaType\":\"" + EMPTY_TYPE + "\",\"digest\":\"" + Sha256.digest(EMPTY_CONFIG) + "\",\"size\":"
                + EMPTY_CONFIG.length + "},\"layers\":[{\"mediaType\":\"" + BUNDLE_TYPE + "\",\"digest\":\"" + Sha256.digest(bundle)
                + "\",\"size\":" + bundle.length + "}],\"subject\":{\"mediaType\":\"" + subjectMediaType + "\",\"digest\":\"" + subjectDigest
                + "\",\"size\":" + subjectSize + "}}").getBytes(StandardCharsets.UTF_8);
    }

    /** A referrers index listing artifact manifests, as the referrers API answers and the fallback tag holds. */
    public static byte[] referrersIndex(List<byte[]> artifactManifests) {
        StringBuilder entries = new StringBuilder();
        for (byte[] manifest : artifactManifests) {
            entries.append(entries.isEmpty() ? "" : ",").append("{\"mediaType\":\"").append(MediaTypes.OCI_MANIFEST).append("\",\"digest\":\"")
                    .append(Sha256.digest(manifest)).append("\",\"size\":").append(manifest.length).append(",\"artifactType\":\"")
                    .append(BUNDLE_TYPE).append("\"}");
        }
        return ("{\"schemaVersion\":2,\"mediaType\":\"" + MediaTypes.OCI_INDEX + "\",\"manifests\":[" + entries + "]}")
                .getBytes(StandardCharsets.UTF_8);
    }

    /** Pushes a bundle's blobs and artifact manifest (by digest) without listing it anywhere; returns the manifest's bytes. */
    public static byte[] pushArtifact(RegistryPusher pusher, String repository, byte[] artifactManifest, byte[] bundle) {
        pusher.pushBlob(repository, EMPTY_CONFIG);
        pusher.pushBlob(repository, bundle);
        pusher.pushManifest(repository, Sha256.digest(artifactManifest), MediaTypes.OCI_MANIFEST, artifactManifest);
        return artifactManifest;
    }

    /** Pushes a bundle as a referrer of the subject and lists it, alone, under the fallback tag; returns the manifest's bytes. */
    public static byte[] push(RegistryPusher pusher, String repository, String subjectMediaType, String subjectDigest, long subjectSize,
                              byte[] bundle) {
        byte[] manifest = pushArtifact(pusher, repository, artifactManifest(subjectMediaType, subjectDigest, subjectSize, bundle), bundle);
        pusher.pushManifest(repository, subjectDigest.replace(':', '-'), MediaTypes.OCI_INDEX, referrersIndex(List.of(manifest)));
        return manifest;
    }
}
