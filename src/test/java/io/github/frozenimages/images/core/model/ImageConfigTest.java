package io.github.frozenimages.images.core.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.github.frozenimages.images.core.ref.Digest;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The image config fields the writers need: the diff_ids, base first. */
class ImageConfigTest {

    private static final Digest A = Digest.sha256("a".getBytes(StandardCharsets.UTF_8));
    private static final Digest B = Digest.sha256("b".getBytes(StandardCharsets.UTF_8));
    private static final Digest C = Digest.sha256("c".getBytes(StandardCharsets.UTF_8));

    private static ImageConfig parse(String json) throws IOException {
        return ImageConfig.parse(json.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void diffIdsAreReadInOrder() throws IOException {
        // deliberately not sorted: the order is the layer order and must be kept as written
        ImageConfig config = parse("{\"architecture\":\"arm\",\"os\":\"linux\",\"variant\":\"v7\","
                + "\"config\":{\"Env\":[\"PATH=/bin\"]},"
                + "\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\"" + C + "\",\"" + A + "\",\"" + B + "\"]}}");
        assertEquals(List.of(C, A, B), config.diffIds());
        assertEquals("linux", config.os());
        assertEquals("arm", config.architecture());
        assertEquals("v7", config.variant());
    }

    @Test
    void emptyDiffIdsAndNoPlatformFields() throws IOException {
        // a scratch image with no layers is legal
        ImageConfig config = parse("{\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[]}}");
        assertEquals(List.of(), config.diffIds());
        assertNull(config.os());
        assertNull(config.variant());
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "{\"architecture\":\"amd64\",\"os\":\"linux\"}",
            "{\"rootfs\":null}",
            "{\"rootfs\":\"layers\"}",
            "{\"rootfs\":{\"type\":\"layers\"}}",
            "{\"rootfs\":{\"type\":\"layers\",\"diff_ids\":\"sha256:abc\"}}",
            "{\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\"sha256:XYZ\"]}}",
            "{\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\"../../etc/passwd\"]}}",
            "not json",
            "[]",
    })
    void unusableConfigIsRefused(String json) {
        ManifestFormatException e = assertThrows(ManifestFormatException.class, () -> parse(json));
        assertFalse(e.unsupported());
    }

    @Test
    void missingRootfsIsNamedInTheMessage() {
        ManifestFormatException e = assertThrows(ManifestFormatException.class, () -> parse("{\"os\":\"linux\"}"));
        assertEquals("the image config has no rootfs", e.getMessage());
    }
}
