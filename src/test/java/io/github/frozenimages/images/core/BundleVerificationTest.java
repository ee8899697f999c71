package io.github.frozenimages.images.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.frozenimages.images.core.lock.ImageLock;
import io.github.frozenimages.images.core.lock.ImageLocker;
import io.github.frozenimages.images.core.ref.Digest;
import io.github.frozenimages.images.core.ref.ImageRequest;
import io.github.frozenimages.images.core.registry.RegistrySession;
import io.github.frozenimages.images.core.shared.ImagePullException;
import io.github.frozenimages.images.core.trust.KeylessIdentity;
import io.github.frozenimages.images.core.trust.KeylessVerification;
import io.github.frozenimages.images.core.trust.SignatureCheck;
import io.github.frozenimages.images.core.trust.TrustPolicy;
import io.github.frozenimages.images.core.trust.TrustedKey;
import io.github.frozenimages.images.testing.CosignSigner;
import io.github.frozenimages.images.testing.RecordingListener;
import io.github.frozenimages.images.testing.RegistryPusher;
import io.github.frozenimages.images.testing.Sha256;
import io.github.frozenimages.images.testing.SigstoreBundleSigner;
import io.github.frozenimages.images.testing.SigstoreTestAuthority;
import io.github.frozenimages.images.testing.SigstoreTestAuthority.KeylessSigner;
import io.github.frozenimages.images.testing.TestImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A pull under a signature policy that finds Sigstore bundles as referrers at the real registry (through the fallback
 * tag: the Distribution the tests run has no referrers API): the key policy after cosign's tag convention, the keyless
 * policy through its verification interface (here a stand-in written in the test: the real one needs the Sigstore
 * client), and the lock's offline check of a recorded bundle from the cache.
 */
class BundleVerificationTest extends RegistryTestSupport {

    @TempDir
    Path work;

    private final CosignSigner trusted = CosignSigner.ecdsaP256();
    private final RecordingListener listener = new RecordingListener();

    /** Accepts a bundle whose public-key hint is the identity asked for: the stand-in for a certificate's SAN. */
    private static final KeylessVerification HINT_IS_IDENTITY = (bundleJson, signed, identity) -> {
        try {
            String hint = new ObjectMapper().readTree(bundleJson).path("verificationMaterial").path("publicKey").path("hint").asText();
            return identity.accepts("https://issuer.test", hint) ? Optional.empty() : Optional.of("a certificate for identity " + hint);
        } catch (IOException e) {
            return Optional.of("unreadable JSON");
        }
    };

    private RegistryPusher pusher() {
        return new RegistryPusher(registry.baseUrl());
    }

    private Path keyFile() {
        return trusted.writePublicKey(work.resolve("cosign.pub"));
    }

    private TestImage pushImage(String repository) {
        TestImage image = fixtures.ociImage();
        pusher().push(repository, "1.0", image);
        return image;
    }

    private byte[] pushBundle(String repository, TestImage image, byte[] bundle) {
        return SigstoreBundleSigner.push(pusher(), repository, image.manifestMediaType(), image.manifestDigest(),
                image.manifestBytes().length, bundle);
    }

    private SignatureCheck keyCheck() throws Exception {
        return new SignatureCheck(TrustedKey.read(keyFile()));
    }

    private PullRequest request(String repository, String out) {
        return new PullRequest(List.of(image(ref(repository, "1.0"))), work.resolve(out), OutputFormat.OCI, Optional.empty(), 4,
                work.resolve("cache"), Set.of(), null, listener).withNetwork(FAST_RETRIES);
    }

    private void pull(SignatureCheck check, String repository) {
        new ImagePuller(new TrustPolicy(Optional.of(check), Map.of())).pull(request(repository, "out"));
    }

    @Test
    void aBundleSignedWithTheKeyLetsAnImageWithoutCosignTagsIn() throws Exception {
        TestImage image = pushImage("bundled/good");
        byte[] manifest = pushBundle("bundled/good", image,
                SigstoreBundleSigner.dsseBundle(trusted, SigstoreBundleSigner.statement(image.manifestDigest())));

        pull(keyCheck(), "bundled/good");

        assertTrue(listener.lines().contains("INFO verified " + registry.address() + "/bundled/good:1.0: the manifest " + image.manifestDigest()
                + " is signed by the key " + trusted.fingerprint() + " (Sigstore bundle " + Sha256.digest(manifest) + ")"),
                listener.lines().toString());
        assertTrue(cacheFile(Sha256.digest(manifest)) != null, "the accepted bundle is kept in the cache for the lock's offline check");
    }

    @Test
    void aBundleByAnotherKeyFailsNamingTheFingerprintAndWhatWasFound() throws Exception {
        TestImage image = pushImage("bundled/other-key");
        pushBundle("bundled/other-key", image,
                SigstoreBundleSigner.dsseBundle(CosignSigner.ecdsaP256(), SigstoreBundleSigner.statement(image.manifestDigest())));

        ImagePullException e = assertThrows(ImagePullException.class, () -> pull(keyCheck(), "bundled/other-key"));

        assertEquals(ImagePullException.Reason.UNTRUSTED, e.reason());
        assertEquals("could not verify the signature of " + registry.address() + "/bundled/other-key:1.0 (" + image.manifestDigest() + ") from "
                + registry.address() + ": no signature of the manifest " + image.manifestDigest() + " by the key " + trusted.fingerprint() + " ("
                + keyFile() + "); found for the manifest " + image.manifestDigest() + ": no signature (no tag "
                + CosignSigner.tagFor(image.manifestDigest()) + "), and 1 Sigstore bundle (a DSSE signature by another key)", e.getMessage());
        assertFalse(Files.exists(work.resolve("out")));
    }

    @Test
    void aBundleWhoseStatementNamesAnotherDigestFails() throws Exception {
        TestImage image = pushImage("bundled/elsewhere");
        String elsewhere = fixtures.dockerImage().manifestDigest();
        pushBundle("bundled/elsewhere", image, SigstoreBundleSigner.dsseBundle(trusted, SigstoreBundleSigner.statement(elsewhere)));

        ImagePullException e = assertThrows(ImagePullException.class, () -> pull(keyCheck(), "bundled/elsewhere"));

        assertTrue(e.getMessage().endsWith("and 1 Sigstore bundle (an in-toto statement for another digest (its subject names {\"sha256\":\""
                + Sha256.hexOf(elsewhere) + "\"}))"), e.getMessage());
    }

    @Test
    void aValidCosignSignatureIsTakenBeforeAnyBundleIsLookedFor() throws Exception {
        TestImage image = pushImage("bundled/both");
        CosignSigner.push(pusher(), "bundled/both", image.manifestDigest(),
                List.of(trusted.sign(registry.address() + "/bundled/both", image.manifestDigest())));
        pushBundle("bundled/both", image, SigstoreBundleSigner.dsseBundle(trusted, SigstoreBundleSigner.statement(image.manifestDigest())));

        pull(keyCheck(), "bundled/both");

        assertTrue(listener.lines().contains("INFO verified " + registry.address() + "/bundled/both:1.0: the manifest " + image.manifestDigest()
                + " is signed by the key " + trusted.fingerprint()), listener.lines().toString());
    }

    @Test
    void theKeylessPolicyTakesABundleItsVerificationAcceptsAndNamesTheIdentityWhenNone() throws Exception {
        TestImage image = pushImage("bundled/keyless");
        byte[] manifest = pushBundle("bundled/keyless", image,
                SigstoreBundleSigner.dsseBundle(trusted, SigstoreBundleSigner.statement(image.manifestDigest())));
        KeylessIdentity wanted = KeylessIdentity.exactly("https://issuer.test", "test");

        pull(SignatureCheck.keyless(wanted, HINT_IS_IDENTITY), "bundled/keyless");
        assertTrue(listener.lines().contains("INFO verified " + registry.address() + "/bundled/keyless:1.0: the manifest " + image.manifestDigest()
                + " is signed by " + wanted.describe() + " (Sigstore bundle " + Sha256.digest(manifest) + ")"), listener.lines().toString());

        KeylessIdentity someoneElse = KeylessIdentity.matching("https://issuer.test", "release-.*");
        ImagePullException e = assertThrows(ImagePullException.class,
                () -> pull(SignatureCheck.keyless(someoneElse, HINT_IS_IDENTITY), "bundled/keyless"));
        assertTrue(e.getMessage().endsWith(": no signature of the manifest " + image.manifestDigest() + " by a keyless signer with "
                + someoneElse.describe() + "; found for the manifest " + image.manifestDigest() + ": 1 Sigstore bundle (a certificate for identity test)"),
                e.getMessage());
    }

    @Test
    void theKeylessPolicyIgnoresCosignKeySignaturesAndSaysNoBundleWasFound() throws Exception {
        TestImage image = pushImage("bundled/keyless-none");
        CosignSigner.push(pusher(), "bundled/keyless-none", image.manifestDigest(),
                List.of(trusted.sign(registry.address() + "/bundled/keyless-none", image.manifestDigest())));
        KeylessIdentity wanted = KeylessIdentity.exactly("https://issuer.test", "test");

        ImagePullException e = assertThrows(ImagePullException.class,
                () -> pull(SignatureCheck.keyless(wanted, HINT_IS_IDENTITY), "bundled/keyless-none"));

        assertTrue(e.getMessage().endsWith("by a keyless signer with " + wanted.describe() + "; found for the manifest " + image.manifestDigest()
                + ": no Sigstore bundle (no referrer of type " + SigstoreBundleSigner.BUNDLE_TYPE + ")"), e.getMessage());
    }

    @Test
    void theKeylessPolicySaysWhyCosignsOlderKeylessSignaturesAreNotTaken() throws Exception {
        TestImage image = pushImage("bundled/keyless-legacy");
        KeylessSigner legacy = SigstoreTestAuthority.create().signer("https://issuer.test", "test");
        String certificate = "-----BEGIN CERTIFICATE-----\n" + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(legacy.leaf().getEncoded())
                + "\n-----END CERTIFICATE-----\n";
        // as cosign 2 signs keylessly by default: the tag convention, the certificate in an annotation, no bundle referrer
        CosignSigner.push(pusher(), "bundled/keyless-legacy", image.manifestDigest(),
                List.of(trusted.sign(registry.address() + "/bundled/keyless-legacy", image.manifestDigest()).withCertificate(certificate)));
        KeylessIdentity wanted = KeylessIdentity.exactly("https://issuer.test", "test");

        ImagePullException e = assertThrows(ImagePullException.class,
                () -> pull(SignatureCheck.keyless(wanted, HINT_IS_IDENTITY), "bundled/keyless-legacy"));

        assertTrue(e.getMessage().endsWith("; found for the manifest " + image.manifestDigest() + ": no Sigstore bundle (no referrer of type "
                + SigstoreBundleSigner.BUNDLE_TYPE + "), and 1 keyless cosign signature under the tag " + CosignSigner.tagFor(image.manifestDigest())
                + ", which this plugin does not check: its transparency-log bundle carries no inclusion proof, which sigstore-java needs to"
                + " check it offline (sign with cosign v3 or --new-bundle-format for a Sigstore bundle)"), e.getMessage());
        assertFalse(Files.exists(work.resolve("out")));
    }

    @Test
    void aBundleTheLockRecordsIsCheckedOfflineFromTheCacheAndRefusedOnceAByteChanges() throws Exception {
        TestImage image = pushImage("bundled/offline");
        byte[] bundle = SigstoreBundleSigner.dsseBundle(trusted, SigstoreBundleSigner.statement(image.manifestDigest()));
        byte[] manifest = pushBundle("bundled/offline", image, bundle);
        pull(keyCheck(), "bundled/offline"); // the image's blobs into the cache, as a first online build does
        TrustPolicy policy = new TrustPolicy(Optional.of(keyCheck()), Map.of());
        ImageLock lock;
        try (RegistrySession session = new RegistrySession(2, Set.of(), null, FAST_RETRIES, listener)) {
            lock = new ImageLocker(work.resolve("cache"), session, listener, policy).lock(List.of(image(ref("bundled/offline", "1.0"))));
        }
        Map<Digest, Digest> recorded = lock.images().get(0).signatures();
        assertEquals(Map.of(Digest.parse(image.manifestDigest()), Digest.parse(Sha256.digest(manifest))), recorded,
                "the lock records the bundle's artifact manifest as the signature it accepted");
        TrustPolicy locked = policy.withLockedSignatures(recorded);
        listener.clear();

        new ImagePuller(locked).pull(request("bundled/offline", "out2").withOffline(true));
        assertTrue(listener.lines().stream().anyMatch(l -> l.contains(" is signed by the key " + trusted.fingerprint() + " (Sigstore bundle "
                + Sha256.digest(manifest) + ")")), listener.lines().toString());

        Path cached = cacheFile(Sha256.digest(bundle));
        byte[] bytes = Files.readAllBytes(cached);
        bytes[bytes.length / 2] ^= 1;
        cached.toFile().setWritable(true);
        Files.write(cached, bytes);
        ImagePullException e = assertThrows(ImagePullException.class,
                () -> new ImagePuller(locked).pull(request("bundled/offline", "out3").withOffline(true)));
        assertTrue(e.getMessage().startsWith("the Sigstore bundle of " + image.manifestDigest() + " recorded in the lock file is damaged"),
                e.getMessage());
    }

    /** Where the cache keeps a blob, found by its name whatever the cache's folder layout. */
    private Path cacheFile(String digest) throws IOException {
        String hex = Sha256.hexOf(digest);
        try (var files = Files.walk(work.resolve("cache"))) {
            return files.filter(p -> p.getFileName().toString().equals(hex)).findFirst().orElse(null);
        }
    }
}
