package io.github.frozenimages.images.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.frozenimages.images.core.auth.CredentialProvider;
import io.github.frozenimages.images.core.lock.ImageLock;
import io.github.frozenimages.images.core.lock.ImageLocker;
import io.github.frozenimages.images.core.output.PulledImage;
import io.github.frozenimages.images.core.ref.Digest;
import io.github.frozenimages.images.core.registry.RegistrySession;
import io.github.frozenimages.images.core.shared.PullListener;
import io.github.frozenimages.images.core.ref.ImageReference;
import io.github.frozenimages.images.core.ref.ImageRequest;
import io.github.frozenimages.images.core.ref.Platform;
import io.github.frozenimages.images.core.shared.ImagePullException;
import io.github.frozenimages.images.core.trust.SignatureCheck;
import io.github.frozenimages.images.core.trust.TrustPolicy;
import io.github.frozenimages.images.core.trust.TrustedKey;
import io.github.frozenimages.images.testing.CosignSigner;
import io.github.frozenimages.images.testing.RecordingListener;
import io.github.frozenimages.images.testing.RegistryPusher;
import io.github.frozenimages.images.testing.TestImage;
import io.github.frozenimages.images.testing.TestIndex;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Key-based cosign verification against the real registry: the tests sign their own images (a key pair, the
 * simple-signing payload and the signature image under {@code sha256-<hex>.sig}, all made in test code).
 */
class SignatureVerificationTest extends RegistryTestSupport {

    @TempDir
    Path work;

    private final CosignSigner trusted = CosignSigner.ecdsaP256();
    private final RecordingListener listener = new RecordingListener();

    private RegistryPusher pusher() {
        return new RegistryPusher(registry.baseUrl());
    }

    private Path keyFile() {
        return trusted.writePublicKey(work.resolve("cosign.pub"));
    }

    private List<PulledImage> pullVerified(ImageRequest image) throws Exception {
        TrustPolicy policy = new TrustPolicy(Optional.of(new SignatureCheck(TrustedKey.read(keyFile()))), Map.of());
        PullRequest request = new PullRequest(List.of(image), work.resolve("out"), OutputFormat.OCI, Optional.empty(), 4,
                work.resolve("cache"), java.util.Set.of(), null, listener).withNetwork(FAST_RETRIES);
        return new ImagePuller(policy).pull(request);
    }

    private String dockerReference(String repository) {
        return registry.address() + "/" + repository;
    }

    /** Pushes the standard OCI image under a repository of its own, so each test signs what it likes. */
    private TestImage pushImage(String repository) {
        TestImage image = fixtures.ociImage();
        pusher().push(repository, "1.0", image);
        return image;
    }

    private TestIndex pushIndex(String repository) {
        TestIndex index = fixtures.multiOci();
        pusher().push(repository, "1.0", index);
        return index;
    }

    private String expectedFailure(String repository, String reference, String topDigest, String wanted, String found) {
        return "could not verify the signature of " + registry.address() + "/" + repository + reference + " (" + topDigest + ") from "
                + registry.address() + ": no signature of " + wanted + " by the key " + trusted.fingerprint() + " (" + keyFile()
                + "); found for " + found;
    }

    @Test
    void aValidSignatureLetsTheImageIn() throws Exception {
        TestImage image = pushImage("signed/valid");
        CosignSigner.push(pusher(), "signed/valid", image.manifestDigest(),
                List.of(trusted.sign(dockerReference("signed/valid"), image.manifestDigest())));

        List<PulledImage> pulled = pullVerified(image(ref("signed/valid", "1.0")));

        assertEquals(1, pulled.size());
        assertTrue(Files.isRegularFile(work.resolve("out/blobs/sha256/" + image.manifestDigest().substring(7))), "the image was written");
        assertTrue(listener.lines().contains("INFO verified " + registry.address() + "/signed/valid:1.0: the manifest " + image.manifestDigest()
                + " is signed by the key " + trusted.fingerprint()), listener.lines().toString());
    }

    @Test
    void rsaAndEd25519KeysVerifyToo() throws Exception {
        for (CosignSigner signer : List.of(CosignSigner.rsa(), CosignSigner.ed25519())) {
            TestImage image = pushImage("signed/other-kinds");
            CosignSigner.push(pusher(), "signed/other-kinds", image.manifestDigest(),
                    List.of(signer.sign(dockerReference("signed/other-kinds"), image.manifestDigest())));
            Path key = signer.writePublicKey(work.resolve("other.pub"));
            TrustPolicy policy = new TrustPolicy(Optional.of(new SignatureCheck(TrustedKey.read(key))), Map.of());
            PullRequest request = new PullRequest(List.of(image(ref("signed/other-kinds", "1.0"))), work.resolve("out"), OutputFormat.OCI,
                    Optional.empty(), 4, work.resolve("cache"), java.util.Set.of(), null, listener).withNetwork(FAST_RETRIES);
            assertEquals(1, new ImagePuller(policy).pull(request).size(), "a signature by the " + key + " key");
        }
    }

    @Test
    void aSignatureByAnotherKeyFailsNamingTheKeyAndWhatWasFound() throws Exception {
        TestImage image = pushImage("signed/other-key");
        CosignSigner stranger = CosignSigner.ecdsaP256();
        CosignSigner.push(pusher(), "signed/other-key", image.manifestDigest(),
                List.of(stranger.sign(dockerReference("signed/other-key"), image.manifestDigest())));

        ImagePullException e = assertThrows(ImagePullException.class, () -> pullVerified(image(ref("signed/other-key", "1.0"))));

        assertEquals(ImagePullException.Reason.UNTRUSTED, e.reason());
        assertEquals(expectedFailure("signed/other-key", ":1.0", image.manifestDigest(), "the manifest " + image.manifestDigest(),
                "the manifest " + image.manifestDigest() + ": 1 signature by another key"), e.getMessage());
        assertFalse(Files.exists(work.resolve("out")), "nothing is written for an untrusted image");
    }

    @Test
    void aPayloadForAnotherDigestDoesNotVouchForTheImage() throws Exception {
        TestImage image = pushImage("signed/other-digest");
        String other = fixtures.sharedBase1().manifestDigest();
        // a valid signature by the trusted key, but over a payload that names another image, copied under this image's tag
        CosignSigner.push(pusher(), "signed/other-digest", image.manifestDigest(),
                List.of(trusted.sign(dockerReference("signed/other-digest"), other)));

        ImagePullException e = assertThrows(ImagePullException.class, () -> pullVerified(image(ref("signed/other-digest", "1.0"))));

        assertEquals(expectedFailure("signed/other-digest", ":1.0", image.manifestDigest(), "the manifest " + image.manifestDigest(),
                "the manifest " + image.manifestDigest() + ": 1 signature with a payload for another digest (" + other + ")"), e.getMessage());
    }

    @Test
    void anUnsignedImageFails() throws Exception {
        TestImage image = pushImage("signed/none");

        ImagePullException e = assertThrows(ImagePullException.class, () -> pullVerified(image(ref("signed/none", "1.0"))));

        assertEquals(expectedFailure("signed/none", ":1.0", image.manifestDigest(), "the manifest " + image.manifestDigest(),
                "the manifest " + image.manifestDigest() + ": no signature (no tag " + CosignSigner.tagFor(image.manifestDigest()) + ")"),
                e.getMessage());
    }

    @Test
    void oneValidSignatureAmongSeveralIsEnough() throws Exception {
        TestImage image = pushImage("signed/several");
        String ref = dockerReference("signed/several");
        CosignSigner.push(pusher(), "signed/several", image.manifestDigest(), List.of(
                CosignSigner.ecdsaP256().sign(ref, image.manifestDigest()),
                trusted.sign(ref, fixtures.sharedBase1().manifestDigest()),
                trusted.sign(ref, image.manifestDigest())));

        assertEquals(1, pullVerified(image(ref("signed/several", "1.0"))).size());
    }

    @Test
    void severalInvalidSignaturesAreEachNamed() throws Exception {
        TestImage image = pushImage("signed/several-bad");
        String ref = dockerReference("signed/several-bad");
        String other = fixtures.sharedBase1().manifestDigest();
        CosignSigner.push(pusher(), "signed/several-bad", image.manifestDigest(), List.of(
                CosignSigner.ecdsaP256().sign(ref, image.manifestDigest()),
                CosignSigner.rsa().sign(ref, image.manifestDigest()),
                trusted.sign(ref, other)));

        ImagePullException e = assertThrows(ImagePullException.class, () -> pullVerified(image(ref("signed/several-bad", "1.0"))));

        assertEquals(expectedFailure("signed/several-bad", ":1.0", image.manifestDigest(), "the manifest " + image.manifestDigest(),
                "the manifest " + image.manifestDigest() + ": 2 signatures by another key, 1 signature with a payload for another digest ("
                        + other + ")"), e.getMessage());
    }

    @Test
    void aSignedIndexVouchesForThePlatformPulledThroughIt() throws Exception {
        TestIndex index = pushIndex("signed/index");
        CosignSigner.push(pusher(), "signed/index", index.digest(), List.of(trusted.sign(dockerReference("signed/index"), index.digest())));

        assertEquals(1, pullVerified(image(ref("signed/index", "1.0"), "linux/amd64")).size());
        assertTrue(listener.lines().contains("INFO verified " + registry.address() + "/signed/index:1.0: the index " + index.digest()
                + " is signed by the key " + trusted.fingerprint()), listener.lines().toString());
    }

    @Test
    void aSignedIndexDoesNotVouchForItsPlatformManifestPulledByItsOwnDigest() throws Exception {
        TestIndex index = pushIndex("signed/index-only");
        CosignSigner.push(pusher(), "signed/index-only", index.digest(),
                List.of(trusted.sign(dockerReference("signed/index-only"), index.digest())));
        String amd64 = index.image("linux/amd64").manifestDigest();

        // pulled by its own digest, the platform manifest names no index: nothing links it to the index's signature
        ImagePullException e = assertThrows(ImagePullException.class, () -> pullVerified(image(ref("signed/index-only", amd64))));

        assertEquals(expectedFailure("signed/index-only", "@" + amd64, amd64, "the manifest " + amd64,
                "the manifest " + amd64 + ": no signature (no tag " + CosignSigner.tagFor(amd64) + ")"), e.getMessage());
    }

    @Test
    void aSignedPlatformManifestVouchesForItselfButNotForTheWholeIndex() throws Exception {
        TestIndex index = pushIndex("signed/platform");
        String amd64 = index.image("linux/amd64").manifestDigest();
        CosignSigner.push(pusher(), "signed/platform", amd64, List.of(trusted.sign(dockerReference("signed/platform"), amd64)));

        assertEquals(1, pullVerified(image(ref("signed/platform", "1.0"), "linux/amd64")).size(), "the platform manifest pulled is signed");
        assertTrue(listener.lines().contains("INFO verified " + registry.address() + "/signed/platform:1.0: the platform manifest " + amd64
                + " is signed by the key " + trusted.fingerprint()), listener.lines().toString());

        // every platform: the index itself is what is pulled, and nobody signed it
        ImageRequest all = new ImageRequest(ImageReference.parse(ref("signed/platform", "1.0")), Platform.parse("linux/amd64"), List.of(), true);
        ImagePullException e = assertThrows(ImagePullException.class, () -> pullVerified(all));
        assertEquals(expectedFailure("signed/platform", ":1.0", index.digest(), "the index " + index.digest(),
                "the index " + index.digest() + ": no signature (no tag " + CosignSigner.tagFor(index.digest()) + ")"), e.getMessage());
    }

    @Test
    void anImageWithoutPolicyIsNotAskedForSignatures() throws Exception {
        TestImage image = pushImage("signed/per-image");
        ImageRequest unsigned = image(ref(io.github.frozenimages.images.testing.StandardFixtures.OCI_IMAGE, "1.0"));
        // only signed/per-image must be signed; it is, and the standard image beside it has no policy
        CosignSigner.push(pusher(), "signed/per-image", image.manifestDigest(),
                List.of(trusted.sign(dockerReference("signed/per-image"), image.manifestDigest())));
        TrustPolicy policy = new TrustPolicy(Optional.empty(), Map.of(registry.address() + "/signed/per-image",
                new SignatureCheck(TrustedKey.read(keyFile()))));
        PullRequest request = new PullRequest(List.of(image(ref("signed/per-image", "1.0")), unsigned), work.resolve("out"), OutputFormat.OCI,
                Optional.empty(), 4, work.resolve("cache"), java.util.Set.of(), null, listener).withNetwork(FAST_RETRIES);

        assertEquals(2, new ImagePuller(policy).pull(request).size());
    }

    @Test
    void aPayloadLargerThanASimpleSigningPayloadIsRefusedUnread() throws Exception {
        TestImage image = pushImage("signed/huge");
        CosignSigner.SignatureLayer valid = trusted.sign(dockerReference("signed/huge"), image.manifestDigest());
        // the payload's JSON padded with spaces to 300 KiB: still valid JSON, signed, but no simple-signing payload is that large
        byte[] padded = java.util.Arrays.copyOf(valid.payload(), 300 * 1024);
        java.util.Arrays.fill(padded, valid.payload().length, padded.length, (byte) ' ');
        CosignSigner.push(pusher(), "signed/huge", image.manifestDigest(), List.of(new CosignSigner.SignatureLayer(padded, valid.signature())));
        String payloadDigest = io.github.frozenimages.images.testing.Sha256.digest(padded);

        ImagePullException e = assertThrows(ImagePullException.class, () -> pullVerified(image(ref("signed/huge", "1.0"))));

        assertEquals("could not verify the signature of " + registry.address() + "/signed/huge:1.0 (" + payloadDigest + ") from "
                + registry.address() + ": the signature payload announces 307200 bytes, more than the 262144 a simple-signing payload may have",
                e.getMessage());
        assertFalse(Files.exists(work.resolve("out")));
    }

    @Test
    void aSignatureTagThatNamesAnIndexIsRefused() throws Exception {
        TestImage image = pushImage("signed/odd-tag");
        TestIndex index = fixtures.multiOci();
        pusher().push("signed/odd-tag", CosignSigner.tagFor(image.manifestDigest()), index);

        ImagePullException e = assertThrows(ImagePullException.class, () -> pullVerified(image(ref("signed/odd-tag", "1.0"))));

        assertEquals("could not verify the signature of " + registry.address() + "/signed/odd-tag:1.0 (" + image.manifestDigest() + ") from "
                + registry.address() + ": the signature tag " + CosignSigner.tagFor(image.manifestDigest()) + " names a " + index.mediaType()
                + ", not the image manifest cosign stores signatures in", e.getMessage());
    }

    /**
     * Locks {@code request} online under the key policy and pulls it, as {@code images:pull} with a lock update does:
     * the lock records what it accepted.
     */
    private ImageLock lockVerified(ImageRequest request) throws Exception {
        try (RegistrySession session = new RegistrySession(4, Set.of(), CredentialProvider.ANONYMOUS, FAST_RETRIES, PullListener.SILENT)) {
            ImageLock lock = new ImageLocker(work.resolve("cache"), session, listener, keyPolicy()).lock(List.of(request));
            // the lock's own check reads manifests with HEAD: the build that pulls online is what fills the cache
            pullVerified(lock.apply(List.of(request)).images().get(0));
            return lock;
        }
    }

    private TrustPolicy keyPolicy() throws Exception {
        return new TrustPolicy(Optional.of(new SignatureCheck(TrustedKey.read(keyFile()))), Map.of());
    }

    /** The pull {@code mvn -o} makes with a lock file: pinned requests, and the policy with what the lock recorded. */
    private List<PulledImage> pullOffline(ImageLock lock, ImageRequest request) throws Exception {
        Map<Digest, Digest> signatures = new HashMap<>();
        lock.images().forEach(image -> signatures.putAll(image.signatures()));
        PullRequest offline = new PullRequest(lock.apply(List.of(request)).images(), work.resolve("out2"), OutputFormat.OCI,
                Optional.empty(), 4, work.resolve("cache"), Set.of(), null, listener).withNetwork(FAST_RETRIES).withOffline(true);
        return new ImagePuller(keyPolicy().withLockedSignatures(signatures)).pull(offline);
    }

    @Test
    void theLockRecordsTheSignatureItAcceptedAndAnOfflinePullVerifiesItFromTheCache() throws Exception {
        TestImage image = pushImage("signed/offline");
        byte[] signatureManifest = CosignSigner.push(pusher(), "signed/offline", image.manifestDigest(),
                List.of(trusted.sign(dockerReference("signed/offline"), image.manifestDigest())));
        ImageRequest request = image(ref("signed/offline", "1.0"));

        ImageLock lock = lockVerified(request);

        assertEquals(Map.of(Digest.parse(image.manifestDigest()), Digest.sha256(signatureManifest)), lock.images().get(0).signatures());
        listener.clear();
        List<PulledImage> pulled = pullOffline(lock, request);
        assertEquals(1, pulled.size());
        assertTrue(listener.lines().stream().anyMatch(l -> l.startsWith("INFO verified " + registry.address() + "/signed/offline")
                && l.endsWith(trusted.fingerprint())), listener.lines().toString());
        assertTrue(Files.isRegularFile(work.resolve("out2").resolve("index.json")));
    }

    @Test
    void offlineWithoutASignatureRecordedByTheLockTheImageIsRefusedSayingHowToRecordOne() throws Exception {
        TestImage image = pushImage("signed/offline-unrecorded");
        CosignSigner.push(pusher(), "signed/offline-unrecorded", image.manifestDigest(),
                List.of(trusted.sign(dockerReference("signed/offline-unrecorded"), image.manifestDigest())));
        ImageRequest request = image(ref("signed/offline-unrecorded", "1.0"));
        pullVerified(request);
        // a lock taken without the policy records no signature: the cache alone does not say which one to trust
        ImageLock lock;
        try (RegistrySession session = new RegistrySession(4, Set.of(), CredentialProvider.ANONYMOUS, FAST_RETRIES, PullListener.SILENT)) {
            lock = new ImageLocker(work.resolve("cache"), session, PullListener.SILENT).lock(List.of(request));
        }

        ImagePullException e = assertThrows(ImagePullException.class, () -> pullOffline(lock, request));

        assertTrue(e.getMessage().startsWith("could not verify the signature of " + registry.address() + "/signed/offline-unrecorded"),
                e.getMessage());
        assertTrue(e.getMessage().contains(image.manifestDigest()), e.getMessage());
        assertTrue(e.getMessage().contains("run mvn images:lock online"), e.getMessage());
        assertFalse(Files.exists(work.resolve("out2")));
    }

    @Test
    void offlineASignatureDamagedInTheCacheIsRefusedNotTrusted() throws Exception {
        TestImage image = pushImage("signed/offline-damaged");
        CosignSigner.SignatureLayer layer = trusted.sign(dockerReference("signed/offline-damaged"), image.manifestDigest());
        CosignSigner.push(pusher(), "signed/offline-damaged", image.manifestDigest(), List.of(layer));
        ImageRequest request = image(ref("signed/offline-damaged", "1.0"));
        ImageLock lock = lockVerified(request);
        Path payload = cachedBlob(Digest.sha256(layer.payload()));
        byte[] bytes = Files.readAllBytes(payload);
        bytes[bytes.length / 2] ^= 1;
        payload.toFile().setWritable(true);
        Files.write(payload, bytes);

        ImagePullException e = assertThrows(ImagePullException.class, () -> pullOffline(lock, request));

        assertTrue(e.getMessage().contains("damaged in the cache"), e.getMessage());
        assertTrue(e.getMessage().contains("run the build online once"), e.getMessage());
        assertFalse(Files.exists(work.resolve("out2")));
    }

    @Test
    void anOutputPulledWithoutAPolicyDoesNotVouchForAPinnedImageOnceAPolicyIsSet() throws Exception {
        TestImage image = pushImage("signed/policy-added");
        ImageRequest pinned = image(ref("signed/policy-added", "1.0") + "@" + image.manifestDigest());
        PullRequest request = new PullRequest(List.of(pinned), work.resolve("out"), OutputFormat.OCI, Optional.empty(), 4,
                work.resolve("cache"), Set.of(), null, listener).withNetwork(FAST_RETRIES);
        new ImagePuller(TrustPolicy.NONE).pull(request);
        listener.clear();
        new ImagePuller(TrustPolicy.NONE).pull(request);
        assertTrue(listener.lines().stream().anyMatch(l -> l.contains("untouched since the last build")), listener.lines().toString());

        ImagePullException e = assertThrows(ImagePullException.class, () -> new ImagePuller(keyPolicy()).pull(request));

        assertTrue(e.getMessage().startsWith("could not verify the signature of " + registry.address() + "/signed/policy-added"),
                e.getMessage());
    }

    /** Where the cache keeps a blob: found by its digest's hex under the cache folder, whatever the layout. */
    private Path cachedBlob(Digest digest) throws Exception {
        try (var files = Files.walk(work.resolve("cache"))) {
            return files.filter(f -> f.getFileName().toString().equals(digest.hex()) && Files.isRegularFile(f)).findFirst()
                    .orElseThrow(() -> new AssertionError("no cached blob " + digest));
        }
    }
}
