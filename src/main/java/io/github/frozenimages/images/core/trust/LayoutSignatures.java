package io.github.frozenimages.images.core.trust;

import io.github.frozenimages.images.core.model.Descriptor;
import io.github.frozenimages.images.core.model.ImageIndex;
import io.github.frozenimages.images.core.model.ImageManifest;
import io.github.frozenimages.images.core.model.ManifestDocument;
import io.github.frozenimages.images.core.model.MediaTypes;
import io.github.frozenimages.images.core.model.Referrer;
import io.github.frozenimages.images.core.model.ReferrersIndex;
import io.github.frozenimages.images.core.ref.Digest;
import io.github.frozenimages.images.core.ref.ImageReference;
import io.github.frozenimages.images.core.shared.ImagePullException;
import io.github.frozenimages.images.core.shared.ImagePullException.Reason;
import io.github.frozenimages.images.core.shared.PullListener;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The signatures an output or bundle carries, and their check with no network: a pull with a {@code <verify>} writes
 * each accepted signature image into the layout as an {@code index.json} entry named by cosign's tag
 * ({@code sha256-<hex>.sig}), and, when the signature is of an index the output does not otherwise keep, that
 * index as a blob. An accepted Sigstore bundle goes in as a registry without the referrers API keeps it: its artifact
 * manifest as a blob, listed by a referrers index that is the {@code index.json} entry named by the fallback tag
 * {@code sha256-<hex>}. Every document read here is checked against its digest before it is believed.
 */
public final class LayoutSignatures implements SignatureSource {

    static final String REF_NAME = "org.opencontainers.image.ref.name";
    static final String NAME = "io.containerd.image.name";
    private static final Pattern SIGNATURE_TAG = Pattern.compile("sha256-[0-9a-f]{64}\\.sig");
    private static final Pattern REFERRERS_TAG = Pattern.compile("sha256-[0-9a-f]{64}");

    private final Path layout;
    private final Map<String, Descriptor> signatureEntries = new LinkedHashMap<>();
    private final Map<String, Descriptor> referrerEntries = new LinkedHashMap<>();
    private final List<Descriptor> imageEntries = new ArrayList<>();

    private LayoutSignatures(Path layout) {
        this.layout = layout;
    }

    /** Reads the layout's {@code index.json}: the images, and the signature images beside them. */
    public static LayoutSignatures of(Path layout) throws IOException {
        LayoutSignatures signatures = new LayoutSignatures(layout);
        Path indexFile = layout.resolve("index.json");
        if (!Files.isRegularFile(indexFile)) {
            throw new IOException(layout + " is no OCI image layout (it has no index.json)");
        }
        ManifestDocument index = ManifestDocument.parse(Files.readAllBytes(indexFile), MediaTypes.OCI_INDEX);
        for (Descriptor entry : ((ImageIndex) index).manifests()) {
            String ref = entry.annotations().get(REF_NAME);
            if (ref != null && SIGNATURE_TAG.matcher(ref).matches()) {
                signatures.signatureEntries.put(ref, entry);
            } else if (ref != null && REFERRERS_TAG.matcher(ref).matches()) {
                signatures.referrerEntries.put(ref, entry);
            } else if (entry.annotations().containsKey(NAME)) {
                signatures.imageEntries.add(entry);
            }
        }
        return signatures;
    }

    /**
     * Checks every image of the layout against {@code check}: each must carry a valid signature of its own digest, or
     * of an index the layout keeps that lists it. Returns how many images passed; the first that does not fails.
     */
    public int verifyAll(SignatureCheck check, PullListener listener) {
        for (Descriptor entry : imageEntries) {
            ImageReference name = ImageReference.parse(entry.annotations().get(NAME));
            List<SignedDigest> candidates = new ArrayList<>();
            candidates.add(new SignedDigest(entry.digest(), MediaTypes.isIndex(entry.mediaType()) ? "the index" : "the manifest"));
            List<Descriptor> carried = new ArrayList<>(signatureEntries.values());
            carried.addAll(referrerEntries.values());
            for (Descriptor signatureEntry : carried) {
                Digest signed = signedBy(signatureEntry);
                SignedDigest index = new SignedDigest(signed, "the index");
                if (!signed.equals(entry.digest()) && !candidates.contains(index) && indexLists(signed, entry.digest())) {
                    candidates.add(index);
                }
            }
            check.verify(name, candidates, this, listener, detail -> ImagePullException.of(Reason.UNTRUSTED,
                    "verify the signature of", name.familiarString(), entry.digest().toString(), null, "in " + layout + ": " + detail, null));
        }
        return imageEntries.size();
    }

    @Override
    public Optional<SignatureImage> find(Digest signed) {
        Descriptor entry = signatureEntries.get(CosignSignatures.tagFor(signed));
        if (entry == null) {
            return Optional.empty();
        }
        try {
            byte[] manifestBytes = blob(entry, ManifestDocument.MAX_BYTES);
            if (!(ManifestDocument.parse(manifestBytes, entry.mediaType()) instanceof ImageManifest manifest)) {
                return Optional.empty();
            }
            List<CosignSignature> layers = new ArrayList<>();
            for (Descriptor layer : manifest.layers()) {
                String signature = layer.annotations().get(CosignSignatures.SIGNATURE_ANNOTATION);
                if (CosignSignatures.PAYLOAD_MEDIA_TYPE.equals(layer.mediaType()) && signature != null) {
                    layers.add(CosignSignatures.of(layer, blob(layer, (int) CosignSignatures.MAX_PAYLOAD_BYTES), signature));
                }
            }
            byte[] config = blob(manifest.config(), (int) CosignSignatures.MAX_PAYLOAD_BYTES);
            return Optional.of(new SignatureImage(signed, entry, manifestBytes, manifest.config(), config, layers));
        } catch (IOException e) {
            // a signature image whose bytes no longer match its digests vouches for nothing
            throw new ImagePullException(Reason.UNTRUSTED, "the signatures of " + signed + " in " + layout + " are damaged: "
                    + e.getMessage() + " (pull the images again, or take the bundle again from where it was made)", e);
        }
    }

    /**
     * The Sigstore bundles the layout carries for {@code signed}: the bundle artifacts listed by the referrers index under
     * its fallback tag {@code sha256-<hex>}, as a pull writes them; each read from the blobs and checked against its digest.
     */
    @Override
    public List<SigstoreBundleArtifact> bundles(Digest signed) {
        Descriptor entry = referrerEntries.get(signed.algorithm() + "-" + signed.hex());
        if (entry == null) {
            return List.of();
        }
        try {
            List<SigstoreBundleArtifact> bundles = new ArrayList<>();
            for (Referrer referrer : ReferrersIndex.parse(blob(entry, ManifestDocument.MAX_BYTES))) {
                if (SigstoreBundles.BUNDLE_MEDIA_TYPE.equals(referrer.artifactType())) {
                    Descriptor manifest = referrer.manifest();
                    bundles.add(SigstoreBundles.of(signed, manifest, blob(manifest, ManifestDocument.MAX_BYTES),
                            (d, limit, what) -> SigstoreBundles.checked(d, blob(d, limit), what)));
                }
            }
            return bundles;
        } catch (IOException e) {
            // a bundle whose bytes no longer match its digests vouches for nothing
            throw new ImagePullException(Reason.UNTRUSTED, "the Sigstore bundles of " + signed + " in " + layout + " are damaged: "
                    + e.getMessage() + " (pull the images again, or take the bundle again from where it was made)", e);
        }
    }

    /** The digest a signature entry's tag ({@code sha256-<hex>.sig}) or referrers entry's tag ({@code sha256-<hex>}) names. */
    private static Digest signedBy(Descriptor signatureEntry) {
        String tag = signatureEntry.annotations().get(REF_NAME);
        return Digest.parse("sha256:" + tag.substring("sha256-".length(), "sha256-".length() + 64));
    }

    /** Whether the layout keeps {@code index} as a blob, and it lists {@code manifest}. */
    private boolean indexLists(Digest index, Digest manifest) {
        Path file = layout.resolve("blobs").resolve(index.algorithm()).resolve(index.hex());
        if (!Files.isRegularFile(file)) {
            return false;
        }
        try {
            byte[] bytes = blob(new Descriptor(null, index, Files.size(file)), ManifestDocument.MAX_BYTES);
            return ManifestDocument.parse(bytes, MediaTypes.OCI_INDEX) instanceof ImageIndex i
                    && i.manifests().stream().anyMatch(d -> d.digest().equals(manifest));
        } catch (IOException e) {
            return false;
        }
    }

    /** A blob of the layout, bounded, and refused unless its bytes hash to its digest. */
    private byte[] blob(Descriptor d, int limit) throws IOException {
        Path file = layout.resolve("blobs").resolve(d.digest().algorithm()).resolve(d.digest().hex());
        if (!Files.isRegularFile(file)) {
            throw new IOException("it lacks blob " + d.digest());
        }
        if (Files.size(file) > limit) {
            throw new IOException("blob " + d.digest() + " is larger than " + limit + " bytes");
        }
        byte[] bytes = Files.readAllBytes(file);
        Digest actual = Digest.of(d.digest().algorithm(), d.digest().newMessageDigest().digest(bytes));
        if (!actual.equals(d.digest())) {
            throw new IOException("blob " + d.digest() + " hashes to " + actual);
        }
        return bytes;
    }
}
