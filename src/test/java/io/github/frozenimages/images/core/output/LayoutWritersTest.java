package io.github.frozenimages.images.core.output;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.frozenimages.images.core.model.Descriptor;
import io.github.frozenimages.images.core.model.MediaTypes;
import io.github.frozenimages.images.core.ref.Digest;
import io.github.frozenimages.images.core.ref.Platform;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The two output shapes, checked against the OCI schemas and against what docker/podman/containerd read:
 * exact blobs under their digests, naming annotations in index.json, familiar RepoTags in manifest.json.
 */
class LayoutWritersTest {

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final Platform AMD64 = Platform.of("linux", "amd64", null);
    private static final Platform ARM_V7 = Platform.of("linux", "arm", "v7");

    @TempDir
    Path temp;

    private StoreFixture fixture;
    private StoreFixture.Layer base;
    private StoreFixture.Layer app;
    /** alpine-like: two layers, linux/amd64. */
    private StoreFixture.Image first;
    /** a second image sharing the base layer, linux/arm/v7. */
    private StoreFixture.Image second;
    private Path out;

    @BeforeEach
    void setUp() throws IOException {
        fixture = new StoreFixture(temp.resolve("cache"));
        base = fixture.layer("base layer content");
        app = fixture.layer("app layer content");
        first = fixture.image(AMD64, "first", base, app);
        second = fixture.image(ARM_V7, "second", base, app, fixture.layer("third"));
        out = temp.resolve("out");
    }

    private void writeOci(List<OutputImage> images) throws IOException {
        new OciLayoutWriter(fixture.store).write(out, images);
    }

    private void writeDocker(List<OutputImage> images) throws IOException {
        new DockerLayoutWriter(fixture.store).write(out, images);
    }

    private JsonNode readJson(String relative) throws IOException {
        return MAPPER.readTree(out.resolve(relative).toFile());
    }

    private static String blobPath(Descriptor d) {
        return "blobs/sha256/" + d.digest().hex();
    }

    private static List<String> texts(JsonNode array) {
        List<String> result = new ArrayList<>();
        array.forEach(n -> result.add(n.asText()));
        return result;
    }

    /** The files under blobs/, relative to the layout root. */
    private List<String> blobFiles() throws IOException {
        try (Stream<Path> walk = Files.walk(out.resolve("blobs"))) {
            return walk.filter(Files::isRegularFile).map(p -> out.relativize(p).toString().replace('\\', '/')).sorted().toList();
        }
    }

    /** index.json entries by their io.containerd.image.name. */
    private Map<String, JsonNode> indexEntries() throws IOException {
        Map<String, JsonNode> byName = new TreeMap<>();
        for (JsonNode entry : readJson("index.json").get("manifests")) {
            byName.put(entry.path("annotations").path(ImageNames.CONTAINERD_NAME).asText(), entry);
        }
        return byName;
    }

    @Test
    void ociLayoutValidatesAgainstTheSpecSchemas() throws IOException {
        writeOci(List.of(first.as("alpine:3.20"), second.as("ghcr.io/org/app:1.2")));

        OciSchemaValidator.assertValid(OciSchemaValidator.IMAGE_LAYOUT, Files.readAllBytes(out.resolve("oci-layout")));
        OciSchemaValidator.assertValid(OciSchemaValidator.IMAGE_INDEX, Files.readAllBytes(out.resolve("index.json")));
        for (StoreFixture.Image image : List.of(first, second)) {
            byte[] manifest = Files.readAllBytes(out.resolve(blobPath(image.manifest())));
            OciSchemaValidator.assertValid(OciSchemaValidator.IMAGE_MANIFEST, manifest);
            OciSchemaValidator.assertValid(OciSchemaValidator.CONFIG, Files.readAllBytes(out.resolve(blobPath(image.config()))));
        }
        assertEquals("1.0.0", readJson("oci-layout").get("imageLayoutVersion").asText());
        JsonNode index = readJson("index.json");
        assertEquals(2, index.get("schemaVersion").asInt());
        assertEquals(MediaTypes.OCI_INDEX, index.get("mediaType").asText());
        // an OCI layout alone carries no docker-archive files
        assertFalse(Files.exists(out.resolve("manifest.json")));
        assertFalse(Files.exists(out.resolve("repositories")));
    }

    @Test
    void everyBlobHashesToItsNameAndKeepsTheRegistryBytes() throws Exception {
        writeDocker(List.of(first.as("alpine:3.20"), second.as("alpine:edge")));

        List<String> files = blobFiles();
        // manifests, configs and the three distinct layers, nothing else (no temp files)
        TreeSet<String> expected = new TreeSet<>();
        for (StoreFixture.Image image : List.of(first, second)) {
            image.as("x:1").blobs().forEach(d -> expected.add(blobPath(d)));
        }
        assertEquals(List.copyOf(expected), files);
        assertEquals(7, files.size());
        for (String file : files) {
            byte[] content = Files.readAllBytes(out.resolve(file));
            String hex = HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(content));
            assertEquals(file.substring("blobs/sha256/".length()), hex, file);
        }
        // the manifest is written byte for byte as stored (here pretty-printed), not re-serialised
        assertArrayEquals(first.manifestBytes(), Files.readAllBytes(out.resolve(blobPath(first.manifest()))));
    }

    @Test
    void indexJsonNamesEveryImageTheWayContainerdAndDockerReadIt() throws IOException {
        writeOci(List.of(first.as("alpine:3.20"), second.as("ghcr.io/org/app:1.2"), first.as("localhost:5000/app:1")));

        Map<String, JsonNode> entries = indexEntries();
        assertEquals(List.of("docker.io/library/alpine:3.20", "ghcr.io/org/app:1.2", "localhost:5000/app:1"),
                List.copyOf(entries.keySet()));

        JsonNode alpine = entries.get("docker.io/library/alpine:3.20");
        assertEquals("3.20", alpine.get("annotations").get(ImageNames.OCI_REF_NAME).asText());
        assertEquals(MediaTypes.OCI_MANIFEST, alpine.get("mediaType").asText());
        assertEquals(first.manifest().digest().toString(), alpine.get("digest").asText());
        assertEquals(first.manifest().size(), alpine.get("size").asLong());
        assertEquals(MAPPER.readTree("{\"architecture\":\"amd64\",\"os\":\"linux\"}"), alpine.get("platform"));

        JsonNode ghcr = entries.get("ghcr.io/org/app:1.2");
        assertEquals("1.2", ghcr.get("annotations").get(ImageNames.OCI_REF_NAME).asText());
        assertEquals(second.manifest().digest().toString(), ghcr.get("digest").asText());
        assertEquals(MAPPER.readTree("{\"architecture\":\"arm\",\"os\":\"linux\",\"variant\":\"v7\"}"), ghcr.get("platform"));

        assertEquals("1", entries.get("localhost:5000/app:1").get("annotations").get(ImageNames.OCI_REF_NAME).asText());
        assertEquals(first.manifest().digest().toString(), entries.get("localhost:5000/app:1").get("digest").asText());
    }

    @Test
    void indexJsonKeepsTheOrderImagesWereAskedFor() throws IOException {
        writeOci(List.of(second.as("zzz:1"), first.as("aaa:1")));
        JsonNode manifests = readJson("index.json").get("manifests");
        assertEquals("docker.io/library/zzz:1", manifests.get(0).get("annotations").get(ImageNames.CONTAINERD_NAME).asText());
        assertEquals("docker.io/library/aaa:1", manifests.get(1).get("annotations").get(ImageNames.CONTAINERD_NAME).asText());
    }

    @Test
    void sameImageAskedForTwiceIsOneIndexEntry() throws IOException {
        writeOci(List.of(first.as("alpine:3.20"), first.as("docker.io/library/alpine:3.20")));
        assertEquals(1, readJson("index.json").get("manifests").size());
    }

    @Test
    void digestOnlyReferenceHasNoTagAnywhere() throws IOException {
        Digest digest = second.manifest().digest();
        writeDocker(List.of(first.as("alpine:3.20"), second.as("busybox@" + digest)));
        OciSchemaValidator.assertValid(OciSchemaValidator.IMAGE_INDEX, Files.readAllBytes(out.resolve("index.json")));

        JsonNode entry = indexEntries().get("docker.io/library/busybox@" + digest);
        assertEquals(digest.toString(), entry.get("digest").asText());
        // ref.name holds a tag; there is none, and a made-up one would name an image that does not exist
        assertFalse(entry.get("annotations").has(ImageNames.OCI_REF_NAME), entry.toString());

        JsonNode manifestJson = readJson("manifest.json");
        assertEquals(2, manifestJson.size());
        // docker load refuses untagged RepoTags entries, so the digest-only image gets null, as docker save writes
        assertTrue(manifestJson.get(1).has("RepoTags"));
        assertTrue(manifestJson.get(1).get("RepoTags").isNull(), manifestJson.get(1).toString());
        assertEquals(blobPath(second.config()), manifestJson.get(1).get("Config").asText());
        // and repositories, keyed by tag, has nothing to say about it
        assertFalse(readJson("repositories").has("busybox"));
    }

    @Test
    void repoTagsAreInTheFamiliarForm() throws IOException {
        StoreFixture.Image third = fixture.image(AMD64, "third", app);
        StoreFixture.Image fourth = fixture.image(AMD64, "fourth", base);
        writeDocker(List.of(first.as("docker.io/library/alpine:3.20"), second.as("ghcr.io/org/app:1.2"),
                third.as("localhost:5000/app:1"), fourth.as("index.docker.io/user/tool:2")));

        JsonNode manifestJson = readJson("manifest.json");
        assertEquals(4, manifestJson.size());
        assertEquals(List.of("alpine:3.20"), texts(manifestJson.get(0).get("RepoTags")));
        assertEquals(List.of("ghcr.io/org/app:1.2"), texts(manifestJson.get(1).get("RepoTags")));
        assertEquals(List.of("localhost:5000/app:1"), texts(manifestJson.get(2).get("RepoTags")));
        assertEquals(List.of("user/tool:2"), texts(manifestJson.get(3).get("RepoTags")));
    }

    @Test
    void manifestJsonPointsAtTheBlobsInLayerOrder() throws IOException {
        writeDocker(List.of(second.as("alpine:3.20")));

        JsonNode entry = readJson("manifest.json").get(0);
        assertEquals(blobPath(second.config()), entry.get("Config").asText());
        List<String> layers = texts(entry.get("Layers"));
        assertEquals(second.layers().stream().map(LayoutWritersTest::blobPath).toList(), layers);
        // docker load pairs Layers with the config's diff_ids one to one
        assertEquals(second.diffIds().size(), layers.size());
        for (String path : layers) {
            assertTrue(Files.isRegularFile(out.resolve(path)), path);
        }
        assertTrue(Files.isRegularFile(out.resolve(entry.get("Config").asText())));
    }

    @Test
    void twoTagsOfOneManifestShareOneManifestJsonEntry() throws IOException {
        writeDocker(List.of(first.as("alpine:3.20"), second.as("other:1"), first.as("alpine:latest")));

        JsonNode manifestJson = readJson("manifest.json");
        assertEquals(2, manifestJson.size());
        assertEquals(List.of("alpine:3.20", "alpine:latest"), texts(manifestJson.get(0).get("RepoTags")));
        assertEquals(List.of("other:1"), texts(manifestJson.get(1).get("RepoTags")));
        // while index.json has one entry per name, as containerd imports one image per entry
        assertEquals(3, readJson("index.json").get("manifests").size());
    }

    @Test
    void layerListedTwiceIsListedTwiceButStoredOnce() throws IOException {
        // e.g. two identical empty-directory layers: legal, and docker load expects both entries
        StoreFixture.Image repeated = fixture.image(AMD64, "repeated", base, app, base);
        writeDocker(List.of(repeated.as("repeat:1")));

        List<String> layers = texts(readJson("manifest.json").get(0).get("Layers"));
        assertEquals(List.of(blobPath(base.blob()), blobPath(app.blob()), blobPath(base.blob())), layers);
        // manifest, config, two distinct layers
        assertEquals(4, blobFiles().size());
        OciSchemaValidator.assertValid(OciSchemaValidator.IMAGE_MANIFEST,
                Files.readAllBytes(out.resolve(blobPath(repeated.manifest()))));
    }

    @Test
    void repositoriesMapsFamiliarNameAndTagToTheTopDiffId() throws IOException {
        writeDocker(List.of(first.as("alpine:3.20"), second.as("alpine:edge"), first.as("ghcr.io/org/app:1.2")));

        JsonNode repositories = readJson("repositories");
        JsonNode expected = MAPPER.valueToTree(Map.of(
                "alpine", Map.of(
                        "3.20", first.diffIds().get(first.diffIds().size() - 1).hex(),
                        "edge", second.diffIds().get(second.diffIds().size() - 1).hex()),
                "ghcr.io/org/app", Map.of("1.2", first.diffIds().get(first.diffIds().size() - 1).hex())));
        assertEquals(expected, repositories);
        // the top layer, not the base: the two images share the base layer but not their tops
        assertEquals(app.diffId().hex(), repositories.get("alpine").get("3.20").asText());
    }

    @Test
    void dockerLayoutIsAlsoAValidOciLayout() throws IOException {
        writeDocker(List.of(first.as("alpine:3.20")));
        OciSchemaValidator.assertValid(OciSchemaValidator.IMAGE_LAYOUT, Files.readAllBytes(out.resolve("oci-layout")));
        OciSchemaValidator.assertValid(OciSchemaValidator.IMAGE_INDEX, Files.readAllBytes(out.resolve("index.json")));
        assertEquals("docker.io/library/alpine:3.20",
                readJson("index.json").get("manifests").get(0).get("annotations").get(ImageNames.CONTAINERD_NAME).asText());
    }
}
