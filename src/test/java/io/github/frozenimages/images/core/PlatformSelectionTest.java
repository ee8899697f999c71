package io.github.frozenimages.images.core;

import io.github.frozenimages.images.core.shared.ImagePullException;
import io.github.frozenimages.images.core.output.PulledImage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.frozenimages.images.testing.StandardFixtures;
import io.github.frozenimages.images.testing.TestAttestation;
import io.github.frozenimages.images.testing.TestIndex;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Choosing a platform's manifest from real OCI indexes and Docker manifest lists served by the registry. */
class PlatformSelectionTest extends RegistryTestSupport {

    @TempDir
    Path work;

    @ParameterizedTest(name = "{0} for {1} -> {2}")
    @CsvSource({
            // repository,     requested,      entry expected
            "test/multi-oci,    linux/amd64,    linux/amd64",
            "test/multi-oci,    linux/arm64,    linux/arm64",
            "test/multi-oci,    linux/arm64/v8, linux/arm64",     // arm64 without variant is v8
            "test/multi-oci,    linux/arm/v7,   linux/arm/v7",
            "test/multi-oci,    linux/arm,      linux/arm/v7",    // bare arm means v7
            "test/multi-oci,    linux/arm/v6,   linux/arm/v6",
            "test/multi-docker, linux/arm64,    linux/arm64/v8",
            "test/multi-docker, linux/aarch64,  linux/arm64/v8",
            "test/multi-docker, linux/x86_64,   linux/amd64",
            "test/multi-docker, linux/arm/v7,   linux/arm/v7",
            "test/multi-docker, linux/arm/v6,   linux/arm/v5",    // v6 falls back to v5, never up to v7
            "test/multi-docker, linux/ppc64le,  linux/ppc64le",
    })
    void choosesTheManifestOfThePlatform(String repository, String requested, String expectedEntry) throws Exception {
        TestIndex index = repository.equals(StandardFixtures.MULTI_OCI) ? fixtures.multiOci() : fixtures.multiDocker();
        List<PulledImage> pulled = pull(work, OutputFormat.OCI, image(ref(repository, "1.0"), requested));
        assertEquals(index.image(expectedEntry).manifestDigest(), pulled.get(0).manifestDigest().toString());
        assertEquals(expectedEntry.replace("linux/arm64/v8", "linux/arm64"), pulled.get(0).platform().toString());
        String indexJson = Files.readString(work.resolve("out/index.json"));
        assertTrue(indexJson.contains(index.image(expectedEntry).manifestDigest()), indexJson);
    }

    @Test
    void attestationsAreNeverChosenNorWritten() throws Exception {
        pull(work, OutputFormat.DOCKER, image(ref(StandardFixtures.MULTI_OCI, "1.0"), "linux/amd64"));
        List<String> blobs = blobNamesCheckingContent(work.resolve("out"));
        assertFalse(fixtures.multiOci().attestations().isEmpty());
        for (TestAttestation attestation : fixtures.multiOci().attestations()) {
            assertFalse(blobs.contains(attestation.manifestDigest()), "attestation " + attestation.manifestDigest() + " was written");
        }
    }

    @Test
    void noMatchingPlatformListsWhatTheImageHas() {
        ImagePullException e = assertThrows(ImagePullException.class,
                () -> pull(work, OutputFormat.DOCKER, image(ref(StandardFixtures.MULTI_DOCKER, "1.0"), "linux/s390x")));
        assertEquals(ImagePullException.Reason.NO_MATCHING_PLATFORM, e.reason());
        assertTrue(e.getMessage().contains(registry.address() + "/test/multi-docker:1.0"), e.getMessage());
        assertTrue(e.getMessage().contains("linux/s390x"), e.getMessage());
        for (String p : List.of("linux/amd64", "linux/arm64", "linux/arm/v7", "linux/arm/v5", "linux/ppc64le")) {
            assertTrue(e.getMessage().contains(p), e.getMessage());
        }
        assertFalse(e.getMessage().contains("unknown"), e.getMessage());
        assertFalse(Files.exists(work.resolve("out")));
    }
}
