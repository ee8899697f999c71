package io.github.frozenimages.images.core;

import io.github.frozenimages.images.core.output.PulledImage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.frozenimages.images.testing.StandardFixtures;
import io.github.frozenimages.images.testing.TestImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The cache, the replacement of earlier outputs, and names of pinned references. */
class PullCacheAndOutputTest extends RegistryTestSupport {

    @TempDir
    Path work;

    @Test
    void aSecondPullDownloadsNothingAndSharedLayersComeOnce() {
        List<PulledImage> first = pull(work, OutputFormat.DOCKER,
                image(ref(StandardFixtures.SHARED_BASE, "1.0")), image(ref(StandardFixtures.SHARED_BASE, "2.0")));
        long distinctLayerBytes = Stream.of(fixtures.sharedBase1(), fixtures.sharedBase2())
                .flatMap(i -> i.layers().stream()).distinct().mapToLong(l -> l.size()).sum();
        assertEquals(distinctLayerBytes, first.stream().mapToLong(PulledImage::downloadedBytes).sum(),
                "the shared layer must be downloaded once");

        List<PulledImage> second = pull(work, OutputFormat.DOCKER,
                image(ref(StandardFixtures.SHARED_BASE, "1.0")), image(ref(StandardFixtures.SHARED_BASE, "2.0")));

        // the report sits beside the output tree, which stays exactly an image layout
        JsonNode report;
        try {
            report = new ObjectMapper().readTree(work.resolve("out-report.json").toFile()).get("images");
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        assertEquals(2, report.size());
        assertEquals(registry.address() + "/test/shared-base:1.0", report.get(0).get("reference").asText());
        assertEquals(fixtures.sharedBase1().manifestDigest(), report.get(0).get("digest").asText());
        assertEquals("linux/amd64", report.get(0).get("platform").asText());
        assertEquals(0, report.get(0).get("downloadedBytes").asLong());
        assertEquals(second.get(0).layers(), report.get(0).get("layersReused").asInt());
        assertEquals("http://" + registry.address(), report.get(0).get("endpoint").asText());
        assertEquals("anonymous", report.get(0).get("credentials").asText());
        assertEquals(0, report.get(0).get("retries").asInt());
        assertFalse(Files.exists(work.resolve("out/out-report.json")));
        assertEquals(0, second.stream().mapToLong(PulledImage::downloadedBytes).sum());
        assertEquals(second.get(0).layers() + second.get(1).layers(), second.stream().mapToInt(PulledImage::cachedLayers).sum());
    }

    @Test
    void anEarlierOutputIsReplacedWholesale() throws Exception {
        pull(work, OutputFormat.DOCKER, image(ref(StandardFixtures.OCI_IMAGE, "1.0")), image(ref(StandardFixtures.DOCKER_IMAGE, "1.0")));
        Files.writeString(work.resolve("out/stray.txt"), "left over");
        pull(work, OutputFormat.DOCKER, image(ref(StandardFixtures.OCI_IMAGE, "1.0")));

        Path out = work.resolve("out");
        assertFalse(Files.exists(out.resolve("stray.txt")));
        JsonNode manifest = new ObjectMapper().readTree(out.resolve("manifest.json").toFile());
        assertEquals(1, manifest.size(), "the image of the earlier run must not linger");
        TestImage docker = fixtures.dockerImage();
        assertFalse(Files.exists(out.resolve("blobs/sha256/" + docker.configDigest().substring(7))));
        try (Stream<Path> siblings = Files.list(work)) {
            assertEquals(List.of("cache", "out", "out-report.json"), siblings.map(p -> p.getFileName().toString()).sorted().toList(),
                    "no staging or old folders may remain");
        }
    }

    @Test
    void aTagAndDigestFetchesTheDigestAndKeepsTheTagAsName() throws Exception {
        TestImage oci = fixtures.ociImage();
        String pinned = registry.address() + "/test/oci-image:1.0@" + oci.manifestDigest();
        List<PulledImage> pulled = pull(work, OutputFormat.DOCKER, image(pinned),
                image(ref(StandardFixtures.DOCKER_IMAGE, fixtures.dockerImage().manifestDigest())));
        assertEquals(oci.manifestDigest(), pulled.get(0).manifestDigest().toString());

        JsonNode manifest = new ObjectMapper().readTree(work.resolve("out/manifest.json").toFile());
        assertEquals(registry.address() + "/test/oci-image:1.0", manifest.get(0).get("RepoTags").get(0).asText());
        assertTrue(manifest.get(1).get("RepoTags").isNull(), "a digest-only image has no tag for docker load");
        JsonNode index = new ObjectMapper().readTree(work.resolve("out/index.json").toFile());
        assertEquals(registry.address() + "/test/docker-image@" + fixtures.dockerImage().manifestDigest(),
                index.get("manifests").get(1).get("annotations").get("io.containerd.image.name").asText());
    }
}
