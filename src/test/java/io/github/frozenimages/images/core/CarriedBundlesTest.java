package io.github.frozenimages.images.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.frozenimages.images.core.auth.CredentialProvider;
import io.github.frozenimages.images.core.files.ArchiveUnpacker;
import io.github.frozenimages.images.core.push.ImagePusher;
import io.github.frozenimages.images.core.push.PushRequest;
import io.github.frozenimages.images.core.ref.ImageRequest;
import io.github.frozenimages.images.core.shared.ImagePullException;
import io.github.frozenimages.images.core.trust.LayoutSignatures;
import io.github.frozenimages.images.core.trust.SignatureCheck;
import io.github.frozenimages.images.core.trust.TrustPolicy;
import io.github.frozenimages.images.core.trust.TrustedKey;
import io.github.frozenimages.images.testing.CosignSigner;
import io.github.frozenimages.images.testing.MediaTypes;
import io.github.frozenimages.images.testing.RecordingListener;
import io.github.frozenimages.images.testing.RegistryPusher;
import io.github.frozenimages.images.testing.RegistryServer;
import io.github.frozenimages.images.testing.Sha256;
import io.github.frozenimages.images.testing.SigstoreBundleSigner;
import io.github.frozenimages.images.testing.TestImage;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Sigstore bundles carried across: a pull that accepted a bundle writes it into the output as a registry without the
 * referrers API keeps it (the artifact manifest, listed by the index under the fallback tag {@code sha256-<hex>}), so
 * the output and its archive verify with no network, and a push takes it to the target, adding to whatever referrers
 * the target already lists there. The registries are real; the bundles are made in test code.
 */
class CarriedBundlesTest extends RegistryTestSupport {

    @TempDir
    Path work;

    private final CosignSigner trusted = CosignSigner.ecdsaP256();
    private final RecordingListener listener = new RecordingListener();

    @Test
    void aVerifiedPullCarriesItsBundleIntoTheArchiveWhichVerifiesOfflineUntilOneByteOfTheBundleChanges() throws Exception {
        TestImage image = fixtures.ociImage();
        byte[] bundle = SigstoreBundleSigner.dsseBundle(trusted, SigstoreBundleSigner.statement(image.manifestDigest()));
        byte[] artifact = bundled(new RegistryPusher(registry.baseUrl()), "carried-bundle/single", image, bundle);
        pullVerified(RegistryTestSupport.image(ref("carried-bundle/single", "1.0")), Optional.of(work.resolve("bundle.tar.gz")));

        JsonNode entry = new ObjectMapper().readTree(work.resolve("out/index.json").toFile()).path("manifests").get(1);
        assertEquals(image.manifestDigest().replace(':', '-'), entry.path("annotations").path("org.opencontainers.image.ref.name").asText(),
                "the referrers index beside the image, under the fallback tag: " + entry);
        JsonNode referrers = new ObjectMapper().readTree(blob(work.resolve("out"), entry.path("digest").asText()).toFile());
        assertEquals(Sha256.digest(artifact), referrers.path("manifests").get(0).path("digest").asText());
        assertEquals(SigstoreBundleSigner.BUNDLE_TYPE, referrers.path("manifests").get(0).path("artifactType").asText());

        Path unpacked = work.resolve("unpacked");
        ArchiveUnpacker.unpack(work.resolve("bundle.tar.gz"), unpacked);
        assertEquals(1, LayoutSignatures.of(unpacked).verifyAll(check(trusted), listener), "verified offline from the archive");
        assertTrue(listener.lines().stream().anyMatch(l -> l.endsWith(" is signed by the key " + trusted.fingerprint() + " (Sigstore bundle "
                + Sha256.digest(artifact) + ")")), listener.lines().toString());

        CosignSigner other = CosignSigner.ecdsaP256();
        ImagePullException wrongKey = assertThrows(ImagePullException.class,
                () -> LayoutSignatures.of(unpacked).verifyAll(check(other), listener));
        assertTrue(wrongKey.getMessage().endsWith("by the key " + other.fingerprint() + " (" + work.resolve("cosign.pub") + "); found for the manifest "
                + image.manifestDigest() + ": no signature (no tag " + CosignSigner.tagFor(image.manifestDigest())
                + "), and 1 Sigstore bundle (a DSSE signature by another key)"), wrongKey.getMessage());

        Path bundleFile = blob(unpacked, Sha256.digest(bundle));
        byte[] bytes = Files.readAllBytes(bundleFile);
        bytes[bytes.length / 2] ^= 1;
        Files.write(bundleFile, bytes);
        ImagePullException e = assertThrows(ImagePullException.class, () -> LayoutSignatures.of(unpacked).verifyAll(check(trusted), listener));
        assertEquals(ImagePullException.Reason.UNTRUSTED, e.reason());
        assertTrue(e.getMessage().startsWith("the Sigstore bundles of " + image.manifestDigest() + " in " + unpacked + " are damaged: blob "
                + Sha256.digest(bundle) + " hashes to sha256:"), e.getMessage());
    }

    @Test
    void aPushedBundleJoinsTheReferrersTheTargetListsAndStillVerifiesThere() throws Exception {
        TestImage image = fixtures.ociImage();
        byte[] bundle = SigstoreBundleSigner.dsseBundle(trusted, SigstoreBundleSigner.statement(image.manifestDigest()));
        byte[] artifact = bundled(new RegistryPusher(registry.baseUrl()), "carried-bundle/pushed", image, bundle);
        pullVerified(RegistryTestSupport.image(ref("carried-bundle/pushed", "1.0")), Optional.empty());

        try (RegistryServer target = RegistryServer.start()) {
            // the target already lists a referrer of the image (another signer's bundle): the push must keep it
            RegistryPusher there = new RegistryPusher(target.baseUrl());
            there.push("carried-bundle/pushed", "1.0", image);
            byte[] otherBundle = SigstoreBundleSigner.dsseBundle(CosignSigner.ecdsaP256(), SigstoreBundleSigner.statement(image.manifestDigest()));
            byte[] otherArtifact = bundled(there, "carried-bundle/pushed", image, otherBundle);

            new ImagePusher().push(new PushRequest(work.resolve("out"), Optional.empty(), target.address(), Map.of(), 4, Set.of(),
                    CredentialProvider.ANONYMOUS, FAST_RETRIES, listener, work.resolve("push-report.json")));

            JsonNode listed = new ObjectMapper().readTree(get(target.baseUrl() + "/v2/carried-bundle/pushed/manifests/"
                    + image.manifestDigest().replace(':', '-')));
            assertEquals(List.of(Sha256.digest(otherArtifact), Sha256.digest(artifact)),
                    listed.path("manifests").findValuesAsText("digest"), "read, added to, put: " + listed);

            Path elsewhere = work.resolve("there");
            ImageRequest fromTarget = RegistryTestSupport.image(target.address() + "/carried-bundle/pushed:1.0");
            new ImagePuller(new TrustPolicy(Optional.of(check(trusted)), Map.of())).pull(new PullRequest(List.of(fromTarget),
                    elsewhere.resolve("out"), OutputFormat.OCI, Optional.empty(), 4, elsewhere.resolve("cache"), Set.of(),
                    CredentialProvider.ANONYMOUS, listener).withNetwork(FAST_RETRIES));
            assertTrue(listener.lines().contains("INFO verified " + target.address() + "/carried-bundle/pushed:1.0: the manifest "
                    + image.manifestDigest() + " is signed by the key " + trusted.fingerprint() + " (Sigstore bundle " + Sha256.digest(artifact)
                    + ")"), listener.lines().toString());
        }
    }

    /** Pushes the image with a bundle beside it, listed alone under the fallback tag; returns the artifact manifest. */
    private static byte[] bundled(RegistryPusher pusher, String repository, TestImage image, byte[] bundle) {
        pusher.push(repository, "1.0", image);
        byte[] artifact = SigstoreBundleSigner.pushArtifact(pusher, repository, SigstoreBundleSigner.artifactManifest(image.manifestMediaType(),
                image.manifestDigest(), image.manifestBytes().length, bundle), bundle);
        pusher.pushManifest(repository, image.manifestDigest().replace(':', '-'), MediaTypes.OCI_INDEX,
                SigstoreBundleSigner.referrersIndex(List.of(artifact)));
        return artifact;
    }

    private void pullVerified(ImageRequest image, Optional<Path> archive) throws Exception {
        new ImagePuller(new TrustPolicy(Optional.of(check(trusted)), Map.of())).pull(new PullRequest(List.of(image), work.resolve("out"),
                OutputFormat.DOCKER, archive, 4, work.resolve("cache"), Set.of(), CredentialProvider.ANONYMOUS, listener).withNetwork(FAST_RETRIES));
    }

    private SignatureCheck check(CosignSigner signer) throws Exception {
        return new SignatureCheck(TrustedKey.read(signer.writePublicKey(work.resolve("cosign.pub"))));
    }

    private static String get(String url) throws Exception {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10))
                .header("Accept", MediaTypes.OCI_INDEX).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, response.statusCode(), url + ": " + response.body());
        return response.body();
    }

    private static Path blob(Path layout, String digest) {
        return layout.resolve("blobs/sha256/" + digest.substring("sha256:".length()));
    }
}
