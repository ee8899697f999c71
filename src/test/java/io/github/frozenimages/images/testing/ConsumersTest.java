package io.github.frozenimages.images.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Proves the consumer wrappers on a docker-archive written by hand (not by the plugin), using an
 * image whose manifest lists one layer twice, as the trickiest common case.
 */
@Timeout(300)
class ConsumersTest {

    private static final String REPO_TAG = "consumers/test:1.0";

    @TempDir
    static Path temp;

    private static TestImage image;
    private static Path archive;

    @BeforeAll
    static void writeArchive() {
        TestLayer repeated = TestLayer.gzip("consumers/repeated", 5_000);
        image = TestImage.builder().oci(false)
                .layer(repeated)
                .layer(TestLayer.plain("consumers/plain", 3_000))
                .layer(repeated)
                .label("test.label", "consumers")
                .build();
        archive = HandMadeDockerArchive.write(image, REPO_TAG, temp.resolve("image.tar"));
    }

    @Test
    void podmanLoadsTheArchiveAsAnImageWhoseIdIsTheConfigDigest() {
        Consumers.PodmanLoad loaded = Consumers.podmanLoadImages(archive);
        assertEquals(List.of(Sha256.hexOf(image.configDigest())), loaded.imageIds(), loaded::output);
        // podman puts short names without a registry host under localhost/ (docker would use docker.io/).
        assertEquals(List.of("localhost/" + REPO_TAG), loaded.names(), loaded::output);
    }

    @Test
    void theSeparatePodmanCallsReturnIdsAndNames() {
        assertEquals(List.of(Sha256.hexOf(image.configDigest())), Consumers.podmanLoad(archive));
        assertEquals(List.of("localhost/" + REPO_TAG), Consumers.podmanLoadNames(archive));
    }

    @Test
    void skopeoInspectsTheArchive() {
        JsonNode inspected = Json.parse(Consumers.skopeoInspect("docker-archive:" + archive));
        assertEquals("amd64", inspected.path("Architecture").asText());
        assertEquals("linux", inspected.path("Os").asText());
        assertEquals("consumers", inspected.path("Labels").path("test.label").asText());
        // A docker-archive holds uncompressed layers, so skopeo reports them by diff id.
        assertEquals(diffIds(), texts(inspected.path("Layers")));

        JsonNode config = Json.parse(Consumers.skopeoInspectConfig("docker-archive:" + archive));
        assertEquals(diffIds(), texts(config.path("rootfs").path("diff_ids")));
    }

    @Test
    void skopeoCopiesTheArchiveToAnOciLayoutThatUmociReads() {
        Path layout = temp.resolve("layout");
        Consumers.skopeoCopy("docker-archive:" + archive, "oci:" + layout + ":copied");
        assertTrue(Files.isRegularFile(layout.resolve("index.json")));

        JsonNode inspected = Json.parse(Consumers.skopeoInspect("oci:" + layout + ":copied"));
        assertEquals(3, inspected.path("Layers").size());

        JsonNode stat = Json.parse(Consumers.umociStat(layout, "copied"));
        List<String> statDiffIds = new ArrayList<>();
        // umoci reports history entries without a layer (empty_layer) with diff_id "".
        stat.path("history").forEach(entry -> {
            if (!entry.path("diff_id").asText("").isEmpty()) {
                statDiffIds.add(entry.path("diff_id").asText());
            }
        });
        assertEquals(diffIds(), statDiffIds);
    }

    @Test
    void aMissingConsumerFailsWithAnInstallHint() {
        AssertionError failure = assertThrows(AssertionError.class,
                () -> Consumers.requireBinary(Path.of("/nonexistent/skopeo"), "skopeo"));
        assertEquals("/nonexistent/skopeo is missing: install it with `apt-get install -y skopeo`"
                + " (the project's .ci/run does this)", failure.getMessage());
    }

    @Test
    void aFailingConsumerReportsItsOutput() {
        AssertionError failure = assertThrows(AssertionError.class,
                () -> Consumers.skopeoInspect("docker-archive:" + temp.resolve("missing.tar")));
        assertTrue(failure.getMessage().contains("exited with"), failure::getMessage);
        assertTrue(failure.getMessage().contains("missing.tar"), failure::getMessage);
    }

    private static List<String> diffIds() {
        return image.layers().stream().map(TestLayer::diffId).toList();
    }

    private static List<String> texts(JsonNode array) {
        List<String> texts = new ArrayList<>();
        array.forEach(node -> texts.add(node.asText()));
        return texts;
    }
}
