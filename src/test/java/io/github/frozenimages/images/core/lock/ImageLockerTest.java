package io.github.frozenimages.images.core.lock;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.frozenimages.images.core.shared.ImagePullException;
import io.github.frozenimages.images.core.ImagePuller;
import io.github.frozenimages.images.core.ref.ImageRequest;
import io.github.frozenimages.images.core.registry.NetworkOptions;
import io.github.frozenimages.images.core.registry.RegistrySession;
import io.github.frozenimages.images.core.OutputFormat;
import io.github.frozenimages.images.core.shared.PullListener;
import io.github.frozenimages.images.core.PullRequest;
import io.github.frozenimages.images.core.auth.CredentialProvider;
import io.github.frozenimages.images.core.ref.Digest;
import io.github.frozenimages.images.core.ref.ImageReference;
import io.github.frozenimages.images.core.ref.Platform;
import io.github.frozenimages.images.testing.FaultProxy;
import io.github.frozenimages.images.testing.Faults;
import io.github.frozenimages.images.testing.RecordedRequest;
import io.github.frozenimages.images.testing.RegistryPusher;
import io.github.frozenimages.images.testing.RegistryServer;
import io.github.frozenimages.images.testing.Rule;
import io.github.frozenimages.images.testing.StandardFixtures;
import io.github.frozenimages.images.testing.TestImage;
import io.github.frozenimages.images.testing.TestIndex;
import io.github.frozenimages.images.testing.TestLayer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Locking against a real Distribution registry, through a proxy that records every request: a tag costs one
 * manifest HEAD, an index one more GET of the index by digest (none when the cache has it), and a pull with
 * the lock gets the locked content after the tag moved, still named by the tag.
 */
class ImageLockerTest {

    private static final NetworkOptions FAST_RETRIES = NetworkOptions.DEFAULTS.withRetryDelays(Duration.ofMillis(10), Duration.ofMillis(100));
    private static final Platform AMD64 = Platform.parse("linux/amd64");

    private static RegistryServer registry;
    private static FaultProxy proxy;
    private static StandardFixtures fixtures;

    @TempDir
    Path work;

    @BeforeAll
    static void start() {
        registry = RegistryServer.start();
        fixtures = StandardFixtures.pushTo(registry.baseUrl());
        proxy = FaultProxy.start(registry.baseUrl());
    }

    @AfterAll
    static void stop() {
        if (proxy != null) {
            proxy.close();
        }
        if (registry != null) {
            registry.close();
        }
    }

    @AfterEach
    void noRulesLeft() {
        proxy.clearRules();
    }

    private static ImageRequest image(String repositoryAndTag, String platform) {
        return new ImageRequest(ImageReference.parse(proxy.address() + "/" + repositoryAndTag), Platform.parse(platform));
    }

    private ImageLock lock(ImageRequest... images) {
        try (RegistrySession session = new RegistrySession(4, Set.of(), CredentialProvider.ANONYMOUS, FAST_RETRIES, PullListener.SILENT)) {
            return new ImageLocker(work.resolve("cache"), session, PullListener.SILENT).lock(List.of(images));
        }
    }

    /** The manifest requests the proxy saw from index {@code from} on, as "METHOD path-after-/v2/". */
    private static List<String> manifestRequestsSince(int from) {
        List<String> seen = new ArrayList<>();
        List<RecordedRequest> all = proxy.requests();
        for (RecordedRequest r : all.subList(from, all.size())) {
            if (r.path().contains("/manifests/")) {
                seen.add(r.method() + " " + r.path().substring("/v2/".length()));
            }
        }
        return seen;
    }

    @Test
    void aSingleManifestTagIsLockedWithOneHeadAndNoGet() {
        int before = proxy.requests().size();
        ImageLock lock = lock(image("test/oci-image:1.0", "linux/amd64"));
        assertEquals(List.of("HEAD test/oci-image/manifests/1.0"), manifestRequestsSince(before));
        ImageLock.Image locked = lock.images().get(0);
        assertEquals(Optional.empty(), locked.index());
        assertEquals(Map.of(AMD64, Digest.parse(fixtures.ociImage().manifestDigest())), locked.manifests());
    }

    @Test
    void anIndexCostsAHeadOfTheTagAndOneGetOfTheIndexByDigestWhateverThePlatforms() {
        TestIndex multi = fixtures.multiOci();
        int before = proxy.requests().size();
        ImageLock lock = lock(image("test/multi-oci:1.0", "linux/amd64"), image("test/multi-oci:1.0", "linux/arm64"),
                image("test/multi-oci:1.0", "linux/arm/v7"));
        assertEquals(List.of("HEAD test/multi-oci/manifests/1.0", "GET test/multi-oci/manifests/" + multi.digest()),
                manifestRequestsSince(before));
        ImageLock.Image locked = lock.images().get(0);
        assertEquals(Optional.of(Digest.parse(multi.digest())), locked.index());
        assertEquals(Map.of(
                AMD64, Digest.parse(multi.image("linux/amd64").manifestDigest()),
                Platform.parse("linux/arm64"), Digest.parse(multi.image("linux/arm64").manifestDigest()),
                Platform.parse("linux/arm/v7"), Digest.parse(multi.image("linux/arm/v7").manifestDigest())), locked.manifests());

        // the index is now in the cache: locking again costs the HEAD alone
        before = proxy.requests().size();
        assertEquals(lock.images(), lock(image("test/multi-oci:1.0", "linux/amd64"), image("test/multi-oci:1.0", "linux/arm64"),
                image("test/multi-oci:1.0", "linux/arm/v7")).images());
        assertEquals(List.of("HEAD test/multi-oci/manifests/1.0"), manifestRequestsSince(before));
    }

    @Test
    void platformsAreChosenByThePullsRules() {
        TestIndex multi = fixtures.multiDocker();
        ImageLock lock = lock(image("test/multi-docker:1.0", "linux/arm64"), image("test/multi-docker:1.0", "linux/arm/v6"));
        Map<Platform, Digest> manifests = lock.images().get(0).manifests();
        // arm64 is arm64/v8; arm/v6 falls back to the v5 image, as containerd does
        assertEquals(Digest.parse(multi.image("linux/arm64/v8").manifestDigest()), manifests.get(Platform.parse("linux/arm64")));
        assertEquals(Digest.parse(multi.image("linux/arm/v5").manifestDigest()), manifests.get(Platform.parse("linux/arm/v6")));
        assertEquals(Optional.of(Digest.parse(multi.digest())), lock.images().get(0).index());

        ImagePullException e = assertThrows(ImagePullException.class, () -> lock(image("test/multi-docker:1.0", "linux/s390x")));
        assertEquals(ImagePullException.Reason.NO_MATCHING_PLATFORM, e.reason());
    }

    @Test
    void severalPlatformsOfOneRequestAndAllPlatformsAreLockedFromTheSameIndex() {
        TestIndex multi = fixtures.multiOci();
        ImageReference reference = ImageReference.parse(proxy.address() + "/test/multi-oci:1.0");
        ImageRequest several = new ImageRequest(reference, AMD64, List.of(Platform.parse("linux/arm64"), AMD64), false);
        ImageLock lock = lock(several);
        assertEquals(Map.of(AMD64, Digest.parse(multi.image("linux/amd64").manifestDigest()),
                Platform.parse("linux/arm64"), Digest.parse(multi.image("linux/arm64").manifestDigest())), lock.images().get(0).manifests());
        assertEquals(Optional.of(Digest.parse(multi.digest())), lock.images().get(0).index());

        // all: every platform of the index, attestations aside, even when the primary one is not among them
        ImageLock all = lock(new ImageRequest(reference, Platform.parse("linux/s390x"), List.of(), true));
        Map<Platform, Digest> expected = new java.util.HashMap<>();
        for (TestImage image : multi.images()) {
            expected.put(Platform.parse(image.platform()), Digest.parse(image.manifestDigest()));
        }
        assertEquals(expected, all.images().get(0).manifests());

        ImagePullException e = assertThrows(ImagePullException.class, () -> lock(new ImageRequest(
                ImageReference.parse(proxy.address() + "/test/oci-image:1.0"), AMD64, List.of(), true)));
        assertEquals(ImagePullException.Reason.NO_MATCHING_PLATFORM, e.reason());
        assertTrue(e.getMessage().contains("single-platform image"), e.getMessage());
    }

    @Test
    void withoutDockerContentDigestOnHeadTheTagIsFetchedAndHashed() {
        proxy.add(Rule.on("HEAD", "/v2/.+/manifests/.+").always().then(Faults.rewrite(r -> r.withoutHeader("Docker-Content-Digest"))));
        int before = proxy.requests().size();
        ImageLock lock = lock(image("test/docker-image:1.0", "linux/amd64"));
        assertEquals(List.of("HEAD test/docker-image/manifests/1.0", "GET test/docker-image/manifests/1.0"), manifestRequestsSince(before));
        assertEquals(Digest.parse(fixtures.dockerImage().manifestDigest()), lock.images().get(0).manifests().get(AMD64));
    }

    @Test
    void aRegistryRefusingHeadIsAskedWithGet() {
        proxy.add(Rule.on("HEAD", "/v2/.+/manifests/.+").always().then(Faults.answer(405, List.of(), new byte[0])));
        ImageLock lock = lock(image("test/multi-oci:1.0", "linux/arm64"));
        assertEquals(Digest.parse(fixtures.multiOci().image("linux/arm64").manifestDigest()),
                lock.images().get(0).manifests().get(Platform.parse("linux/arm64")));
    }

    @Test
    void anInvalidDockerContentDigestIsRefusedBeforeAnythingIsBuiltFromIt() {
        proxy.add(Rule.on("HEAD", "/v2/.+/manifests/.+").always().then(Faults.replaceHeader("Docker-Content-Digest", "sha256:../../etc/passwd")));
        int before = proxy.requests().size();
        ImagePullException e = assertThrows(ImagePullException.class, () -> lock(image("test/oci-image:1.0", "linux/amd64")));
        assertEquals(ImagePullException.Reason.PROTOCOL, e.reason());
        assertTrue(e.getMessage().contains("invalid Docker-Content-Digest"), e.getMessage());
        assertEquals(List.of("HEAD test/oci-image/manifests/1.0"), manifestRequestsSince(before));
    }

    @Test
    void anUnknownTagFailsWithTheRegistrysOwnReason() {
        ImagePullException e = assertThrows(ImagePullException.class, () -> lock(image("test/oci-image:no-such-tag", "linux/amd64")));
        assertEquals(ImagePullException.Reason.NOT_FOUND, e.reason());
        assertTrue(e.getMessage().startsWith("could not lock " + proxy.address() + "/test/oci-image:no-such-tag"), e.getMessage());
        assertTrue(e.getMessage().contains("MANIFEST_UNKNOWN"), e.getMessage());
    }

    @Test
    void aPullWithTheLockGetsTheLockedContentAfterTheTagMovedAndKeepsTheTagName() throws Exception {
        RegistryPusher pusher = new RegistryPusher(registry.baseUrl());
        TestImage oldSingle = fixtures.ociImage();
        TestIndex oldIndex = fixtures.multiOci();
        pusher.push("test/moving", "1.0", oldSingle);
        pusher.push("test/moving-multi", "1.0", oldIndex);
        ImageRequest bothPlatforms = new ImageRequest(ImageReference.parse(proxy.address() + "/test/moving-multi:1.0"), AMD64,
                List.of(AMD64, Platform.parse("linux/arm64")), false);
        List<ImageRequest> configured = List.of(image("test/moving:1.0", "linux/amd64"), image("test/moving-multi:1.0", "linux/arm64"));
        ImageLock lock = lock(configured.get(0), configured.get(1), bothPlatforms);

        // both tags move to new content
        TestImage newSingle = TestImage.builder().oci(true).platform("linux", "amd64").layer(TestLayer.gzip("moving/new", 5_000)).build();
        TestIndex newIndex = TestIndex.builder().oci(true)
                .add(TestImage.builder().oci(true).platform("linux", "arm64").layer(TestLayer.gzip("moving-multi/new", 5_000)).build())
                .build();
        pusher.push("test/moving", "1.0", newSingle);
        pusher.push("test/moving-multi", "1.0", newIndex);

        ImageLock.Applied applied = lock.apply(configured);
        assertEquals(2, applied.locked());
        int before = proxy.requests().size();
        new ImagePuller().pull(request(work.resolve("locked"), applied.images()));
        for (String request : manifestRequestsSince(before)) {
            assertTrue(request.contains("/manifests/sha256:"), "the locked pull asks for digests only: " + request);
        }
        Map<String, String> locked = namesToDigests(work.resolve("locked"));
        assertEquals(Map.of(
                proxy.address() + "/test/moving:1.0", oldSingle.manifestDigest(),
                proxy.address() + "/test/moving-multi:1.0", oldIndex.image("linux/arm64").manifestDigest()), locked);

        // several platforms: pinned to the locked index, whose platforms the output keeps
        ImageLock.Applied several = lock.apply(List.of(bothPlatforms));
        assertEquals(1, several.locked());
        new ImagePuller().pull(request(work.resolve("several"), several.images()));
        JsonNode top = new ObjectMapper().readTree(work.resolve("several/index.json").toFile()).get("manifests").get(0);
        assertEquals(proxy.address() + "/test/moving-multi:1.0", top.path("annotations").path("io.containerd.image.name").asText());
        String generated = Files.readString(work.resolve("several/blobs/sha256/" + top.get("digest").asText().substring(7)));
        assertTrue(generated.contains(oldIndex.image("linux/amd64").manifestDigest())
                && generated.contains(oldIndex.image("linux/arm64").manifestDigest()), generated);

        // without the lock the same configuration gets the new content: the tags did move
        new ImagePuller().pull(request(work.resolve("unlocked"), configured));
        Map<String, String> unlocked = namesToDigests(work.resolve("unlocked"));
        assertEquals(newSingle.manifestDigest(), unlocked.get(proxy.address() + "/test/moving:1.0"));
        assertNotEquals(locked.get(proxy.address() + "/test/moving-multi:1.0"), unlocked.get(proxy.address() + "/test/moving-multi:1.0"));
    }

    private PullRequest request(Path out, List<ImageRequest> images) {
        return new PullRequest(images, out, OutputFormat.DOCKER, Optional.empty(), 2, work.resolve("cache"), Set.of(),
                CredentialProvider.ANONYMOUS, PullListener.SILENT).withNetwork(FAST_RETRIES);
    }

    /** index.json of the output: each image's name (as engines will show it) to its manifest digest. */
    private static Map<String, String> namesToDigests(Path out) throws Exception {
        JsonNode index = new ObjectMapper().readTree(out.resolve("index.json").toFile());
        Map<String, String> names = new java.util.HashMap<>();
        for (JsonNode m : index.get("manifests")) {
            names.put(m.path("annotations").path("io.containerd.image.name").asText(), m.get("digest").asText());
        }
        return names;
    }
}
