package io.github.frozenimages.images.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.frozenimages.images.core.engine.ArchiveSource;
import io.github.frozenimages.images.core.engine.EngineClient;
import io.github.frozenimages.images.core.engine.EngineEndpoint;
import io.github.frozenimages.images.core.engine.EngineException;
import io.github.frozenimages.images.core.engine.LoadedImages;
import io.github.frozenimages.images.testing.PodmanService;
import io.github.frozenimages.images.testing.StandardFixtures;
import io.github.frozenimages.images.testing.TestImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The load goal's core against a real engine: Podman's Docker-compatible API service on a unix socket in
 * a temp folder, with its own vfs store. What was pulled is then listed by that engine (GET /images/json)
 * with the config digests as ids and the pulled names as tags.
 */
class LoadIntoPodmanTest extends RegistryTestSupport {

    private static final Duration TIMEOUT = Duration.ofSeconds(120);

    private static PodmanService podman;
    private static EngineClient engine;

    @TempDir
    Path work;

    @BeforeAll
    static void startPodman() {
        podman = PodmanService.start();
        engine = new EngineClient(EngineEndpoint.parse(podman.dockerHost()), TIMEOUT);
    }

    @AfterAll
    static void stopPodman() {
        if (podman != null) {
            podman.close();
        }
    }

    @Test
    void loadsAPulledArchiveAndTheEngineListsEachImageByConfigDigestWithItsTag() throws IOException {
        Path archive = work.resolve("images.tar");
        new ImagePuller().pull(request(work, OutputFormat.DOCKER, Optional.of(archive), standardImages()));

        LoadedImages loaded = engine.load(ArchiveSource.of(archive));

        Map<String, TestImage> expected = Map.of(
                tag(StandardFixtures.OCI_IMAGE, "1.0"), fixtures.ociImage(),
                tag(StandardFixtures.DOCKER_IMAGE, "1.0"), fixtures.dockerImage(),
                tag(StandardFixtures.DUP_LAYER, "1.0"), fixtures.dupLayer(),
                tag(StandardFixtures.SHARED_BASE, "1.0"), fixtures.sharedBase1(),
                tag(StandardFixtures.SHARED_BASE, "2.0"), fixtures.sharedBase2());
        assertEquals(new TreeSet<>(expected.keySet()), new TreeSet<>(loaded.names()), "the names the engine reported");
        assertListed(expected);
    }

    @Test
    void streamsThePulledFolderWhenThereIsNoArchive() throws IOException {
        new ImagePuller().pull(request(work, OutputFormat.DOCKER, Optional.empty(), List.of(
                image(ref(StandardFixtures.MULTI_OCI, "1.0"), "linux/arm64"))));

        LoadedImages loaded = engine.load(ArchiveSource.of(work.resolve("out")));

        assertEquals(List.of(tag(StandardFixtures.MULTI_OCI, "1.0")), loaded.names());
        assertListed(Map.of(tag(StandardFixtures.MULTI_OCI, "1.0"), fixtures.multiOci().image("linux/arm64")));
    }

    @Test
    void loadsAGzipArchiveAsItIs() throws IOException {
        Path archive = work.resolve("images.tar.gz");
        new ImagePuller().pull(request(work, OutputFormat.DOCKER, Optional.of(archive), List.of(
                image(ref(StandardFixtures.MULTI_DOCKER, "1.0"), "linux/ppc64le"))));

        LoadedImages loaded = engine.load(ArchiveSource.of(archive));

        assertEquals(List.of(tag(StandardFixtures.MULTI_DOCKER, "1.0")), loaded.names());
        assertListed(Map.of(tag(StandardFixtures.MULTI_DOCKER, "1.0"), fixtures.multiDocker().image("linux/ppc64le")));
    }

    @Test
    void aGarbageArchiveIsRefusedWithTheEnginesReason() throws IOException {
        byte[] garbage = new byte[3000];
        new Random(1).nextBytes(garbage);
        Path archive = Files.write(work.resolve("garbage.tar"), garbage);

        EngineException e = assertThrows(EngineException.class, () -> engine.load(ArchiveSource.of(archive)));

        assertEquals(EngineException.Reason.REFUSED, e.reason(), e.getMessage());
        assertTrue(e.getMessage().startsWith("the engine at " + podman.dockerHost() + " refused the archive: "), e.getMessage());
        // podman's own words, as its compat API gives them
        assertTrue(e.getMessage().contains("payload does not match any of the supported image formats"), e.getMessage());
        assertTrue(e.getMessage().endsWith("(HTTP 500)"), e.getMessage());
    }

    @Test
    void noSocketMeansNoEngineListening() throws IOException {
        Path archive = Files.write(work.resolve("any.tar"), new byte[10]);
        String missing = "unix://" + podman.socket().resolveSibling("gone.sock");
        EngineClient client = new EngineClient(EngineEndpoint.parse(missing), TIMEOUT);

        EngineException e = assertThrows(EngineException.class, () -> client.load(ArchiveSource.of(archive)));

        assertEquals(EngineException.Reason.NOT_LISTENING, e.reason());
        assertEquals("no engine listening at " + missing + ": there is no socket file", e.getMessage());
    }

    private static String tag(String repository, String tag) {
        return registry.address() + "/" + repository + ":" + tag;
    }

    /** Each tag is listed by the engine on the image whose id is the fixture's config digest. */
    private static void assertListed(Map<String, TestImage> expected) throws IOException {
        JsonNode listing = new ObjectMapper().readTree(engine.get("/images/json", 16 << 20));
        Map<String, List<String>> tagsById = new HashMap<>();
        for (JsonNode image : listing) {
            List<String> tags = new ArrayList<>();
            image.path("RepoTags").forEach(t -> tags.add(t.asText()));
            tagsById.put(image.path("Id").asText(), tags);
        }
        for (Map.Entry<String, TestImage> e : expected.entrySet()) {
            String id = e.getValue().configDigest();
            assertTrue(tagsById.containsKey(id), "the engine lists no image " + id + " for " + e.getKey() + ": " + tagsById);
            assertTrue(tagsById.get(id).contains(e.getKey()), "image " + id + " has tags " + tagsById.get(id)
                    + ", not " + e.getKey());
        }
    }
}
