package io.github.frozenimages.images.core.lock;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.frozenimages.images.core.ref.ImageRequest;
import io.github.frozenimages.images.core.ref.Digest;
import io.github.frozenimages.images.core.ref.ImageReference;
import io.github.frozenimages.images.core.ref.Platform;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The lock file format: stable bytes for one content, sorted, readable, read back to the same lock, read strictly. */
class ImageLockTest {

    private static final Digest A = Digest.parse("sha256:" + "a".repeat(64));
    private static final Digest B = Digest.parse("sha256:" + "b".repeat(64));
    private static final Digest C = Digest.parse("sha256:" + "c".repeat(64));
    private static final Digest I = Digest.parse("sha256:" + "1".repeat(64));

    @TempDir
    Path work;

    private static ImageLock.Image image(String reference, Digest index, Object... platformAndDigest) {
        Map<Platform, Digest> manifests = new LinkedHashMap<>();
        for (int i = 0; i < platformAndDigest.length; i += 2) {
            manifests.put(Platform.parse((String) platformAndDigest[i]), (Digest) platformAndDigest[i + 1]);
        }
        return new ImageLock.Image(ImageReference.parse(reference), Optional.ofNullable(index), manifests);
    }

    private static List<ImageLock.Image> sample() {
        return List.of(
                image("ghcr.io/org/app:1.2", I, "linux/arm64", B, "linux/amd64", A),
                image("alpine:3.20", null, "linux/amd64", C),
                image("busybox@" + A, null, "linux/arm/v7", A));
    }

    @Test
    void theFileIsSortedIndentedAndEndsWithANewline() {
        String text = new String(ImageLock.of(sample()).toBytes(), StandardCharsets.UTF_8);
        String expected = """
                {
                  "version": 1,
                  "images": [
                    {
                      "reference": "docker.io/library/alpine:3.20",
                      "manifests": {
                        "linux/amd64": "%3$s"
                      }
                    },
                    {
                      "reference": "docker.io/library/busybox@%1$s",
                      "manifests": {
                        "linux/arm/v7": "%1$s"
                      }
                    },
                    {
                      "reference": "ghcr.io/org/app:1.2",
                      "index": "%4$s",
                      "manifests": {
                        "linux/amd64": "%1$s",
                        "linux/arm64": "%2$s"
                      }
                    }
                  ]
                }
                """.formatted(A, B, C, I);
        assertEquals(expected, text);
    }

    @Test
    void theSameContentGivesTheSameBytesWhateverTheOrderItWasGivenIn() {
        List<ImageLock.Image> shuffled = new ArrayList<>(sample());
        byte[] first = ImageLock.of(shuffled).toBytes();
        Collections.reverse(shuffled);
        // the platforms of one image in the other order too
        shuffled.set(2, image("ghcr.io/org/app:1.2", I, "linux/amd64", A, "linux/arm64", B));
        assertArrayEquals(first, ImageLock.of(shuffled).toBytes());
    }

    @Test
    void aLockReadsBackToTheSameLockAndBytes() throws IOException {
        ImageLock lock = ImageLock.of(sample());
        ImageLock read = ImageLock.parse(lock.toBytes());
        assertEquals(lock.images(), read.images());
        assertArrayEquals(lock.toBytes(), read.toBytes());
        assertEquals(Optional.of(B), read.manifest(ImageReference.parse("ghcr.io/org/app:1.2"), Platform.parse("linux/arm64")));
        assertEquals(Optional.of(I), read.image(ImageReference.parse("ghcr.io/org/app:1.2")).orElseThrow().index());
        // references are compared normalised: alpine:3.20 is docker.io/library/alpine:3.20
        assertEquals(Optional.of(C), read.manifest(ImageReference.parse("docker.io/library/alpine:3.20"), Platform.parse("linux/amd64")));
        assertEquals(Optional.empty(), read.manifest(ImageReference.parse("alpine:3.20"), Platform.parse("linux/arm64")));
    }

    @Test
    void theSignaturesAcceptedForAnImageReadBackAndAppearOnlyWhereThereAreSome() throws IOException {
        ImageLock.Image signed = new ImageLock.Image(ImageReference.parse("ghcr.io/org/app:1.2"), Optional.of(I),
                Map.of(Platform.parse("linux/amd64"), A), Map.of(I, C));
        ImageLock lock = ImageLock.of(List.of(signed, image("alpine:3.20", null, "linux/amd64", B)));

        String text = new String(lock.toBytes(), StandardCharsets.UTF_8);
        ImageLock read = ImageLock.parse(lock.toBytes());

        assertEquals(Map.of(I, C), read.image(ImageReference.parse("ghcr.io/org/app:1.2")).orElseThrow().signatures());
        assertEquals(Map.of(), read.image(ImageReference.parse("alpine:3.20")).orElseThrow().signatures());
        assertEquals(1, text.split("\"signatures\"", -1).length - 1, text);
        assertArrayEquals(lock.toBytes(), read.toBytes());
        assertRefused("{\"version\": 1, \"images\": [{\"reference\": \"alpine\", \"manifests\": {\"linux/amd64\": \"" + A
                + "\"}, \"signatures\": [\"" + B + "\"]}]}", "\"signatures\" must be an object");
        assertRefused("{\"version\": 1, \"images\": [{\"reference\": \"alpine\", \"manifests\": {\"linux/amd64\": \"" + A
                + "\"}, \"signatures\": {\"" + A + "\": \"sha256:nope\"}}]}", "invalid digest");
    }

    @Test
    void writingTheSameLockAgainLeavesTheFileAlone() throws IOException {
        Path file = work.resolve(ImageLock.FILE_NAME);
        ImageLock lock = ImageLock.of(sample());
        assertTrue(lock.write(file));
        byte[] written = Files.readAllBytes(file);
        assertArrayEquals(lock.toBytes(), written);
        assertFalse(lock.write(file), "same content: not rewritten");
        assertTrue(ImageLock.of(List.of(image("alpine:3.20", null, "linux/amd64", A))).write(file));
        try (var files = Files.list(work)) {
            assertEquals(List.of(file), files.toList(), "no temporary file left behind");
        }
    }

    @Test
    void applyPinsLockedImagesKeepingTheirTagsAndReportsTheMissingOnes() {
        ImageLock lock = ImageLock.of(sample());
        ImageRequest locked = new ImageRequest(ImageReference.parse("ghcr.io/org/app:1.2"), Platform.parse("linux/arm64"));
        ImageRequest otherPlatform = new ImageRequest(ImageReference.parse("ghcr.io/org/app:1.2"), Platform.parse("linux/s390x"));
        ImageRequest notLocked = new ImageRequest(ImageReference.parse("nginx:1"), Platform.parse("linux/amd64"));
        ImageLock.Applied applied = lock.apply(List.of(locked, otherPlatform, notLocked));
        assertEquals(1, applied.locked());
        assertEquals(List.of(otherPlatform, notLocked), applied.missing());
        ImageReference pinned = applied.images().get(0).reference();
        assertEquals("ghcr.io/org/app:1.2@" + B, pinned.toString(), "the tag stays, to name the output");
        assertEquals(Optional.of("1.2"), pinned.tag());
        assertEquals(List.of(otherPlatform, notLocked), applied.images().subList(1, 3));
    }

    @Test
    void severalOrAllPlatformsArePinnedToTheLockedIndex() {
        ImageLock lock = ImageLock.of(sample());
        ImageReference app = ImageReference.parse("ghcr.io/org/app:1.2");
        List<Platform> both = List.of(Platform.parse("linux/arm64"), Platform.parse("linux/amd64"));
        ImageRequest severalLocked = new ImageRequest(app, Platform.parse("linux/amd64"), both, false);
        ImageRequest all = new ImageRequest(app, Platform.parse("linux/amd64"), List.of(), true);
        ImageRequest oneNotLocked = new ImageRequest(app, Platform.parse("linux/amd64"),
                List.of(Platform.parse("linux/amd64"), Platform.parse("linux/s390x")), false);
        ImageRequest noIndex = new ImageRequest(ImageReference.parse("alpine:3.20"), Platform.parse("linux/amd64"), List.of(), true);
        ImageLock.Applied applied = lock.apply(List.of(severalLocked, all, oneNotLocked, noIndex));
        assertEquals(2, applied.locked());
        assertEquals(List.of(oneNotLocked, noIndex), applied.missing());
        ImageRequest pinned = applied.images().get(0);
        assertEquals("ghcr.io/org/app:1.2@" + I, pinned.reference().toString(), "the index fixes every platform it holds");
        assertEquals(both, pinned.platforms());
        assertTrue(applied.images().get(1).all());
        assertEquals(Optional.of(I), applied.images().get(1).reference().digest());
    }

    @Test
    void aDuplicateKeyFromAMergeIsRefused() {
        String text = """
                {
                  "version": 1,
                  "images": [
                    {
                      "reference": "alpine:3.20",
                      "manifests": {
                        "linux/amd64": "%1$s",
                        "linux/amd64": "%2$s"
                      }
                    }
                  ]
                }
                """.formatted(A, B);
        IOException e = assertThrows(IOException.class, () -> ImageLock.parse(text.getBytes(StandardCharsets.UTF_8)));
        assertTrue(e.getMessage().contains("linux/amd64"), e.getMessage());
    }

    @Test
    void anImageLockedTwiceIsRefused() {
        String entry = "{\"reference\": \"%s\", \"manifests\": {\"linux/amd64\": \"" + A + "\"}}";
        String text = "{\"version\": 1, \"images\": [" + entry.formatted("alpine:3.20") + ", "
                + entry.formatted("docker.io/library/alpine:3.20") + "]}";
        IOException e = assertThrows(IOException.class, () -> ImageLock.parse(text.getBytes(StandardCharsets.UTF_8)));
        assertTrue(e.getMessage().contains("docker.io/library/alpine:3.20 is locked twice"), e.getMessage());
    }

    @Test
    void invalidContentIsRefusedWithWhereAndWhat() {
        assertRefused("{\"version\": 2, \"images\": []}", "unsupported lock file version 2");
        assertRefused("{\"images\": []}", "unsupported lock file version");
        assertRefused("{\"version\": 1}", "no \"images\" array");
        assertRefused("{\"version\": 1, \"images\": [{\"reference\": \"Alpine\", \"manifests\": {\"linux/amd64\": \"" + A + "\"}}]}",
                "images[0]: invalid image reference");
        assertRefused("{\"version\": 1, \"images\": [{\"reference\": \"alpine\", \"manifests\": {\"linux/amd64\": \"sha256:../x\"}}]}",
                "images[0] (alpine): invalid digest");
        assertRefused("{\"version\": 1, \"images\": [{\"reference\": \"alpine\", \"index\": \"md5:00\", \"manifests\": {\"linux/amd64\": \""
                + A + "\"}}]}", "images[0] (alpine): invalid digest");
        assertRefused("{\"version\": 1, \"images\": [{\"reference\": \"alpine\", \"manifests\": {}}]}", "no \"manifests\" object");
        assertRefused("{\"version\": 1, \"images\": [{\"reference\": \"alpine\", \"manifests\": {\"linux/\": \"" + A + "\"}}]}",
                "images[0] (alpine): invalid platform");
        assertRefused("{\"version\": 1, \"images\": [{\"reference\": \"alpine\", \"manifests\": {\"linux/amd64\": \"" + A
                + "\", \"linux/x86_64\": \"" + B + "\"}}]}", "locks platform linux/amd64 twice");
        assertRefused("{\"version\": 1, \"images\": []} trailing", "not a valid lock file");
    }

    private static void assertRefused(String text, String expected) {
        IOException e = assertThrows(IOException.class, () -> ImageLock.parse(text.getBytes(StandardCharsets.UTF_8)), text);
        assertTrue(e.getMessage().contains(expected), e.getMessage());
    }
}
