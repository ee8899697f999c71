package io.github.frozenimages.images.core;

import io.github.frozenimages.images.core.shared.ImagePullException;
import io.github.frozenimages.images.core.ref.ImageRequest;
import io.github.frozenimages.images.core.output.PulledImage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.frozenimages.images.core.auth.CredentialProvider;
import io.github.frozenimages.images.testing.RecordingListener;
import io.github.frozenimages.images.testing.RegistryServer;
import io.github.frozenimages.images.testing.StandardFixtures;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a build needs from the network once the cache is warm: a pinned digest needs nothing, an offline tag
 * resolves to its last known digest, and an output that already holds the images is not rewritten. The
 * registry is stopped half way through each test: whatever still works cannot have used it.
 */
class OfflineAndUnchangedTest {

    @TempDir
    Path work;

    private final RecordingListener log = new RecordingListener();

    private List<PulledImage> pull(boolean offline, String... references) {
        List<ImageRequest> images = java.util.Arrays.stream(references).map(RegistryTestSupport::image).toList();
        return new ImagePuller().pull(new PullRequest(images, work.resolve("out"), OutputFormat.DOCKER, Optional.empty(), 4,
                work.resolve("cache"), Set.of(), CredentialProvider.ANONYMOUS, log)
                .withNetwork(RegistryTestSupport.FAST_RETRIES).withOffline(offline));
    }

    @Test
    void aPinnedDigestNeedsNoRegistryOnceCached() throws Exception {
        String pinned;
        try (RegistryServer registry = RegistryServer.start()) {
            StandardFixtures fixtures = StandardFixtures.pushTo(registry.baseUrl());
            pinned = registry.address() + "/test/oci-image@" + fixtures.ociImage().manifestDigest();
            pull(false, pinned);
        }
        Path out = work.resolve("out");
        io.github.frozenimages.images.core.output.StagedDirectory.deleteTree(out); // so the output is rebuilt from the cache
        List<PulledImage> again = pull(false, pinned); // online, but the registry is gone
        assertEquals(0, again.get(0).downloadedBytes());
        assertTrue(Files.isRegularFile(out.resolve("index.json")));
    }

    @Test
    void pinnedImagesWhoseOutputIsUntouchedAreDoneWithoutReadingAnything() throws Exception {
        String pinned;
        try (RegistryServer registry = RegistryServer.start()) {
            StandardFixtures fixtures = StandardFixtures.pushTo(registry.baseUrl());
            pinned = registry.address() + "/test/docker-image@" + fixtures.dockerImage().manifestDigest();
            pull(false, pinned);
        }
        // even the cache may go: the output is what the build needs, and it is as the last pull left it
        java.nio.file.Files.walk(work.resolve("cache")).sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        log.clear();
        assertEquals(List.of(), pull(false, pinned));
        assertTrue(log.lines().stream().anyMatch(l -> l.contains("untouched since the last build; nothing to do")), log.lines().toString());

        // a changed output file sends the build down the full path, which now needs the (gone) registry
        java.nio.file.Files.writeString(work.resolve("out/repositories"), "{}");
        ImagePullException e = assertThrows(ImagePullException.class, () -> pull(false, pinned));
        assertEquals(ImagePullException.Reason.UNREACHABLE, e.reason());
    }

    @Test
    void offlineATagResolvesToItsLastKnownDigestWithAWarning() {
        String tagged;
        String digest;
        try (RegistryServer registry = RegistryServer.start()) {
            StandardFixtures fixtures = StandardFixtures.pushTo(registry.baseUrl());
            tagged = registry.address() + "/test/multi-oci:1.0";
            digest = fixtures.multiOci().digest();
            pull(false, tagged);
        }
        log.clear();
        List<PulledImage> offline = pull(true, tagged);
        assertEquals(0, offline.get(0).downloadedBytes());
        assertTrue(log.lines().stream().anyMatch(l -> l.startsWith("WARN offline: ") && l.contains(digest)), log.lines().toString());
    }

    @Test
    void offlineWithoutTheContentNamesWhatIsMissingAndWhatToDo() {
        String never;
        try (RegistryServer registry = RegistryServer.start()) {
            never = registry.address() + "/test/oci-image:1.0";
        }
        ImagePullException e = assertThrows(ImagePullException.class, () -> pull(true, never));
        assertEquals(ImagePullException.Reason.NOT_IN_CACHE, e.reason());
        assertTrue(e.getMessage().contains(never) && e.getMessage().contains("never resolved online"), e.getMessage());
        assertTrue(e.messageWithAdvice().contains("run the build once online"), e.messageWithAdvice());
    }

    @Test
    void offlineWithAMissingLayerListsEveryMissingBlob() throws Exception {
        String tagged;
        StandardFixtures fixtures;
        try (RegistryServer registry = RegistryServer.start()) {
            fixtures = StandardFixtures.pushTo(registry.baseUrl());
            tagged = registry.address() + "/test/docker-image:1.0";
            pull(false, tagged);
        }
        // lose two layers of the cache
        List<String> lost = fixtures.dockerImage().layers().stream().limit(2).map(l -> l.digest()).toList();
        for (String d : lost) {
            Files.delete(work.resolve("cache/blobs/sha256/" + d.substring(7)));
        }
        ImagePullException e = assertThrows(ImagePullException.class, () -> pull(true, tagged));
        assertEquals(ImagePullException.Reason.NOT_IN_CACHE, e.reason());
        for (String d : lost) {
            assertTrue(e.getMessage().contains(d), e.getMessage());
        }
    }

    @Test
    void anOutputThatAlreadyHoldsTheImagesIsLeftUntouched() throws Exception {
        try (RegistryServer registry = RegistryServer.start()) {
            StandardFixtures.pushTo(registry.baseUrl());
            String a = registry.address() + "/test/oci-image:1.0";
            String b = registry.address() + "/test/docker-image:1.0";
            pull(false, a, b);
            Object indexKey = Files.readAttributes(work.resolve("out/index.json"), java.nio.file.attribute.BasicFileAttributes.class).fileKey();
            log.clear();
            pull(false, a, b);
            assertTrue(log.lines().stream().anyMatch(l -> l.contains("already holds exactly these images")), log.lines().toString());
            assertEquals(indexKey, Files.readAttributes(work.resolve("out/index.json"),
                    java.nio.file.attribute.BasicFileAttributes.class).fileKey(), "index.json was not rewritten");

            // a stray file means the output is not exactly the images any more: rewritten
            Files.writeString(work.resolve("out/stray"), "x");
            log.clear();
            pull(false, a, b);
            assertTrue(log.lines().stream().noneMatch(l -> l.contains("already holds")), log.lines().toString());
            assertTrue(Files.notExists(work.resolve("out/stray")));
        }
    }
}
