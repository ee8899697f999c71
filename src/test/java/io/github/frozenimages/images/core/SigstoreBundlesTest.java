package io.github.frozenimages.images.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.frozenimages.images.core.auth.CredentialProvider;
import io.github.frozenimages.images.core.ref.Digest;
import io.github.frozenimages.images.core.ref.ImageReference;
import io.github.frozenimages.images.core.registry.Operation;
import io.github.frozenimages.images.core.registry.RegistryClient;
import io.github.frozenimages.images.core.registry.RegistrySession;
import io.github.frozenimages.images.core.shared.ImagePullException;
import io.github.frozenimages.images.core.shared.PullListener;
import io.github.frozenimages.images.core.trust.KeyBundleVerification;
import io.github.frozenimages.images.core.trust.SigstoreBundleArtifact;
import io.github.frozenimages.images.core.trust.SigstoreBundles;
import io.github.frozenimages.images.core.trust.TrustedKey;
import io.github.frozenimages.images.testing.CosignSigner;
import io.github.frozenimages.images.testing.FaultProxy;
import io.github.frozenimages.images.testing.Faults;
import io.github.frozenimages.images.testing.HttpHeader;
import io.github.frozenimages.images.testing.MediaTypes;
import io.github.frozenimages.images.testing.RegistryPusher;
import io.github.frozenimages.images.testing.Rule;
import io.github.frozenimages.images.testing.Sha256;
import io.github.frozenimages.images.testing.SigstoreBundleSigner;
import io.github.frozenimages.images.testing.TestImage;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Sigstore bundles stored as OCI 1.1 referrers, found at the real registry and checked with a key: through the
 * fallback tag (the Distribution the tests run has no referrers API), through a referrers API (a proxy in front of the
 * registry answers it), and refused when hostile. The bundles are made in test code.
 */
class SigstoreBundlesTest extends RegistryTestSupport {

    private final CosignSigner trusted = CosignSigner.ecdsaP256();
    private final CosignSigner other = CosignSigner.ecdsaP256();

    private RegistryPusher pusher() {
        return new RegistryPusher(registry.baseUrl());
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

    /** The bundles a registry lists for the image's manifest, through a client of its own. */
    private static List<SigstoreBundleArtifact> bundles(String address, String repository, String digest) {
        ImageReference image = ImageReference.parse(address + "/" + repository + ":1.0");
        try (RegistrySession session = new RegistrySession(2, Set.of(), CredentialProvider.ANONYMOUS, FAST_RETRIES, PullListener.SILENT)) {
            RegistryClient client = session.registryOf(image);
            Digest signed = Digest.parse(digest);
            return SigstoreBundles.fetch(client, client.operation(image, "verify the signature of", signed), signed);
        }
    }

    private Optional<String> problem(CosignSigner key, SigstoreBundleArtifact artifact) throws Exception {
        return new KeyBundleVerification(TrustedKey.parse(key.publicKeyPem(), "cosign.pub")).problem(artifact.bundleJson(), artifact.signed());
    }

    @Test
    void aDsseBundleUnderTheFallbackTagIsFoundWholeAndVerifiesWithTheRightKeyOnly() throws Exception {
        TestImage image = pushImage("bundles/dsse");
        byte[] bundle = SigstoreBundleSigner.dsseBundle(trusted, SigstoreBundleSigner.statement(image.manifestDigest()));
        byte[] manifest = pushBundle("bundles/dsse", image, bundle);

        List<SigstoreBundleArtifact> found = bundles(registry.address(), "bundles/dsse", image.manifestDigest());

        assertEquals(1, found.size(), found.toString());
        SigstoreBundleArtifact artifact = found.get(0);
        assertEquals(Sha256.digest(manifest), artifact.manifest().digest().toString());
        assertTrue(Arrays.equals(manifest, artifact.manifestBytes()), "the artifact manifest's exact bytes");
        assertTrue(Arrays.equals(bundle, artifact.bundleJson()), "the bundle's exact bytes");
        assertTrue(Arrays.equals(SigstoreBundleSigner.EMPTY_CONFIG, artifact.configBytes()));
        assertEquals(Optional.empty(), problem(trusted, artifact));
        assertEquals(Optional.of("a DSSE signature by another key"), problem(other, artifact));
    }

    @Test
    void aMessageSignatureOverTheManifestVerifiesFromItsDigestAlone() throws Exception {
        TestImage image = pushImage("bundles/message");
        pushBundle("bundles/message", image, SigstoreBundleSigner.messageBundle(trusted, image.manifestBytes()));

        SigstoreBundleArtifact artifact = bundles(registry.address(), "bundles/message", image.manifestDigest()).get(0);

        assertEquals(Optional.empty(), problem(trusted, artifact));
        assertEquals(Optional.of("a message signature by another key"), problem(other, artifact));
    }

    @Test
    void anRsaMessageSignatureVerifiesAndAnEd25519OneIsSaidToNeedAnEnvelope() throws Exception {
        TestImage image = pushImage("bundles/rsa");
        CosignSigner rsa = CosignSigner.rsa();
        pushBundle("bundles/rsa", image, SigstoreBundleSigner.messageBundle(rsa, image.manifestBytes()));
        SigstoreBundleArtifact artifact = bundles(registry.address(), "bundles/rsa", image.manifestDigest()).get(0);
        assertEquals(Optional.empty(), problem(rsa, artifact));
        assertEquals(Optional.of("a message signature by another key"), problem(CosignSigner.rsa(), artifact));

        CosignSigner ed = CosignSigner.ed25519();
        byte[] bundle = SigstoreBundleSigner.messageBundle(ed, image.manifestBytes());
        SigstoreBundleArtifact edArtifact = new SigstoreBundleArtifact(artifact.signed(), artifact.manifest(), artifact.manifestBytes(),
                artifact.config(), artifact.configBytes(), artifact.bundle(), bundle);
        assertTrue(problem(ed, edArtifact).orElseThrow().contains("cannot be checked on from the digest alone"), problem(ed, edArtifact).toString());
    }

    @Test
    void aStatementForAnotherDigestIsRefusedNamingTheDigestItNames() throws Exception {
        TestImage image = pushImage("bundles/elsewhere");
        String elsewhere = fixtures.dockerImage().manifestDigest();
        pushBundle("bundles/elsewhere", image, SigstoreBundleSigner.dsseBundle(trusted, SigstoreBundleSigner.statement(elsewhere)));

        SigstoreBundleArtifact artifact = bundles(registry.address(), "bundles/elsewhere", image.manifestDigest()).get(0);

        assertEquals(Optional.of("an in-toto statement for another digest (its subject names {\"sha256\":\"" + Sha256.hexOf(elsewhere)
                + "\"})"), problem(trusted, artifact));
    }

    @Test
    void noReferrersAndNoFallbackTagIsNoBundle() {
        TestImage image = pushImage("bundles/none");
        assertEquals(List.of(), bundles(registry.address(), "bundles/none", image.manifestDigest()));
    }

    @Test
    void aReferrersApiAnswerIsUsedWhenTheRegistryHasOne() throws Exception {
        TestImage image = pushImage("bundles/api");
        byte[] bundle = SigstoreBundleSigner.dsseBundle(trusted, SigstoreBundleSigner.statement(image.manifestDigest()));
        byte[] manifest = SigstoreBundleSigner.pushArtifact(pusher(), "bundles/api", SigstoreBundleSigner.artifactManifest(
                image.manifestMediaType(), image.manifestDigest(), image.manifestBytes().length, bundle), bundle);
        try (FaultProxy proxy = FaultProxy.start(registry.baseUrl())) {
            String path = "/v2/bundles/api/referrers/" + image.manifestDigest();
            proxy.add(Rule.onPath("GET", path).always().then(Faults.answer(200, List.of(new HttpHeader("Content-Type", MediaTypes.OCI_INDEX)),
                    SigstoreBundleSigner.referrersIndex(List.of(manifest)))));

            List<SigstoreBundleArtifact> found = bundles(proxy.address(), "bundles/api", image.manifestDigest());

            assertEquals(1, found.size());
            assertEquals(Optional.empty(), problem(trusted, found.get(0)));
            assertTrue(proxy.requests().stream().anyMatch(r -> r.path().equals(path)), proxy.requests().toString());
            assertTrue(proxy.requests().stream().noneMatch(r -> r.path().contains("/manifests/sha256-")),
                    "no fallback tag is read when the API answers: " + proxy.requests());
        }
    }

    @Test
    void aHugeReferrersAnswerIsRefusedBeforeItFillsMemory() {
        TestImage image = pushImage("bundles/huge");
        try (FaultProxy proxy = FaultProxy.start(registry.baseUrl())) {
            byte[] huge = new byte[5 * 1024 * 1024];
            Arrays.fill(huge, (byte) ' ');
            proxy.add(Rule.on("GET", "/v2/bundles/huge/referrers/.+").always().then(Faults.answer(200,
                    List.of(new HttpHeader("Content-Type", MediaTypes.OCI_INDEX)), huge)));

            ImagePullException e = assertThrows(ImagePullException.class,
                    () -> bundles(proxy.address(), "bundles/huge", image.manifestDigest()));

            assertEquals(ImagePullException.Reason.PROTOCOL, e.reason());
            assertTrue(e.getMessage().contains("the referrers index is too large: the response declares 5242880 bytes"), e.getMessage());
        }
    }

    @Test
    void aReferrerWhoseSubjectIsAnotherManifestIsRefusedNamingBoth() {
        TestImage image = pushImage("bundles/mismatch");
        String elsewhere = fixtures.dockerImage().manifestDigest();
        byte[] bundle = SigstoreBundleSigner.dsseBundle(trusted, SigstoreBundleSigner.statement(image.manifestDigest()));
        // listed under the image's fallback tag, but the artifact says it is about another manifest
        byte[] manifest = SigstoreBundleSigner.pushArtifact(pusher(), "bundles/mismatch", SigstoreBundleSigner.artifactManifest(
                MediaTypes.OCI_MANIFEST, elsewhere, 100, bundle), bundle);
        pusher().pushManifest("bundles/mismatch", image.manifestDigest().replace(':', '-'), MediaTypes.OCI_INDEX,
                SigstoreBundleSigner.referrersIndex(List.of(manifest)));

        ImagePullException e = assertThrows(ImagePullException.class,
                () -> bundles(registry.address(), "bundles/mismatch", image.manifestDigest()));

        assertEquals(ImagePullException.Reason.UNTRUSTED, e.reason());
        assertTrue(e.getMessage().contains("the Sigstore bundle " + Sha256.digest(manifest) + " listed as a referrer of "
                + image.manifestDigest() + " is refused: its manifest's subject is " + elsewhere + ", not " + image.manifestDigest()),
                e.getMessage());
    }

    @Test
    void aReferrersIndexThatListsTheSubjectItselfIsRefused() {
        TestImage image = pushImage("bundles/loop");
        String index = "{\"schemaVersion\":2,\"mediaType\":\"" + MediaTypes.OCI_INDEX + "\",\"manifests\":[{\"mediaType\":\""
                + MediaTypes.OCI_MANIFEST + "\",\"digest\":\"" + image.manifestDigest() + "\",\"size\":" + image.manifestBytes().length
                + ",\"artifactType\":\"" + SigstoreBundleSigner.BUNDLE_TYPE + "\"}]}";
        pusher().pushManifest("bundles/loop", image.manifestDigest().replace(':', '-'), MediaTypes.OCI_INDEX,
                index.getBytes(StandardCharsets.UTF_8));

        ImagePullException e = assertThrows(ImagePullException.class,
                () -> bundles(registry.address(), "bundles/loop", image.manifestDigest()));

        assertEquals(ImagePullException.Reason.PROTOCOL, e.reason());
        assertTrue(e.getMessage().contains("the referrers fallback tag " + image.manifestDigest().replace(':', '-') + " lists "
                + image.manifestDigest() + ", the subject itself, as a referrer"), e.getMessage());
    }

    @Test
    void aBundleLayerAnnouncingMoreThanAMegabyteIsRefusedUnread() {
        TestImage image = pushImage("bundles/bigbundle");
        byte[] bundle = new byte[1024 * 1024 + 1];
        Arrays.fill(bundle, (byte) ' ');
        pushBundle("bundles/bigbundle", image, bundle);

        ImagePullException e = assertThrows(ImagePullException.class,
                () -> bundles(registry.address(), "bundles/bigbundle", image.manifestDigest()));

        assertEquals(ImagePullException.Reason.UNTRUSTED, e.reason());
        assertTrue(e.getMessage().contains("is refused: its bundle announces 1048577 bytes, more than the 1048576"), e.getMessage());
    }

    @Test
    void aFallbackTagThatNamesAManifestIsRefusedNamingTheTag() {
        TestImage image = pushImage("bundles/odd-tag");
        pusher().push("bundles/odd-tag", image.manifestDigest().replace(':', '-'), fixtures.dockerImage());

        ImagePullException e = assertThrows(ImagePullException.class,
                () -> bundles(registry.address(), "bundles/odd-tag", image.manifestDigest()));

        assertEquals(ImagePullException.Reason.PROTOCOL, e.reason());
        assertTrue(e.getMessage().contains("the referrers fallback tag " + image.manifestDigest().replace(':', '-') + " names a "
                + fixtures.dockerImage().manifestMediaType() + ", not the index of referrers that tag is kept for"), e.getMessage());
    }

    @Test
    void aReferrersApiAnswerThatIsNoIndexIsRefused() {
        TestImage image = pushImage("bundles/garbage");
        try (FaultProxy proxy = FaultProxy.start(registry.baseUrl())) {
            proxy.add(Rule.on("GET", "/v2/bundles/garbage/referrers/.+").always().then(Faults.answer(200,
                    List.of(new HttpHeader("Content-Type", MediaTypes.OCI_INDEX)), "{\"manifests\":[{\"digest\":\"nope\"}]}".getBytes(StandardCharsets.UTF_8))));

            ImagePullException e = assertThrows(ImagePullException.class,
                    () -> bundles(proxy.address(), "bundles/garbage", image.manifestDigest()));

            assertEquals(ImagePullException.Reason.PROTOCOL, e.reason());
            assertTrue(e.getMessage().contains("the referrers API's answer is no referrers index: referrer 0: "), e.getMessage());
        }
    }
}
