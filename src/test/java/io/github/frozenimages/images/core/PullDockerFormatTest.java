package io.github.frozenimages.images.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.frozenimages.images.testing.Consumers;
import io.github.frozenimages.images.testing.StandardFixtures;
import io.github.frozenimages.images.testing.TestImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The default output, read back by real consumers: podman load, skopeo and umoci. */
class PullDockerFormatTest extends RegistryTestSupport {

    @TempDir
    Path work;

    @Test
    void podmanLoadsEveryImageWithItsConfigDigestAsId() throws Exception {
        Path archive = work.resolve("images.tar");
        new ImagePuller().pull(request(work, OutputFormat.DOCKER, Optional.of(archive), standardImages()));

        Consumers.PodmanLoad loaded = Consumers.podmanLoadImages(archive);
        for (TestImage expected : List.of(fixtures.ociImage(), fixtures.dockerImage(), fixtures.dupLayer(),
                fixtures.sharedBase1(), fixtures.sharedBase2())) {
            String id = expected.configDigest().substring("sha256:".length());
            assertTrue(loaded.imageIds().contains(id), "podman loaded " + loaded.imageIds() + ", not " + id);
        }
        String names = String.join(" ", loaded.names());
        for (String name : List.of("test/oci-image:1.0", "test/docker-image:1.0", "test/dup-layer:1.0",
                "test/shared-base:1.0", "test/shared-base:2.0")) {
            assertTrue(names.contains(registry.address() + "/" + name), names);
        }
    }

    @Test
    void treeIsAnOciLayoutAndADockerArchiveWithEachBlobOnce() throws Exception {
        pull(work, OutputFormat.DOCKER,
                image(ref(StandardFixtures.SHARED_BASE, "1.0")),
                image(ref(StandardFixtures.SHARED_BASE, "2.0")),
                image(ref(StandardFixtures.DUP_LAYER, "1.0")));
        Path out = work.resolve("out");
        List<String> blobs = RegistryTestSupport.blobNamesCheckingContent(out);
        // shared-base 1.0 and 2.0 share their first layer; dup-layer lists one layer twice
        long expected = List.of(fixtures.sharedBase1(), fixtures.sharedBase2(), fixtures.dupLayer()).stream()
                .flatMap(i -> java.util.stream.Stream.concat(java.util.stream.Stream.of(i.manifestDigest(), i.configDigest()),
                        i.layers().stream().map(l -> l.digest())))
                .distinct().count();
        assertEquals(expected, blobs.size());

        JsonNode manifest = new ObjectMapper().readTree(out.resolve("manifest.json").toFile());
        assertEquals(3, manifest.size());
        JsonNode dup = manifest.get(2);
        assertEquals(registry.address() + "/test/dup-layer:1.0", dup.get("RepoTags").get(0).asText());
        assertEquals(fixtures.dupLayer().layers().size(), dup.get("Layers").size());

        // skopeo reads the docker-archive side of the same tree
        Path tar = work.resolve("x.tar");
        io.github.frozenimages.images.core.output.TarArchiveWriter.write(out, tar);
        String inspect = Consumers.skopeoInspect("docker-archive:" + tar + ":" + registry.address() + "/test/dup-layer:1.0");
        JsonNode info = new ObjectMapper().readTree(inspect);
        assertEquals(fixtures.dupLayer().layers().stream().map(l -> l.diffId()).collect(Collectors.toList()),
                toList(info.get("Layers")));
    }

    @Test
    void skopeoCopiesFromTheDockerArchiveIntoAnOciLayoutThatUmociReads() throws Exception {
        Path archive = work.resolve("one.tar");
        new ImagePuller().pull(request(work, OutputFormat.DOCKER, Optional.of(archive), List.of(image(ref(StandardFixtures.DOCKER_IMAGE, "1.0")))));
        Path copy = work.resolve("copy");
        Consumers.skopeoCopy("docker-archive:" + archive, "oci:" + copy + ":copied");
        String stat = Consumers.umociStat(copy, "copied");
        assertTrue(stat.contains("LAYER") || stat.contains("layer"), stat);
        assertTrue(Files.isRegularFile(copy.resolve("index.json")));
    }

    private static List<String> toList(JsonNode array) {
        List<String> out = new java.util.ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }
}
