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
import io.github.frozenimages.images.testing.Consumers;
import io.github.frozenimages.images.testing.CosignSigner;
import io.github.frozenimages.images.testing.RecordingListener;
import io.github.frozenimages.images.testing.RegistryPusher;
import io.github.frozenimages.images.testing.RegistryServer;
import io.github.frozenimages.images.testing.TestImage;
import io.github.frozenimages.images.testing.TestIndex;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Signatures carried across: a verified pull writes the accepted signature image into its output beside the image,
 * so the output and its archive are checked again with no network, and a push takes the signature to the target,
 * where a verified pull accepts the image. The registry is the real one; the signatures are made in test code.
 */
class CarriedSignaturesTest extends RegistryTestSupport {

    @TempDir
    Path work;

    private final CosignSigner trusted = CosignSigner.ecdsaP256();
    private final RecordingListener listener = new RecordingListener();

    @Test
    void aVerifiedPullCarriesItsSignatureIntoTheArchiveWhichVerifiesOfflineUntilOneByteChanges() throws Exception {
        TestImage image = signedImage("carried/single");
        pullVerified(tagged("carried/single"), Optional.of(work.resolve("bundle.tar.gz")));

        JsonNode index = new ObjectMapper().readTree(work.resolve("out/index.json").toFile());
        assertEquals(CosignSigner.tagFor(image.manifestDigest()), index.path("manifests").get(1).path("annotations")
                .path("org.opencontainers.image.ref.name").asText(), "the signature image beside the image: " + index);
        assertEquals(Consumers.skopeoInspectRaw("docker://" + registry.address() + "/carried/single:1.0"),
                Consumers.skopeoInspectRaw("oci:" + work.resolve("out") + ":1.0"), "skopeo still reads the image by its tag");

        Path unpacked = work.resolve("unpacked");
        ArchiveUnpacker.unpack(work.resolve("bundle.tar.gz"), unpacked);
        assertEquals(1, LayoutSignatures.of(unpacked).verifyAll(check(), listener), "verified offline from the archive");

        // one byte of the carried signature payload changed: it no longer vouches for anything
        JsonNode signatureEntry = new ObjectMapper().readTree(unpacked.resolve("index.json").toFile()).path("manifests").get(1);
        JsonNode signatureManifest = new ObjectMapper().readTree(blob(unpacked, signatureEntry.path("digest").asText()).toFile());
        Path payload = blob(unpacked, signatureManifest.path("layers").get(0).path("digest").asText());
        byte[] bytes = Files.readAllBytes(payload);
        bytes[bytes.length / 2] ^= 1;
        Files.write(payload, bytes);

        ImagePullException e = assertThrows(ImagePullException.class, () -> LayoutSignatures.of(unpacked).verifyAll(check(), listener));
        assertEquals(ImagePullException.Reason.UNTRUSTED, e.reason());
        assertTrue(e.getMessage().startsWith("the signatures of " + image.manifestDigest() + " in " + unpacked + " are damaged: blob sha256:"),
                e.getMessage());
    }

    @Test
    void anIndexSignatureOfASinglePlatformPullIsCarriedWithTheIndexThatLinksThem() throws Exception {
        TestIndex index = fixtures.multiOci();
        new RegistryPusher(registry.baseUrl()).push("carried/index", "1.0", index);
        CosignSigner.push(new RegistryPusher(registry.baseUrl()), "carried/index", index.digest(),
                List.of(trusted.sign(registry.address() + "/carried/index", index.digest())));

        pullVerified(image(ref("carried/index", "1.0"), "linux/arm64"), Optional.empty());

        assertTrue(Files.isRegularFile(blob(work.resolve("out"), index.digest())), "the signed index is kept as a blob");
        assertEquals(1, LayoutSignatures.of(work.resolve("out")).verifyAll(check(), listener));
        assertTrue(listener.lines().stream().anyMatch(l -> l.contains("the index " + index.digest() + " is signed by the key")),
                listener.lines().toString());
    }

    @Test
    void anOutputWithoutItsSignaturesFailsTheOfflineCheckNamingTheImage() throws Exception {
        new RegistryPusher(registry.baseUrl()).push("carried/unsigned", "1.0", fixtures.ociImage());
        new ImagePuller().pull(request(work, OutputFormat.OCI, Optional.empty(), List.of(image(ref("carried/unsigned", "1.0")))));

        ImagePullException e = assertThrows(ImagePullException.class,
                () -> LayoutSignatures.of(work.resolve("out")).verifyAll(check(), listener));

        assertEquals(ImagePullException.Reason.UNTRUSTED, e.reason());
        assertTrue(e.getMessage().startsWith("could not verify the signature of " + registry.address() + "/carried/unsigned:1.0 ("
                + fixtures.ociImage().manifestDigest() + "): in " + work.resolve("out") + ": no signature of the manifest "), e.getMessage());
    }

    @Test
    void aPushedBundleStillVerifiesAtTheTarget() throws Exception {
        TestImage image = signedImage("carried/pushed");
        pullVerified(tagged("carried/pushed"), Optional.empty());

        try (RegistryServer target = RegistryServer.start()) {
            new ImagePusher().push(new PushRequest(work.resolve("out"), Optional.empty(), target.address(), Map.of(), 4, Set.of(),
                    CredentialProvider.ANONYMOUS, FAST_RETRIES, listener, work.resolve("push-report.json")));

            Path there = work.resolve("there");
            ImageRequest fromTarget = RegistryTestSupport.image(target.address() + "/carried/pushed:1.0");
            new ImagePuller(policy()).pull(new PullRequest(List.of(fromTarget), there.resolve("out"), OutputFormat.OCI, Optional.empty(), 4,
                    there.resolve("cache"), Set.of(), CredentialProvider.ANONYMOUS, listener).withNetwork(FAST_RETRIES));
            assertTrue(listener.lines().contains("INFO verified " + target.address() + "/carried/pushed:1.0: the manifest "
                    + image.manifestDigest() + " is signed by the key " + trusted.fingerprint()), listener.lines().toString());
        }
    }

    private TestImage signedImage(String repository) {
        TestImage image = fixtures.ociImage();
        RegistryPusher pusher = new RegistryPusher(registry.baseUrl());
        pusher.push(repository, "1.0", image);
        CosignSigner.push(pusher, repository, image.manifestDigest(), List.of(trusted.sign(registry.address() + "/" + repository,
                image.manifestDigest())));
        return image;
    }

    private ImageRequest tagged(String repository) {
        return RegistryTestSupport.image(ref(repository, "1.0"));
    }

    private void pullVerified(ImageRequest image, Optional<Path> archive) throws Exception {
        new ImagePuller(policy()).pull(new PullRequest(List.of(image), work.resolve("out"), OutputFormat.DOCKER, archive, 4,
                work.resolve("cache"), Set.of(), CredentialProvider.ANONYMOUS, listener).withNetwork(FAST_RETRIES));
    }

    private TrustPolicy policy() throws Exception {
        return new TrustPolicy(Optional.of(check()), Map.of());
    }

    private SignatureCheck check() throws Exception {
        return new SignatureCheck(TrustedKey.read(trusted.writePublicKey(work.resolve("cosign.pub"))));
    }

    private static Path blob(Path layout, String digest) {
        return layout.resolve("blobs/sha256/" + digest.substring("sha256:".length()));
    }
}
