package io.github.frozenimages.images.core.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The answers Docker and Podman give to POST /images/load, as they give them. */
class LoadResponseTest {

    private static LoadResponse.Parsed parse(String body) {
        return LoadResponse.parse(body.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void dockerStreamsOneLinePerLoadedName() {
        LoadResponse.Parsed parsed = parse("{\"stream\":\"Loaded image: busybox:1.36\\n\"}\r\n"
                + "{\"stream\":\"Loaded image: registry.example:5000/team/app:1.0\\n\"}\r\n");
        assertNull(parsed.error());
        assertEquals(List.of("busybox:1.36", "registry.example:5000/team/app:1.0"), parsed.images().names());
        assertEquals(List.of(), parsed.images().ids());
    }

    @Test
    void dockerNamesAnUntaggedImageByItsId() {
        LoadResponse.Parsed parsed = parse("{\"stream\":\"Loaded image ID: sha256:0123abcd\\n\"}\n"
                + "{\"stream\":\"Loaded image: a:1\\n\"}\n");
        assertEquals(List.of("a:1"), parsed.images().names());
        assertEquals(List.of("sha256:0123abcd"), parsed.images().ids());
    }

    @Test
    void podmanJoinsAllNamesInOneObjectWithoutNewline() {
        // as podman 4.3's compat API answered in this project's tests
        LoadResponse.Parsed parsed = parse("{\"stream\":\"Loaded image: 127.0.0.1:5000/test/docker-image:1.0,"
                + "127.0.0.1:5000/test/oci-image:1.0,127.0.0.1:5000/test/shared-base:2.0\"}");
        assertEquals(List.of("127.0.0.1:5000/test/docker-image:1.0", "127.0.0.1:5000/test/oci-image:1.0",
                "127.0.0.1:5000/test/shared-base:2.0"), parsed.images().names());
    }

    @Test
    void objectsWithoutAnySeparatorAndOtherLinesAreRead() {
        LoadResponse.Parsed parsed = parse("{\"status\":\"Loading layer\",\"progressDetail\":{\"current\":1,\"total\":2}}"
                + "{\"stream\":\"some notice\\nLoaded image: a:1\\n\"}");
        assertEquals(List.of("a:1"), parsed.images().names());
        assertEquals(List.of("some notice"), parsed.images().output());
    }

    @Test
    void anErrorInTheStreamIsTheRefusalEvenAfterA200() {
        LoadResponse.Parsed parsed = parse("{\"stream\":\"Loaded image: a:1\\n\"}\r\n"
                + "{\"errorDetail\":{\"message\":\"open /var/lib/docker/tmp/x/json: no such file or directory\"},"
                + "\"error\":\"open /var/lib/docker/tmp/x/json: no such file or directory\"}\r\n");
        assertEquals("open /var/lib/docker/tmp/x/json: no such file or directory", parsed.error());
    }

    @Test
    void aBareErrorFieldCountsToo() {
        assertEquals("unexpected EOF", parse("{\"error\":\"unexpected EOF\"}").error());
    }

    @Test
    void plainTextIsReadLineByLine() {
        LoadResponse.Parsed parsed = parse("Loaded image: a:1\nLoaded image: b:2\n");
        assertEquals(List.of("a:1", "b:2"), parsed.images().names());
    }

    @Test
    void braceInsideAStringDoesNotSplitTheObject() {
        LoadResponse.Parsed parsed = parse("{\"stream\":\"odd } { \\\" text\\n\"}{\"stream\":\"Loaded image: a:1\"}");
        assertEquals(List.of("a:1"), parsed.images().names());
        assertEquals(List.of("odd } { \" text"), parsed.images().output());
    }

    @Test
    void errorAnswersGiveTheirMessage() {
        // Docker's shape
        assertEquals("invalid tar header", message("{\"message\":\"invalid tar header\"}\n"));
        // Podman's shape: message repeats the cause with context
        assertEquals("failed to load image: payload does not match any of the supported image formats:\n * oci: x",
                message("{\"cause\":\"payload does not match any of the supported image formats:\\n * oci: x\","
                        + "\"message\":\"failed to load image: payload does not match any of the supported image formats:\\n * oci: x\","
                        + "\"response\":500}"));
        assertEquals("503 Service Unavailable from a proxy", message("503 Service Unavailable from a proxy\n"));
        assertEquals("no explanation given", message(""));
        assertTrue(message("x".repeat(10_000)).endsWith("..."));
        assertEquals(LoadResponse.MAX_MESSAGE + 3, message("x".repeat(10_000)).length());
    }

    private static String message(String body) {
        return LoadResponse.errorMessage(body.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void splitsOnlyWellFormedStreams() {
        assertEquals(List.of("{\"a\":1}", "{\"b\":[1,{}]}"), LoadResponse.splitObjects(" {\"a\":1}\r\n{\"b\":[1,{}]} "));
        assertNull(LoadResponse.splitObjects("[1,2]"));
        assertNull(LoadResponse.splitObjects("{\"a\":1"));
        assertNull(LoadResponse.splitObjects("{}}"));
        assertNull(LoadResponse.splitObjects("text {}"));
        assertEquals(List.of(), LoadResponse.splitObjects("  "));
    }
}
