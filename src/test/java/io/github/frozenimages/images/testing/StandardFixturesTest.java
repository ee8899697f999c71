package io.github.frozenimages.images.testing;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(120)
class StandardFixturesTest {

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private static RegistryServer registry;
    private static StandardFixtures fixtures;

    @BeforeAll
    static void pushFixtures() {
        registry = RegistryServer.start();
        fixtures = StandardFixtures.pushTo(registry.baseUrl());
    }

    @AfterAll
    static void stopRegistry() {
        if (registry != null) {
            registry.close();
        }
    }

    @Test
    void everyTagServesTheExactManifestBytesAndDigest() throws Exception {
        assertServed(StandardFixtures.OCI_IMAGE, "1.0", fixtures.ociImage().manifestMediaType(),
                fixtures.ociImage().manifestBytes());
        assertServed(StandardFixtures.DOCKER_IMAGE, "1.0", fixtures.dockerImage().manifestMediaType(),
                fixtures.dockerImage().manifestBytes());
        assertServed(StandardFixtures.MULTI_OCI, "1.0", MediaTypes.OCI_INDEX, fixtures.multiOci().bytes());
        assertServed(StandardFixtures.MULTI_DOCKER, "1.0", MediaTypes.DOCKER_LIST, fixtures.multiDocker().bytes());
        assertServed(StandardFixtures.DUP_LAYER, "1.0", MediaTypes.DOCKER_MANIFEST,
                fixtures.dupLayer().manifestBytes());
        assertServed(StandardFixtures.SHARED_BASE, "1.0", MediaTypes.DOCKER_MANIFEST,
                fixtures.sharedBase1().manifestBytes());
        assertServed(StandardFixtures.SHARED_BASE, "2.0", MediaTypes.DOCKER_MANIFEST,
                fixtures.sharedBase2().manifestBytes());
    }

    @Test
    void theFixturesHaveTheAdvertisedShape() {
        assertEquals(MediaTypes.OCI_MANIFEST, fixtures.ociImage().manifestMediaType());
        assertEquals(2, fixtures.ociImage().layers().size());
        assertEquals(MediaTypes.DOCKER_MANIFEST, fixtures.dockerImage().manifestMediaType());
        assertEquals(3, fixtures.dockerImage().layers().size());
        for (TestImage image : List.of(fixtures.ociImage(), fixtures.dockerImage())) {
            assertEquals("linux/amd64", image.platform());
            image.layers().forEach(layer -> assertTrue(layer.gzipped(), layer::toString));
        }
    }

    @Test
    void theOciIndexListsItsPlatformsThenOneAttestationPerImage() throws Exception {
        assertIndex(StandardFixtures.MULTI_OCI, fixtures.multiOci(), MediaTypes.OCI_MANIFEST,
                List.of("linux/amd64", "linux/arm64", "linux/arm/v7", "linux/arm/v6"));
    }

    @Test
    void theDockerListListsItsPlatformsThenOneAttestationPerImage() throws Exception {
        assertIndex(StandardFixtures.MULTI_DOCKER, fixtures.multiDocker(), MediaTypes.DOCKER_MANIFEST,
                List.of("linux/amd64", "linux/arm64/v8", "linux/arm/v7", "linux/arm/v5", "linux/ppc64le"));
    }

    @Test
    void theDupLayerManifestAndConfigListOneLayerTwice() throws Exception {
        JsonNode manifest = Json.parse(fetchManifest(StandardFixtures.DUP_LAYER, "1.0", MediaTypes.DOCKER_MANIFEST).body());
        List<String> digests = new ArrayList<>();
        manifest.path("layers").forEach(layer -> digests.add(layer.path("digest").asText()));
        assertEquals(3, digests.size());
        assertEquals(2, new HashSet<>(digests).size(), digests::toString);
        assertEquals(digests.get(0), digests.get(2));

        JsonNode config = Json.parse(fetchBlob(StandardFixtures.DUP_LAYER, fixtures.dupLayer().configDigest()).body());
        JsonNode diffIds = config.path("rootfs").path("diff_ids");
        assertEquals(3, diffIds.size());
        assertEquals(diffIds.get(0), diffIds.get(2));
        assertNotEquals(diffIds.get(0), diffIds.get(1));
    }

    @Test
    void theSharedBaseImagesShareExactlyTheirFirstLayer() throws Exception {
        TestImage first = fixtures.sharedBase1();
        TestImage second = fixtures.sharedBase2();
        assertEquals(fixtures.sharedLayer().digest(), first.layers().get(0).digest());
        assertEquals(fixtures.sharedLayer().digest(), second.layers().get(0).digest());
        assertNotEquals(first.layers().get(1).digest(), second.layers().get(1).digest());
        assertNotEquals(first.manifestDigest(), second.manifestDigest());
        assertArrayEquals(fixtures.sharedLayer().blob(),
                fetchBlob(StandardFixtures.SHARED_BASE, fixtures.sharedLayer().digest()).body());
    }

    @Test
    void theRegistryServesEveryBlobOfAnImageUnchanged() throws Exception {
        TestImage image = fixtures.dockerImage();
        assertArrayEquals(image.configBytes(), fetchBlob(StandardFixtures.DOCKER_IMAGE, image.configDigest()).body());
        for (TestLayer layer : image.layers()) {
            HttpResponse<byte[]> response = fetchBlob(StandardFixtures.DOCKER_IMAGE, layer.digest());
            assertArrayEquals(layer.blob(), response.body(), layer::toString);
            assertEquals(layer.digest(), Sha256.digest(response.body()));
        }
    }

    @Test
    void pushingAgainIsHarmless() {
        StandardFixtures again = StandardFixtures.pushTo(registry.baseUrl());
        assertEquals(fixtures.multiDocker().digest(), again.multiDocker().digest());
    }

    @Test
    void skopeoReadsTheFixturesFromTheRegistry() {
        String raw = Consumers.skopeoInspectRaw(
                "docker://" + registry.address() + "/" + StandardFixtures.MULTI_OCI + ":1.0");
        assertEquals(fixtures.multiOci().digest(), Sha256.digest(raw.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        JsonNode inspected = Json.parse(Consumers.skopeoInspect(
                "docker://" + registry.address() + "/" + StandardFixtures.OCI_IMAGE + ":1.0"));
        assertEquals(fixtures.ociImage().manifestDigest(), inspected.path("Digest").asText());
        assertEquals("oci-image", inspected.path("Labels").path("org.opencontainers.image.title").asText());
    }

    private void assertIndex(String repository, TestIndex expected, String childMediaType, List<String> platforms)
            throws Exception {
        JsonNode index = Json.parse(fetchManifest(repository, "1.0", expected.mediaType()).body());
        List<String> served = new ArrayList<>();
        List<JsonNode> attestations = new ArrayList<>();
        for (JsonNode entry : index.path("manifests")) {
            JsonNode platform = entry.path("platform");
            if (platform.path("os").asText().equals("unknown")) {
                attestations.add(entry);
                continue;
            }
            assertEquals(childMediaType, entry.path("mediaType").asText());
            String variant = platform.path("variant").asText("");
            served.add(platform.path("os").asText() + "/" + platform.path("architecture").asText()
                    + (variant.isEmpty() ? "" : "/" + variant));
            assertServed(repository, entry.path("digest").asText(), childMediaType,
                    expected.image(served.get(served.size() - 1)).manifestBytes());
        }
        assertEquals(platforms, served);
        assertEquals(platforms.size(), attestations.size());
        Set<String> subjects = new HashSet<>();
        for (JsonNode attestation : attestations) {
            assertEquals("unknown", attestation.path("platform").path("architecture").asText());
            assertEquals(TestAttestation.ATTESTATION_MANIFEST,
                    attestation.path("annotations").path(TestAttestation.REFERENCE_TYPE_ANNOTATION).asText());
            subjects.add(attestation.path("annotations").path(TestAttestation.REFERENCE_DIGEST_ANNOTATION).asText());
            JsonNode manifest = Json.parse(fetchManifest(repository, attestation.path("digest").asText(),
                    MediaTypes.OCI_MANIFEST).body());
            assertEquals(MediaTypes.IN_TOTO, manifest.path("layers").get(0).path("mediaType").asText());
        }
        Set<String> imageDigests = new HashSet<>();
        expected.images().forEach(image -> imageDigests.add(image.manifestDigest()));
        assertEquals(imageDigests, subjects);
    }

    private void assertServed(String repository, String reference, String mediaType, byte[] expected)
            throws Exception {
        HttpResponse<byte[]> response = fetchManifest(repository, reference, mediaType);
        String where = repository + ":" + reference;
        assertEquals(200, response.statusCode(), where);
        assertArrayEquals(expected, response.body(), where);
        assertEquals(Sha256.digest(expected), response.headers().firstValue("Docker-Content-Digest").orElse(null), where);
        assertEquals(mediaType, response.headers().firstValue("Content-Type").orElse(null), where);
    }

    private HttpResponse<byte[]> fetchManifest(String repository, String reference, String mediaType)
            throws IOException, InterruptedException {
        return get("/v2/" + repository + "/manifests/" + reference, mediaType);
    }

    private HttpResponse<byte[]> fetchBlob(String repository, String digest) throws IOException, InterruptedException {
        HttpResponse<byte[]> response = get("/v2/" + repository + "/blobs/" + digest, "*/*");
        assertEquals(200, response.statusCode(), repository + "@" + digest);
        return response;
    }

    private HttpResponse<byte[]> get(String path, String accept) throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(URI.create(registry.baseUrl() + path))
                .header("Accept", accept)
                .timeout(Duration.ofSeconds(20))
                .build();
        return HTTP.send(request, HttpResponse.BodyHandlers.ofByteArray());
    }
}
