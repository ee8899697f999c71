package io.github.frozenimages.images.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.frozenimages.images.testing.Consumers;
import io.github.frozenimages.images.testing.RegistryPusher;
import io.github.frozenimages.images.testing.TestImage;
import io.github.frozenimages.images.testing.TestLayer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * gzip, zstd and uncompressed layers, under OCI and Docker media types (Docker's have no zstd type, and
 * containers/image refuses the OCI one in a Docker manifest), pass through untouched: the output
 * holds the registry's manifest and blobs byte for byte, and podman, which decompresses each layer and checks
 * it against the config's diff_ids, loads the result.
 */
class LayerTypesTest extends RegistryTestSupport {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private static TestImage ociMixed;
    private static TestImage dockerMixed;

    @TempDir
    Path work;

    @BeforeAll
    static void pushMixedImages() {
        ociMixed = TestImage.builder().oci(true)
                .layer(TestLayer.gzip("types-gzip", 20_000))
                .layer(TestLayer.zstd("types-zstd", 20_000))
                .layer(TestLayer.plain("types-plain", 20_000))
                .build();
        dockerMixed = TestImage.builder().oci(false)
                .layer(TestLayer.gzip("types-docker-gzip", 20_000))
                .layer(TestLayer.plain("types-docker-plain", 20_000))
                .build();
        RegistryPusher pusher = new RegistryPusher(registry.baseUrl());
        pusher.push("types/oci", "1", ociMixed);
        pusher.push("types/docker", "1", dockerMixed);
    }

    @ParameterizedTest(name = "{0} image, {1} format")
    @CsvSource({"oci, DOCKER", "oci, OCI", "docker, DOCKER", "docker, OCI"})
    void everyLayerTypeIsWrittenAsServed(String kind, OutputFormat format) throws Exception {
        TestImage image = kind.equals("oci") ? ociMixed : dockerMixed;
        Path archive = work.resolve("images.tar");
        new ImagePuller().pull(request(work, format, Optional.of(archive), List.of(image(ref("types/" + kind, "1")))));
        Path out = work.resolve("out");

        assertArrayEquals(image.manifestBytes(), Files.readAllBytes(blob(out, image.manifestDigest())), "the manifest as served");
        List<String> types = new ArrayList<>();
        for (JsonNode layer : MAPPER.readTree(image.manifestBytes()).get("layers")) {
            types.add(layer.get("mediaType").asText());
        }
        assertEquals(kind.equals("oci") ? List.of("application/vnd.oci.image.layer.v1.tar+gzip", "application/vnd.oci.image.layer.v1.tar+zstd",
                "application/vnd.oci.image.layer.v1.tar") : List.of("application/vnd.docker.image.rootfs.diff.tar.gzip",
                "application/vnd.docker.image.rootfs.diff.tar"), types);
        for (TestLayer layer : image.layers()) {
            assertArrayEquals(layer.blob(), Files.readAllBytes(blob(out, layer.digest())), layer + " as served");
        }

        if (format == OutputFormat.DOCKER) {
            JsonNode entry = MAPPER.readTree(out.resolve("manifest.json").toFile()).get(0);
            for (int i = 0; i < image.layers().size(); i++) {
                assertEquals("blobs/sha256/" + image.layers().get(i).digest().substring(7), entry.get("Layers").get(i).asText());
            }
        }
        String id = image.configDigest().substring("sha256:".length());
        assertTrue(Consumers.podmanLoad(archive).contains(id),
                "podman loads the image with every layer checked against its diff_id");
    }

    private static Path blob(Path layout, String digest) {
        return layout.resolve("blobs/sha256/" + digest.substring("sha256:".length()));
    }
}
