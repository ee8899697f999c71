package io.github.frozenimages.images.core;

import io.github.frozenimages.images.core.shared.PullListener;
import io.github.frozenimages.images.core.ref.ImageRequest;
import io.github.frozenimages.images.core.output.PulledImage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.frozenimages.images.core.auth.CredentialProvider;
import io.github.frozenimages.images.core.output.OciSchemaValidator;
import io.github.frozenimages.images.core.output.TarArchiveWriter;
import io.github.frozenimages.images.core.ref.ImageReference;
import io.github.frozenimages.images.core.ref.Platform;
import io.github.frozenimages.images.testing.Consumers;
import io.github.frozenimages.images.testing.RecordingListener;
import io.github.frozenimages.images.testing.RegistryServer;
import io.github.frozenimages.images.testing.Schema1Images;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Docker schema 1, end to end: a Distribution registry that accepts schema 1 pushes holds an image pushed by
 * {@code skopeo copy --format v2s1} (a signed manifest, named by the digest of its JWS payload), and the
 * plugin pulls it in every format; podman, skopeo and umoci load what it wrote.
 */
class Schema1PullTest {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    @TempDir
    static Path shared;

    @TempDir
    Path work;

    private static RegistryServer registry;
    private static String digest;

    @BeforeAll
    static void pushSchema1Image() throws IOException {
        registry = RegistryServer.start(Schema1Images.registryConfig());
        digest = Schema1Images.push(registry, "legacy/app", "1", shared);
    }

    @AfterAll
    static void stopRegistry() {
        if (registry != null) {
            registry.close();
        }
    }

    @Test
    void theRegistryServesTheSignedSchema1Manifest() {
        String raw = Consumers.skopeoInspectRaw("docker://" + registry.address() + "/legacy/app:1");
        assertTrue(raw.contains("\"schemaVersion\": 1") || raw.contains("\"schemaVersion\":1"), raw);
        assertTrue(raw.contains("\"signatures\""), "a signed manifest: " + raw);
        assertTrue(raw.contains("\"throwaway\\\":true"), "the config change is a throwaway entry: " + raw);
    }

    @Test
    void dockerFormatIsAConvertedImageThatPodmanLoads() throws Exception {
        List<PulledImage> pulled = pull(OutputFormat.DOCKER, work, "legacy/app:1");
        PulledImage image = pulled.get(0);
        assertEquals(digest, image.manifestDigest().toString(), "named by the payload's digest, as the registry names it");
        assertEquals(2, image.layers(), "two file layers; the throwaway entry is no layer");

        Path out = work.resolve("out");
        JsonNode manifestJson = MAPPER.readTree(out.resolve("manifest.json").toFile());
        assertEquals(1, manifestJson.size());
        String configPath = manifestJson.get(0).get("Config").asText();
        assertEquals("blobs/sha256/" + image.configDigest().hex(), configPath);
        JsonNode config = MAPPER.readTree(out.resolve(configPath).toFile());
        assertConvertedConfig(config);
        // each diff id is the digest of the layer uncompressed, as gzip -d and sha256 compute it
        List<String> layers = new ArrayList<>();
        manifestJson.get(0).get("Layers").forEach(l -> layers.add(l.asText()));
        assertEquals(2, layers.size());
        for (int i = 0; i < layers.size(); i++) {
            assertEquals(config.get("rootfs").get("diff_ids").get(i).asText(), gunzippedDigest(out.resolve(layers.get(i))));
        }

        Path archive = work.resolve("docker.tar");
        TarArchiveWriter.write(out, archive);
        Consumers.PodmanLoad loaded = Consumers.podmanLoadImages(archive);
        assertTrue(loaded.imageIds().contains(image.configDigest().hex()), "podman loaded " + loaded.imageIds());
        assertTrue(loaded.names().contains(registry.address() + "/legacy/app:1"), String.join(" ", loaded.names()));
        String inspected = Consumers.skopeoInspectConfig("docker-archive:" + archive);
        assertTrue(inspected.contains(Schema1Images.ENV), inspected);
    }

    @Test
    void ociFormatIsValidAndUnpacksToBothLayersFiles() throws Exception {
        pull(OutputFormat.OCI, work, "legacy/app:1");
        Path out = work.resolve("out");
        JsonNode index = MAPPER.readTree(out.resolve("index.json").toFile());
        String manifestDigest = index.get("manifests").get(0).get("digest").asText();
        byte[] manifest = Files.readAllBytes(out.resolve("blobs/sha256/" + manifestDigest.substring(7)));
        OciSchemaValidator.assertValid(OciSchemaValidator.IMAGE_MANIFEST, manifest);
        String configDigest = MAPPER.readTree(manifest).get("config").get("digest").asText();
        byte[] config = Files.readAllBytes(out.resolve("blobs/sha256/" + configDigest.substring(7)));
        OciSchemaValidator.assertValid(OciSchemaValidator.CONFIG, config);
        assertConvertedConfig(MAPPER.readTree(config));

        Path rootfs = Consumers.umociUnpack(out, "1", work.resolve("bundle"));
        assertEquals(Schema1Images.FIRST_CONTENT, Files.readString(rootfs.resolve(Schema1Images.FIRST_FILE)));
        assertEquals(Schema1Images.SECOND_CONTENT, Files.readString(rootfs.resolve(Schema1Images.SECOND_FILE)));
        assertTrue(Consumers.skopeoInspect("oci:" + out + ":1").contains("\"Architecture\": \"amd64\""));

        Path archive = work.resolve("oci.tar");
        TarArchiveWriter.write(out, archive);
        assertTrue(Consumers.podmanLoad(archive).contains(configDigest.substring(7)));
    }

    /**
     * The legacy tree is the seed's: a folder per history entry, named by its v1 id, holding the entry's JSON
     * text and its blob (the throwaway one too). Unlike the seed it also carries the converted config and a
     * manifest.json naming it, which is what lets podman (and Docker since API 1.52) load it at all.
     */
    @Test
    void legacyFormatIsTheSeedsTreeAndLoadsInPodman() throws Exception {
        PulledImage image = pull(OutputFormat.LEGACY, work, "legacy/app:1").get(0);
        Path out = work.resolve("out");
        JsonNode schema1 = MAPPER.readTree(Consumers.skopeoInspectRaw("docker://" + registry.address() + "/legacy/app:1"));
        JsonNode history = schema1.get("history");
        assertEquals(3, history.size());
        for (int i = 0; i < history.size(); i++) {
            String v1 = history.get(i).get("v1Compatibility").asText();
            String id = MAPPER.readTree(v1).get("id").asText();
            assertEquals("1.0\n", Files.readString(out.resolve(id + "/VERSION")));
            assertEquals(v1 + "\n", Files.readString(out.resolve(id + "/json"), StandardCharsets.UTF_8));
            String blobSum = schema1.get("fsLayers").get(i).get("blobSum").asText();
            assertEquals(blobSum, "sha256:" + sha256(Files.readAllBytes(out.resolve(id + "/layer.tar"))));
        }
        String topId = MAPPER.readTree(history.get(0).get("v1Compatibility").asText()).get("id").asText();
        assertEquals("{\"" + registry.address() + "/legacy/app\":{\"1\":\"" + topId + "\"}}", Files.readString(out.resolve("repositories")));
        JsonNode entry = MAPPER.readTree(out.resolve("manifest.json").toFile()).get(0);
        assertEquals(image.configDigest().hex() + ".json", entry.get("Config").asText());
        assertEquals(2, entry.get("Layers").size());
        assertEquals(topId + "/layer.tar", entry.get("Layers").get(1).asText());

        Path archive = work.resolve("legacy.tar");
        TarArchiveWriter.write(out, archive);
        assertTrue(Consumers.podmanLoad(archive).contains(image.configDigest().hex()));
    }

    /** The conversion is a function of the manifest and its layers: another cache, another run, the same digests. */
    @Test
    void aSecondConversionGivesTheSameImageAndAWarmPullDownloadsNothing() {
        PulledImage first = pull(OutputFormat.OCI, work.resolve("a"), "legacy/app:1").get(0);
        PulledImage again = pull(OutputFormat.OCI, work.resolve("a"), "legacy/app:1").get(0);
        PulledImage elsewhere = pull(OutputFormat.OCI, work.resolve("b"), "legacy/app@" + digest).get(0);
        assertEquals(0, again.downloadedBytes());
        assertEquals(first.configDigest(), again.configDigest());
        assertEquals(first.configDigest(), elsewhere.configDigest());
        assertEquals(digest, elsewhere.manifestDigest().toString());
    }

    @Test
    void offlineTheTagResolvesFromTheCache() {
        pull(OutputFormat.DOCKER, work, "legacy/app:1");
        RecordingListener listener = new RecordingListener();
        PulledImage offline = new ImagePuller().pull(request(work.resolve("offline"), work.resolve("cache"), OutputFormat.DOCKER, listener,
                "legacy/app:1").withOffline(true)).get(0);
        assertEquals(digest, offline.manifestDigest().toString());
        assertEquals(0, offline.downloadedBytes());
        assertFalse(listener.warnings().isEmpty());
    }

    /** The lock goal pins a schema 1 tag to the digest the registry names it by, and a pull of that lock gets it. */
    @Test
    void aLockPinsTheSchema1DigestAndThePinnedPullUsesIt() {
        ImageRequest image = new ImageRequest(ImageReference.parse(registry.address() + "/legacy/app:1"), Platform.parse("linux/amd64"));
        io.github.frozenimages.images.core.lock.ImageLock lock;
        try (io.github.frozenimages.images.core.registry.RegistrySession session = new io.github.frozenimages.images.core.registry.RegistrySession(
                4, Set.of(), CredentialProvider.ANONYMOUS, RegistryTestSupport.FAST_RETRIES, PullListener.SILENT)) {
            lock = new io.github.frozenimages.images.core.lock.ImageLocker(work.resolve("cache"), session, PullListener.SILENT)
                    .lock(List.of(image));
        }
        assertEquals(Optional.of(digest), lock.manifest(image.reference(), image.platform()).map(Object::toString));
        PulledImage pinned = pull(OutputFormat.DOCKER, work, "legacy/app:1@" + digest).get(0);
        assertEquals(digest, pinned.manifestDigest().toString());
    }

    private static void assertConvertedConfig(JsonNode config) {
        assertEquals("amd64", config.get("architecture").asText());
        assertEquals("linux", config.get("os").asText());
        assertTrue(config.get("config").get("Env").toString().contains(Schema1Images.ENV), config.toString());
        assertEquals("[\"" + Schema1Images.CMD + "\"]", config.get("config").get("Cmd").toString());
        JsonNode history = config.get("history");
        assertEquals(3, history.size(), "one history entry per schema 1 entry, base first: " + history);
        assertFalse(history.get(0).path("empty_layer").asBoolean());
        assertTrue(history.get(1).path("empty_layer").asBoolean(), "the config change: " + history);
        assertFalse(history.get(2).path("empty_layer").asBoolean());
        assertEquals(2, config.get("rootfs").get("diff_ids").size());
    }

    private List<PulledImage> pull(OutputFormat format, Path dir, String repositoryAndTag) {
        return new ImagePuller().pull(request(dir.resolve("out"), dir.resolve("cache"), format, PullListener.SILENT, repositoryAndTag));
    }

    private static PullRequest request(Path out, Path cache, OutputFormat format, PullListener listener, String repositoryAndTag) {
        ImageRequest image = new ImageRequest(ImageReference.parse(registry.address() + "/" + repositoryAndTag), Platform.parse("linux/amd64"));
        return new PullRequest(List.of(image), out, format, Optional.empty(), 4, cache, Set.of(), CredentialProvider.ANONYMOUS, listener)
                .withNetwork(RegistryTestSupport.FAST_RETRIES);
    }

    private static String gunzippedDigest(Path blob) throws IOException {
        try (InputStream in = new GZIPInputStream(Files.newInputStream(blob))) {
            return "sha256:" + sha256(in.readAllBytes());
        }
    }

    private static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
