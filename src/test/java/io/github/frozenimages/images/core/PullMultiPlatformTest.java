package io.github.frozenimages.images.core;

import io.github.frozenimages.images.core.shared.ImagePullException;
import io.github.frozenimages.images.core.ref.ImageRequest;
import io.github.frozenimages.images.core.output.PulledImage;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.frozenimages.images.core.ref.ImageReference;
import io.github.frozenimages.images.core.ref.Platform;
import io.github.frozenimages.images.testing.Consumers;
import io.github.frozenimages.images.testing.StandardFixtures;
import io.github.frozenimages.images.testing.TestAttestation;
import io.github.frozenimages.images.testing.TestIndex;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Several platforms of one image: the output keeps an index, read back by skopeo, umoci and podman. */
class PullMultiPlatformTest extends RegistryTestSupport {

    @TempDir
    Path work;

    private List<PulledImage> pull(OutputFormat format, Optional<Path> archive, ImageRequest request) {
        return new ImagePuller().pull(request(work, format, archive, List.of(request)));
    }

    private static ImageRequest multi(String repository, String primary, List<String> platforms, boolean all) {
        return new ImageRequest(ImageReference.parse(ref(repository, "1.0")), Platform.parse(primary),
                platforms.stream().map(Platform::parse).toList(), all);
    }

    private JsonNode json(Path file) throws Exception {
        return new ObjectMapper().readTree(file.toFile());
    }

    @Test
    void chosenPlatformsKeepAnIndexOverJustThem() throws Exception {
        TestIndex index = fixtures.multiOci();
        List<PulledImage> pulled = pull(OutputFormat.OCI, Optional.empty(),
                multi(StandardFixtures.MULTI_OCI, "linux/amd64", List.of("linux/arm64", "linux/amd64"), false));
        assertEquals(2, pulled.size(), "one report per platform");

        Path out = work.resolve("out");
        JsonNode top = json(out.resolve("index.json")).get("manifests");
        assertEquals(1, top.size(), "one entry for the image");
        assertEquals("application/vnd.oci.image.index.v1+json", top.get(0).get("mediaType").asText());
        JsonNode generated = json(out.resolve("blobs/sha256/" + top.get(0).get("digest").asText().substring(7)));
        List<String> digests = List.of(generated.get("manifests").get(0).get("digest").asText(), generated.get("manifests").get(1).get("digest").asText());
        // in the image's own order: amd64 first, then arm64
        assertEquals(List.of(index.image("linux/amd64").manifestDigest(), index.image("linux/arm64").manifestDigest()), digests);
        blobNamesCheckingContent(out);

        // skopeo reads the index and copies every platform of it
        String raw = Consumers.skopeoInspectRaw("oci:" + out + ":1.0");
        assertTrue(raw.contains(index.image("linux/arm64").manifestDigest()), raw);
        Consumers.skopeoCopyAll("oci:" + out + ":1.0", "oci:" + work.resolve("copy") + ":1.0");
        // umoci lists the tag (its stat refuses a tag that names several platform manifests as ambiguous)
        assertEquals(List.of("1.0"), Consumers.umociList(out));
    }

    @Test
    void allKeepsTheImagesOwnIndexAndItsAttestations() throws Exception {
        TestIndex index = fixtures.multiOci();
        pull(OutputFormat.OCI, Optional.empty(), multi(StandardFixtures.MULTI_OCI, "linux/amd64", List.of(), true));
        Path out = work.resolve("out");
        JsonNode top = json(out.resolve("index.json")).get("manifests");
        assertEquals(index.digest(), top.get(0).get("digest").asText(), "the image's own index, exact bytes");
        assertArrayEquals(index.bytes(), Files.readAllBytes(out.resolve("blobs/sha256/" + index.digest().substring(7))));
        List<String> blobs = blobNamesCheckingContent(out);
        for (TestAttestation a : index.attestations()) {
            assertTrue(blobs.contains(a.manifestDigest()), "attestation " + a.manifestDigest() + " kept");
        }
        for (var image : index.images()) {
            assertTrue(blobs.contains(image.manifestDigest()) && blobs.contains(image.configDigest()), image.platform());
        }
    }

    @Test
    void dockerFormatNamesTheHostPlatformForDockerLoad() throws Exception {
        TestIndex index = fixtures.multiDocker();
        Path archive = work.resolve("multi.tar");
        pull(OutputFormat.DOCKER, Optional.of(archive),
                multi(StandardFixtures.MULTI_DOCKER, "linux/amd64", List.of("linux/arm/v7", "linux/amd64"), false));
        JsonNode manifest = json(work.resolve("out/manifest.json"));
        assertEquals(1, manifest.size(), "docker load takes one platform per tag");
        assertEquals("blobs/sha256/" + index.image("linux/amd64").configDigest().substring(7), manifest.get(0).get("Config").asText());
        assertEquals(List.of(index.image("linux/amd64").configDigest().substring(7)), Consumers.podmanLoad(archive));
        assertTrue(Files.exists(work.resolve("out/blobs/sha256/" + index.image("linux/arm/v7").configDigest().substring(7))),
                "the other platform is stored too");
    }

    @Test
    void theLegacyFormatRefusesSeveralPlatforms() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> pull(OutputFormat.LEGACY, Optional.empty(),
                multi(StandardFixtures.MULTI_OCI, "linux/amd64", List.of("linux/arm64", "linux/amd64"), false)));
        assertTrue(e.getMessage().contains("one platform per image"), e.getMessage());
    }

    @Test
    void aPlatformTheImageLacksIsNamed() {
        ImagePullException e = assertThrows(ImagePullException.class, () -> pull(OutputFormat.OCI, Optional.empty(),
                multi(StandardFixtures.MULTI_OCI, "linux/amd64", List.of("linux/amd64", "linux/s390x"), false)));
        assertEquals(ImagePullException.Reason.NO_MATCHING_PLATFORM, e.reason());
        assertTrue(e.getMessage().contains("linux/s390x"), e.getMessage());
    }
}
