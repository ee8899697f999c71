package io.github.frozenimages.images.core.output;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.frozenimages.images.core.model.Descriptor;
import io.github.frozenimages.images.core.model.MediaTypes;
import io.github.frozenimages.images.core.ref.Digest;
import io.github.frozenimages.images.core.ref.ImageReference;
import io.github.frozenimages.images.core.ref.Platform;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The seed script's tree, piece by piece: the fake v1 id chain, the json documents, manifest.json and repositories. */
class LegacyLayoutWriterTest {

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final Digest ZEROS = Digest.parse("sha256:" + "0".repeat(64));
    /** {@code echo ""$'\n'"sha256:000…0" | sha256sum}, computed once by hand with bash. */
    private static final String FIRST_ID_OF_ZEROS = "d14f699f75374e200ef0725cc8ba4a8ff3f5c72d06eac5b7b967dd8b4756efce";

    @TempDir
    Path temp;

    private StoreFixture fixture;
    private StoreFixture.Layer base;
    private StoreFixture.Layer app;

    @BeforeEach
    void setUp() throws IOException {
        fixture = new StoreFixture(temp.resolve("cache"));
        base = fixture.layer("base layer content");
        app = fixture.layer("app layer content");
    }

    @Test
    void theBaseLayerIdHashesAnEmptyParentTheDigestAndEchosNewline() {
        assertEquals(FIRST_ID_OF_ZEROS, LegacyLayerIds.next("", ZEROS));
    }

    @Test
    void idsChainAsTheSeedsEchoPipedIntoSha256sum() throws Exception {
        List<Descriptor> layers = List.of(base.blob(), app.blob(), base.blob()); // a layer listed twice
        List<String> expected = new ArrayList<>();
        String parent = "";
        for (Descriptor layer : layers) {
            parent = seedId(parent, layer.digest().toString());
            expected.add(parent);
        }
        assertEquals(expected, LegacyLayerIds.of(layers));
        assertEquals(3, expected.stream().distinct().count(), "the repeated layer has its own id: its parent differs");
    }

    @Test
    void eachLayerHasVersionJsonAndTheBlobAsLayerTar() throws IOException {
        OutputImage image = imageWithConfig("docker.io/library/app:1", richConfig(), base, app);
        List<String> ids = LegacyLayerIds.of(image.layers());
        Path out = temp.resolve("out");
        LayoutPlan plan = new LegacyLayoutWriter(fixture.store).plan(List.of(image));
        plan.writeTo(out);

        for (String id : ids) {
            assertArrayEquals("1.0\n".getBytes(StandardCharsets.UTF_8), Files.readAllBytes(out.resolve(id + "/VERSION")));
        }
        assertArrayEquals(Files.readAllBytes(fixture.store.path(base.blob().digest())), Files.readAllBytes(out.resolve(ids.get(0) + "/layer.tar")));
        assertArrayEquals(Files.readAllBytes(fixture.store.path(image.config().digest())),
                Files.readAllBytes(out.resolve(image.config().digest().hex() + ".json")), "the config exactly as served");
        assertTrue(plan.isSatisfiedBy(out), "layer.tar and the config are links to the store");
    }

    @Test
    void lowerLayersGetTheSeedsStarterDocumentWithIdAndParent() throws IOException {
        OutputImage image = imageWithConfig("docker.io/library/app:1", richConfig(), base, app, fixture.layer("top"));
        List<String> ids = LegacyLayerIds.of(image.layers());
        LayoutPlan plan = new LegacyLayoutWriter(fixture.store).plan(List.of(image));

        JsonNode baseJson = document(plan, ids.get(0) + "/json");
        assertEquals(List.of("id", "created", "container_config"), fieldNames(baseJson), "no parent for the base layer");
        assertEquals(ids.get(0), baseJson.get("id").asText());
        assertEquals("0001-01-01T00:00:00Z", baseJson.get("created").asText());
        JsonNode middle = document(plan, ids.get(1) + "/json");
        assertEquals(ids.get(0), middle.get("parent").asText());
        // the starter as the seed's heredoc has it, after jq's '{ id, parent } + .'
        String starter = "{\"id\":\"" + ids.get(1) + "\",\"parent\":\"" + ids.get(0) + "\",\"created\":\"0001-01-01T00:00:00Z\","
                + "\"container_config\":{\"Hostname\":\"\",\"Domainname\":\"\",\"User\":\"\",\"AttachStdin\":false,"
                + "\"AttachStdout\":false,\"AttachStderr\":false,\"Tty\":false,\"OpenStdin\":false,\"StdinOnce\":false,"
                + "\"Env\":null,\"Cmd\":null,\"Image\":\"\",\"Volumes\":null,\"WorkingDir\":\"\",\"Entrypoint\":null,"
                + "\"OnBuild\":null,\"Labels\":null}}";
        assertEquals(MAPPER.readTree(starter), middle);
    }

    @Test
    void theTopLayerJsonIsTheConfigWithoutHistoryAndRootfsPlusIdAndParent() throws IOException {
        ObjectNode config = richConfig();
        OutputImage image = imageWithConfig("docker.io/library/app:1", config, base, app);
        List<String> ids = LegacyLayerIds.of(image.layers());

        JsonNode top = document(new LegacyLayoutWriter(fixture.store).plan(List.of(image)), ids.get(1) + "/json");

        ObjectNode expected = config.deepCopy();
        expected.remove("history");
        expected.remove("rootfs");
        expected.put("id", ids.get(1));
        expected.put("parent", ids.get(0));
        assertEquals(expected, top);
        assertEquals(List.of("id", "parent"), fieldNames(top).subList(0, 2), "id and parent first, as jq adds them");
    }

    @Test
    void aSingleLayerImagesTopJsonHasNoParent() throws IOException {
        OutputImage image = imageWithConfig("docker.io/library/app:1", richConfig(), base);
        String id = LegacyLayerIds.of(image.layers()).get(0);

        JsonNode top = document(new LegacyLayoutWriter(fixture.store).plan(List.of(image)), id + "/json");

        assertFalse(top.has("parent"));
        assertEquals("amd64", top.get("architecture").asText());
    }

    /** The seed rewrites a top layer's json for every image but writes the starter only where none is: the top wins either way. */
    @Test
    void aFolderThatIsTopOfOneImageAndLowerInAnotherKeepsTheTopDocument() throws IOException {
        OutputImage small = imageWithConfig("docker.io/library/small:1", richConfig(), base);
        OutputImage large = imageWithConfig("docker.io/library/large:1", richConfig().put("os", "linux-large"), base, app);
        String shared = LegacyLayerIds.of(small.layers()).get(0);

        for (List<OutputImage> order : List.of(List.of(small, large), List.of(large, small))) {
            JsonNode json = document(new LegacyLayoutWriter(fixture.store).plan(order), shared + "/json");
            assertEquals("amd64", json.get("architecture").asText(), "the config document, for order " + order);
            assertEquals("linux", json.get("os").asText());
        }
    }

    @Test
    void repositoriesMergesTagsPerNameAndMapsEachToItsTopLayer() throws IOException {
        OutputImage one = imageWithConfig("docker.io/library/app:1", richConfig(), base);
        OutputImage two = imageWithConfig("docker.io/library/app:2", richConfig().put("os", "two"), base, app);
        OutputImage other = imageWithConfig("ghcr.io/org/tool:3", richConfig().put("os", "three"), app);
        OutputImage oneAgain = imageWithConfig("docker.io/library/app:1", richConfig(), base);
        LayoutPlan plan = new LegacyLayoutWriter(fixture.store).plan(List.of(one, two, other, oneAgain));

        JsonNode repositories = document(plan, "repositories");
        assertEquals(List.of("app", "ghcr.io/org/tool"), fieldNames(repositories));
        assertEquals(List.of("1", "2"), fieldNames(repositories.get("app")));
        assertEquals(LegacyLayerIds.of(one.layers()).get(0), repositories.get("app").get("1").asText());
        assertEquals(LegacyLayerIds.of(two.layers()).get(1), repositories.get("app").get("2").asText());
        assertEquals(LegacyLayerIds.of(other.layers()).get(0), repositories.get("ghcr.io/org/tool").get("3").asText());

        JsonNode manifest = MAPPER.readTree(plan.documents().get("manifest.json"));
        assertEquals(3, manifest.size(), "one entry per image asked for; the repeated app:1 once");
        assertEquals(MAPPER.readTree("{\"Config\":\"" + two.config().digest().hex() + ".json\",\"RepoTags\":[\"app:2\"],\"Layers\":[\""
                + LegacyLayerIds.of(two.layers()).get(0) + "/layer.tar\",\"" + LegacyLayerIds.of(two.layers()).get(1) + "/layer.tar\"]}"),
                manifest.get(1));
        assertEquals("ghcr.io/org/tool:3", manifest.get(2).get("RepoTags").get(0).asText());
    }

    /** The seed strips {@code library/} from any name; the plugin only where Docker itself shortens the name. */
    @Test
    void namesAreDockersFamiliarNames() throws IOException {
        OutputImage nested = imageWithConfig("docker.io/library/group/app:1", richConfig(), base);
        OutputImage local = imageWithConfig("localhost:5000/app:1", richConfig().put("os", "local"), app);
        LayoutPlan plan = new LegacyLayoutWriter(fixture.store).plan(List.of(nested, local));

        JsonNode manifest = MAPPER.readTree(plan.documents().get("manifest.json"));
        assertEquals("library/group/app:1", manifest.get(0).get("RepoTags").get(0).asText());
        assertEquals("localhost:5000/app:1", manifest.get(1).get("RepoTags").get(0).asText());
    }

    @Test
    void anImagePulledByDigestAloneHasNoNameButIsWritten() throws IOException {
        Digest pinned = Digest.sha256("some manifest".getBytes(StandardCharsets.UTF_8));
        OutputImage image = imageWithConfig("docker.io/library/app@" + pinned, richConfig(), base);
        LayoutPlan plan = new LegacyLayoutWriter(fixture.store).plan(List.of(image));

        JsonNode entry = MAPPER.readTree(plan.documents().get("manifest.json")).get(0);
        assertTrue(entry.get("RepoTags").isNull(), entry.toString());
        assertEquals(1, entry.get("Layers").size());
        assertEquals(0, document(plan, "repositories").size());
    }

    @Test
    void oneNameAndTagForTwoImagesIsRefused() throws IOException {
        OutputImage amd64 = imageWithConfig("docker.io/library/app:1", richConfig(), base);
        OutputImage arm64 = imageWithConfig("docker.io/library/app:1", richConfig().put("architecture", "arm64"), base);

        IOException e = assertThrows(IOException.class, () -> new LegacyLayoutWriter(fixture.store).plan(List.of(amd64, arm64)));
        assertTrue(e.getMessage().contains("app:1 was pulled as two images"), e.getMessage());
        assertTrue(e.getMessage().contains("use format docker or oci"), e.getMessage());
    }

    @Test
    void anImageWithoutLayersIsRefused() throws IOException {
        OutputImage empty = imageWithConfig("docker.io/library/app:1", richConfig());

        IOException e = assertThrows(IOException.class, () -> new LegacyLayoutWriter(fixture.store).plan(List.of(empty)));
        assertTrue(e.getMessage().contains("has no layers"), e.getMessage());
    }

    /** What the seed runs: {@code echo "$parentId"$'\n'"$layerDigest" | sha256sum | cut -d' ' -f1}. */
    private String seedId(String parentId, String layerDigest) throws Exception {
        Process process = new ProcessBuilder("bash", "-c",
                "echo \"$1\"$'\\n'\"$2\" | sha256sum | cut -d' ' -f1", "seed-id", parentId, layerDigest)
                .redirectErrorStream(true).start();
        assertTrue(process.waitFor(30, TimeUnit.SECONDS), "bash did not finish");
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        assertEquals(0, process.exitValue(), out);
        return out;
    }

    /** A config as builders write it, with the history and rootfs the top-layer document drops. */
    private static ObjectNode richConfig() throws IOException {
        return (ObjectNode) MAPPER.readTree("{\"architecture\":\"amd64\",\"os\":\"linux\",\"created\":\"2024-01-01T00:00:00Z\","
                + "\"config\":{\"Env\":[\"PATH=/usr/bin\"],\"Cmd\":[\"/bin/sh\"],\"Labels\":{\"a\":\"b\"}},"
                + "\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[]},"
                + "\"history\":[{\"created\":\"2024-01-01T00:00:00Z\",\"created_by\":\"COPY x /\"}]}");
    }

    private OutputImage imageWithConfig(String reference, ObjectNode config, StoreFixture.Layer... layers) throws IOException {
        List<Descriptor> blobs = new ArrayList<>();
        List<Digest> diffIds = new ArrayList<>();
        for (StoreFixture.Layer layer : layers) {
            blobs.add(layer.blob());
            diffIds.add(layer.diffId());
        }
        byte[] bytes = MAPPER.writeValueAsBytes(config);
        Descriptor configDescriptor = new Descriptor(MediaTypes.OCI_CONFIG, Digest.sha256(bytes), bytes.length);
        fixture.store.put(configDescriptor, bytes);
        // the writer reads no manifest: a descriptor naming one is enough
        byte[] manifest = (reference + config).getBytes(StandardCharsets.UTF_8);
        Descriptor manifestDescriptor = new Descriptor(MediaTypes.OCI_MANIFEST, Digest.sha256(manifest), manifest.length)
                .withPlatform(Platform.of("linux", config.get("architecture").asText(), null));
        return new OutputImage(ImageReference.parse(reference), manifestDescriptor, configDescriptor, blobs, diffIds);
    }

    private static JsonNode document(LayoutPlan plan, String path) throws IOException {
        byte[] bytes = plan.documents().get(path);
        assertTrue(bytes != null, "no " + path + " in " + plan.documents().keySet());
        return MAPPER.readTree(bytes);
    }

    private static List<String> fieldNames(JsonNode object) {
        List<String> names = new ArrayList<>();
        object.fieldNames().forEachRemaining(names::add);
        return names;
    }
}
