package io.github.frozenimages.images.core;

import io.github.frozenimages.images.core.shared.PullListener;
import io.github.frozenimages.images.core.ref.ImageRequest;
import io.github.frozenimages.images.core.output.PulledImage;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.frozenimages.images.core.auth.CredentialProvider;
import io.github.frozenimages.images.core.output.TarArchiveWriter;
import io.github.frozenimages.images.core.ref.ImageReference;
import io.github.frozenimages.images.core.ref.Platform;
import io.github.frozenimages.images.testing.Consumers;
import io.github.frozenimages.images.testing.RegistryServer;
import io.github.frozenimages.images.testing.Schema1Images;
import io.github.frozenimages.images.testing.StandardFixtures;
import io.github.frozenimages.images.testing.TestImage;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@code format=legacy} against the seed itself: Moby's {@code download-frozen-image-v2.sh} and the plugin
 * pull the same images from the same registry, and the two trees must have the same paths, the same JSON
 * documents (parsed), the same {@code VERSION} bytes and the same bytes in every {@code layer.tar}.
 *
 * <p>The seed only talks to Docker Hub, so the plugin pulls the same names as Docker Hub names through a
 * mirror for {@code docker.io} pointing at the test registry: both then name the images alike.
 *
 * <p>The seed is not part of the project: {@link SeedScript} says where it is looked for, and when these
 * tests are skipped rather than failed.
 */
@ExtendWith(SeedScript.Needed.class)
class SeedComparisonTest extends RegistryTestSupport {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    /** Lets the seed read OCI manifests and layers: only to compare the rest of its algorithm on an OCI image. */
    private static final String[] SEED_OCI_PATCH = {
            "s|application/vnd.docker.distribution.manifest.v2+json)|application/vnd.docker.distribution.manifest.v2+json \\| application/vnd.oci.image.manifest.v1+json)|",
            "s|application/vnd.docker.image.rootfs.diff.tar.gzip)|application/vnd.docker.image.rootfs.diff.tar.gzip \\| application/vnd.oci.image.layer.v1.tar+gzip)|",
            "s|-H 'Accept: application/vnd.docker.distribution.manifest.v1+json'|& -H 'Accept: application/vnd.oci.image.manifest.v1+json'|",
    };

    @TempDir
    static Path scripts;

    @TempDir
    Path work;

    private static StubTokenService tokens;
    private static SeedScript seed;
    private static SeedScript seedReadingOci;

    @BeforeAll
    static void prepareSeed() throws Exception {
        tokens = new StubTokenService(300);
        String registryBase = "http://127.0.0.1:" + registry.port();
        String authBase = tokens.realm().substring(0, tokens.realm().length() - "/token".length());
        seed = SeedScript.pointedAt(scripts.resolve("seed"), registryBase, authBase);
        seedReadingOci = SeedScript.pointedAt(scripts.resolve("seed-oci"), registryBase, authBase, SEED_OCI_PATCH);
    }

    @AfterAll
    static void stopTokens() {
        if (tokens != null) {
            tokens.close();
        }
    }

    @Test
    void dockerImageIsTheSeedsTree() throws Exception {
        Path seedTree = seedPull(seed, "amd64", "", "test/docker-image:1.0");
        Path pluginTree = pluginPull("linux/amd64", "test/docker-image:1.0");

        assertSameTree(seedTree, pluginTree);
        TestImage image = fixtures.dockerImage();
        assertTrue(Files.isRegularFile(pluginTree.resolve(hex(image.configDigest()) + ".json")));
        assertEquals(image.layers().size(), MAPPER.readTree(pluginTree.resolve("manifest.json").toFile()).get(0).get("Layers").size());
        // the seed really went through the token server it was pointed at
        assertTrue(tokens.requests().stream().anyMatch(r -> r.query().contains("scope=repository:test/docker-image:pull")),
                tokens.requests().toString());
    }

    @ParameterizedTest(name = "TARGETARCH={0} TARGETVARIANT={1}")
    @CsvSource({"arm64, v8, linux/arm64/v8", "arm, v7, linux/arm/v7"})
    void platformOfAManifestListIsTheOneTheSeedChooses(String arch, String variant, String platform) throws Exception {
        Path seedTree = seedPull(seed, arch, variant, "test/multi-docker:1.0");
        Path pluginTree = pluginPull(platform, "test/multi-docker:1.0");

        assertSameTree(seedTree, pluginTree);
        String config = hex(fixtures.multiDocker().image(platform).configDigest()) + ".json";
        assertTrue(Files.isRegularFile(pluginTree.resolve(config)), "expected the " + platform + " image, " + config);
    }

    @Test
    void severalImagesAndTagsInOneRunAreMergedAsTheSeedMergesThem() throws Exception {
        String[] images = {"test/shared-base:1.0", "test/docker-image:1.0", "test/shared-base:2.0", "test/dup-layer:1.0"};
        Path seedTree = seedPull(seed, "amd64", "", images);
        Path pluginTree = pluginPull("linux/amd64", images);

        assertSameTree(seedTree, pluginTree);
        JsonNode repositories = MAPPER.readTree(pluginTree.resolve("repositories").toFile());
        assertEquals(List.of("test/shared-base", "test/docker-image", "test/dup-layer"), fieldNames(repositories));
        assertEquals(List.of("1.0", "2.0"), fieldNames(repositories.get("test/shared-base")));
        assertEquals(4, MAPPER.readTree(pluginTree.resolve("manifest.json").toFile()).size());
        // both shared-base tags start from the same layer: one folder, the seed's "skipping existing"
        String sharedBase = folderOfLayer(pluginTree, "test/shared-base", "1.0", 0);
        assertEquals(sharedBase, folderOfLayer(pluginTree, "test/shared-base", "2.0", 0));
    }

    /**
     * A layer listed twice (A, B, A): the ids are chained through the parent, so the seed's "same layer
     * twice" precaution never applies; it writes three folders and downloads A twice. The plugin writes the
     * same three folders, and its two copies of A are one cache file, linked twice.
     */
    @Test
    void aLayerListedTwiceGetsTwoFoldersHoldingTheSameBlob() throws Exception {
        Path seedTree = seedPull(seed, "amd64", "", "test/dup-layer:1.0");
        Path pluginTree = pluginPull("linux/amd64", "test/dup-layer:1.0");

        assertSameTree(seedTree, pluginTree);
        List<String> layers = layerPaths(pluginTree, 0);
        assertEquals(3, new TreeSet<>(layers).size(), "three distinct folders: " + layers);
        assertArrayEquals(Files.readAllBytes(seedTree.resolve(layers.get(0))), Files.readAllBytes(seedTree.resolve(layers.get(2))));
        assertArrayEquals(fixtures.dupLayer().layers().get(0).blob(), Files.readAllBytes(pluginTree.resolve(layers.get(2))));
        assertEquals(fileKey(pluginTree.resolve(layers.get(0))), fileKey(pluginTree.resolve(layers.get(2))),
                "the plugin links both to one cache file");
    }

    /**
     * The same name and tag asked for twice: the seed writes two identical manifest.json entries and a
     * {@code repositories} object with the tag twice as a key, which strict JSON readers refuse; the plugin
     * writes each once.
     */
    @Test
    void theSameImageAskedTwiceIsWrittenOnce() throws Exception {
        Path seedTree = seedPull(seed, "amd64", "", "test/docker-image:1.0", "test/docker-image:1.0");
        Path pluginTree = pluginPull("linux/amd64", "test/docker-image:1.0", "test/docker-image:1.0");

        JsonNode seedManifest = MAPPER.readTree(seedTree.resolve("manifest.json").toFile());
        assertEquals(2, seedManifest.size());
        assertEquals(seedManifest.get(0), seedManifest.get(1));
        String seedRepositories = Files.readString(seedTree.resolve("repositories"));
        assertTrue(seedRepositories.contains("{ \"1.0\": \"\", \"1.0\": \"\" }"), seedRepositories);

        JsonNode pluginManifest = MAPPER.readTree(pluginTree.resolve("manifest.json").toFile());
        assertEquals(1, pluginManifest.size());
        assertEquals(seedManifest.get(0), pluginManifest.get(0));
        String top = lastOf(layerPaths(pluginTree, 0)).replace("/layer.tar", "");
        assertEquals("{\"test/docker-image\":{\"1.0\":\"" + top + "\"}}", Files.readString(pluginTree.resolve("repositories")));
        assertEquals(files(seedTree), files(pluginTree));
    }

    /**
     * The seed asks only for Docker media types, so the registry does not offer it the OCI manifest and the
     * seed fails; the plugin writes the same tree for an OCI image as for a Docker one. Compared with the
     * seed taught by sed to accept the OCI manifest and layer types, and otherwise unchanged.
     */
    @Test
    void anOciImageIsRefusedByTheSeedAndWrittenAsTheSeedWouldWriteIt() throws Exception {
        SeedScript.Run refused = seed.pull(work.resolve("seed-refused"), "amd64", "", "test/oci-image:1.0");
        assertNotEquals(0, refused.exitCode(), refused.describe());
        assertTrue(refused.stderr().contains("404"), refused.describe());

        Path seedTree = seedPull(seedReadingOci, "amd64", "", "test/oci-image:1.0");
        Path pluginTree = pluginPull("linux/amd64", "test/oci-image:1.0");

        assertSameTree(seedTree, pluginTree);
        JsonNode top = MAPPER.readTree(pluginTree.resolve(lastOf(layerPaths(pluginTree, 0)).replace("layer.tar", "json")).toFile());
        assertEquals("oci-image", top.get("config").get("Labels").get("org.opencontainers.image.title").asText());
    }

    /**
     * podman reads the legacy tree as a docker-archive: manifest.json, configs, compressed layer.tar files.
     * It names a RepoTag without a registry host as a local image ({@code localhost/test/...}), as it does
     * for any short name; docker load reads the same name as {@code docker.io/test/...}.
     */
    @Test
    void podmanLoadsTheLegacyTreeTarred() throws Exception {
        Path pluginTree = pluginPull("linux/amd64", "test/shared-base:1.0", "test/shared-base:2.0", "test/dup-layer:1.0",
                "test/docker-image:1.0");
        Path archive = work.resolve("legacy.tar");
        TarArchiveWriter.write(pluginTree, archive);

        Consumers.PodmanLoad loaded = Consumers.podmanLoadImages(archive);
        for (TestImage image : List.of(fixtures.sharedBase1(), fixtures.sharedBase2(), fixtures.dupLayer(), fixtures.dockerImage())) {
            assertTrue(loaded.imageIds().contains(hex(image.configDigest())), "podman loaded " + loaded.imageIds());
        }
        String names = String.join(" ", loaded.names());
        for (String name : List.of("test/shared-base:1.0", "test/shared-base:2.0", "test/dup-layer:1.0", "test/docker-image:1.0")) {
            assertTrue(loaded.names().contains("localhost/" + name), names);
        }
    }

    /**
     * Schema 1: the seed writes a folder per history entry from the entry's own id and JSON, every blob
     * (the empty ones too), {@code repositories} with the top id, warns, and leaves out {@code manifest.json}
     * because it cannot rebuild an image config. The plugin writes every one of those files alike, and adds the
     * converted config and a {@code manifest.json} naming it, without which no engine of today loads the tree.
     */
    @Test
    void aSchema1ImageIsTheSeedsTreePlusTheManifestTheSeedCouldNotWrite() throws Exception {
        try (RegistryServer schema1Registry = RegistryServer.start(Schema1Images.registryConfig())) {
            Schema1Images.push(schema1Registry, "test/schema1-image", "1.0", work.resolve("build"));
            String authBase = tokens.realm().substring(0, tokens.realm().length() - "/token".length());
            SeedScript schema1Seed = SeedScript.pointedAt(work.resolve("seed-schema1"), schema1Registry.baseUrl(), authBase);
            SeedScript.Run run = schema1Seed.pull(work.resolve("seed-tree"), "amd64", "", "test/schema1-image:1.0");
            assertEquals(0, run.exitCode(), run.describe());
            assertTrue(run.stderr().contains("uses schemaVersion '1'"), run.describe());
            Path seedTree = work.resolve("seed-tree");
            Path pluginTree = pluginPullFrom(schema1Registry.baseUrl(), "linux/amd64", "test/schema1-image:1.0");

            Set<String> seedFiles = files(seedTree);
            Set<String> extra = new TreeSet<>(files(pluginTree));
            assertTrue(extra.containsAll(seedFiles), "every file the seed writes: " + seedFiles + " in " + extra);
            extra.removeAll(seedFiles);
            JsonNode manifest = MAPPER.readTree(pluginTree.resolve("manifest.json").toFile());
            assertEquals(Set.of("manifest.json", manifest.get(0).get("Config").asText()), extra);
            assertEquals(4, seedFiles.stream().filter(f -> f.endsWith("/json")).count() + 1, "three entries and repositories: " + seedFiles);
            for (String file : seedFiles) {
                if (file.equals("repositories")) {
                    continue; // the same document (below); the seed lays it out by hand with tabs and spaces
                }
                // the json files are the entries' own text plus echo's newline: compared byte for byte
                assertArrayEquals(Files.readAllBytes(seedTree.resolve(file)), Files.readAllBytes(pluginTree.resolve(file)), file);
            }
            assertEquals(MAPPER.readTree(seedTree.resolve("repositories").toFile()),
                    MAPPER.readTree(pluginTree.resolve("repositories").toFile()));
            assertEquals(2, manifest.get(0).get("Layers").size(), "the two file layers; the throwaway entry's blob is no layer");
        }
    }

    private Path seedPull(SeedScript script, String arch, String variant, String... images) throws Exception {
        Path tree = work.resolve("seed-" + arch + variant);
        SeedScript.Run run = script.pull(tree, arch, variant, images);
        assertEquals(0, run.exitCode(), run.describe());
        return tree;
    }

    /** The same names as Docker Hub names, served by the test registry as a docker.io mirror. */
    private Path pluginPull(String platform, String... images) {
        return pluginPullFrom(registry.baseUrl(), platform, images);
    }

    private Path pluginPullFrom(String registryBase, String platform, String... images) {
        List<ImageRequest> requests = Arrays.stream(images)
                .map(name -> new ImageRequest(ImageReference.parse(name), Platform.parse(platform)))
                .toList();
        Path tree = work.resolve("plugin");
        // the format by the name a POM gives it
        PullRequest request = new PullRequest(requests, tree, OutputFormat.parse("legacy"), Optional.empty(), 4, work.resolve("cache"),
                Set.of(), CredentialProvider.ANONYMOUS, PullListener.SILENT)
                .withNetwork(FAST_RETRIES.withMirrors(Map.of("docker.io", List.of(URI.create(registryBase)))));
        List<PulledImage> pulled = new ImagePuller().pull(request);
        assertEquals(images.length, pulled.size());
        pulled.forEach(p -> assertEquals(registryBase, p.mirror().replaceAll("/$", ""), "served by the mirror: " + p.summary()));
        return tree;
    }

    /** Same paths; same parsed JSON documents; the same bytes in VERSION, layer.tar and the config files. */
    private static void assertSameTree(Path seedTree, Path pluginTree) throws IOException {
        Set<String> seedFiles = files(seedTree);
        seedFiles.removeIf(f -> f.matches("tags-.*\\.tmp")); // the seed's scratch files, if it ever left one
        assertEquals(seedFiles, files(pluginTree));
        for (String file : seedFiles) {
            Path seedFile = seedTree.resolve(file);
            Path pluginFile = pluginTree.resolve(file);
            String name = seedFile.getFileName().toString();
            if (name.equals("repositories")) {
                assertRepositoriesAsTheSeedMeantThem(seedFile, pluginTree);
            } else if (name.equals("json") || name.equals("manifest.json")) {
                assertEquals(MAPPER.readTree(seedFile.toFile()), MAPPER.readTree(pluginFile.toFile()), file);
            } else if (name.equals("VERSION") || name.equals("layer.tar") || name.matches("[0-9a-f]{64}\\.json")) {
                // the config file is the config blob as served, so its bytes (not only its JSON) must match
                assertArrayEquals(Files.readAllBytes(seedFile), Files.readAllBytes(pluginFile), file);
            } else {
                throw new AssertionError("a file the seed does not write: " + file);
            }
        }
    }

    /**
     * The seed means to map each tag to its image's top layer id, but the id it computes lands in a
     * function-local {@code imageId} ({@code local imageId=...} in handle_single_manifest_v2), so the
     * global it writes is empty: every tag maps to {@code ""}. The plugin writes the top id it meant.
     */
    private static void assertRepositoriesAsTheSeedMeantThem(Path seedFile, Path pluginTree) throws IOException {
        JsonNode seedRepositories = MAPPER.readTree(seedFile.toFile());
        JsonNode pluginRepositories = MAPPER.readTree(pluginTree.resolve("repositories").toFile());
        assertEquals(fieldNames(seedRepositories), fieldNames(pluginRepositories), "repositories: names");
        for (String name : fieldNames(seedRepositories)) {
            assertEquals(fieldNames(seedRepositories.get(name)), fieldNames(pluginRepositories.get(name)), "repositories: tags of " + name);
            for (String tag : fieldNames(seedRepositories.get(name))) {
                assertEquals("", seedRepositories.get(name).get(tag).asText(), "the seed's own (empty) id for " + name + ":" + tag);
                String top = topFolder(pluginTree, name, tag);
                assertEquals(top, pluginRepositories.get(name).get(tag).asText(), "repositories: " + name + ":" + tag);
                assertTrue(Files.isRegularFile(seedFile.resolveSibling(top).resolve("layer.tar")), "the seed wrote " + top + " too");
            }
        }
    }

    private static Set<String> files(Path tree) throws IOException {
        try (Stream<Path> walk = Files.walk(tree)) {
            return walk.filter(Files::isRegularFile).map(p -> tree.relativize(p).toString())
                    .collect(java.util.stream.Collectors.toCollection(TreeSet::new));
        }
    }

    private static List<String> layerPaths(Path tree, int entry) throws IOException {
        List<String> paths = new ArrayList<>();
        MAPPER.readTree(tree.resolve("manifest.json").toFile()).get(entry).get("Layers").forEach(l -> paths.add(l.asText()));
        return paths;
    }

    private static String folderOfLayer(Path tree, String name, String tag, int layer) throws IOException {
        JsonNode layers = manifestEntry(tree, name, tag).get("Layers");
        return layers.get(layer < 0 ? layers.size() + layer : layer).asText().replace("/layer.tar", "");
    }

    private static String topFolder(Path tree, String name, String tag) throws IOException {
        return folderOfLayer(tree, name, tag, -1);
    }

    private static JsonNode manifestEntry(Path tree, String name, String tag) throws IOException {
        JsonNode manifest = MAPPER.readTree(tree.resolve("manifest.json").toFile());
        for (JsonNode entry : manifest) {
            if (entry.get("RepoTags").get(0).asText().equals(name + ":" + tag)) {
                return entry;
            }
        }
        throw new AssertionError("no " + name + ":" + tag + " in " + manifest);
    }

    private static List<String> fieldNames(JsonNode object) {
        List<String> names = new ArrayList<>();
        object.fieldNames().forEachRemaining(names::add);
        return names;
    }

    private static Object fileKey(Path file) throws IOException {
        return Files.readAttributes(file, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS).fileKey();
    }

    private static String lastOf(List<String> list) {
        return list.get(list.size() - 1);
    }

    private static String hex(String digest) {
        return digest.substring("sha256:".length());
    }
}
