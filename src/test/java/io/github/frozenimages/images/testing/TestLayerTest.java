package io.github.frozenimages.images.testing;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.junit.jupiter.api.Test;

class TestLayerTest {

    @Test
    void theSameSeedGivesTheSameBytes() {
        assertArrayEquals(TestLayer.gzip("same", 10_000).blob(), TestLayer.gzip("same", 10_000).blob());
        assertNotEquals(TestLayer.gzip("same", 10_000).digest(), TestLayer.gzip("other", 10_000).digest());
    }

    @Test
    void theDiffIdIsTheDigestOfTheUncompressedTar() throws IOException {
        TestLayer layer = TestLayer.gzip("diff-id", 20_000);
        byte[] tar = new GZIPInputStream(new ByteArrayInputStream(layer.blob())).readAllBytes();
        assertEquals(Sha256.digest(tar), layer.diffId());
        assertEquals(Sha256.digest(layer.blob()), layer.digest());
        assertTrue(layer.size() > 20_000, "random content should not compress: " + layer.size());
    }

    @Test
    void aPlainLayerIsItsOwnTar() {
        TestLayer layer = TestLayer.plain("plain", 1_000);
        assertEquals(layer.diffId(), layer.digest());
        assertEquals(MediaTypes.OCI_LAYER_TAR, layer.mediaType(true));
        assertEquals(MediaTypes.DOCKER_LAYER_TAR, layer.mediaType(false));
        assertEquals(MediaTypes.OCI_LAYER_GZIP, TestLayer.gzip("g", 1).mediaType(true));
        assertEquals(MediaTypes.DOCKER_LAYER_GZIP, TestLayer.gzip("g", 1).mediaType(false));
    }

    @Test
    void theTarHoldsTheSeedFileAndData() throws IOException {
        TestLayer layer = TestLayer.plain("a/b:c", 3_000);
        List<String> names = new ArrayList<>();
        try (TarArchiveInputStream tar = new TarArchiveInputStream(new ByteArrayInputStream(layer.tar()))) {
            for (TarArchiveEntry entry = tar.getNextEntry(); entry != null; entry = tar.getNextEntry()) {
                names.add(entry.getName());
                if (entry.getName().endsWith("seed.txt")) {
                    assertEquals("a/b:c\n", new String(tar.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8));
                }
                if (entry.getName().endsWith("data.bin")) {
                    assertEquals(3_000, entry.getSize());
                }
            }
        }
        assertEquals(List.of("fixture/", "fixture/a_b_c/", "fixture/a_b_c/seed.txt", "fixture/a_b_c/data.bin"), names);
    }
}
