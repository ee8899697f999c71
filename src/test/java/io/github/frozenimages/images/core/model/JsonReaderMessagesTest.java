package io.github.frozenimages.images.core.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * What the strict reader says when it refuses a document: the whole message, one line, in the plugin's words and
 * with the place in the document, because callers print it after "the manifest is not valid JSON: " and the build
 * prints every line of a message as an error line of its own.
 */
class JsonReaderMessagesTest {

    static Stream<Arguments> refusals() {
        String manifestStart = "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",";
        return Stream.of(
                Arguments.of("a repeated key",
                        "{\"a\":1,\"a\":2}", "duplicate key \"a\" at line 1, column 8"),
                Arguments.of("a repeated key on a later line, at where the second one starts",
                        "{\n  \"os\": \"linux\",\n  \"os\": \"windows\"\n}", "duplicate key \"os\" at line 3, column 3"),
                Arguments.of("a repeated mediaType, the column of its second copy",
                        manifestStart + "\"mediaType\":\"application/vnd.oci.image.index.v1+json\"}",
                        "duplicate key \"mediaType\" at line 1, column " + (manifestStart.length() + 1)),
                Arguments.of("a repeated key inside a nested object",
                        "{\"config\":{\"digest\":\"x\",\"digest\":\"y\"}}", "duplicate key \"digest\" at line 1, column 25"),
                Arguments.of("a repeated key holding a line break, escaped",
                        "{\"a\\nb\":1,\"a\\nb\":2}", "duplicate key \"a\\u000ab\" at line 1, column 11"),
                Arguments.of("a repeated key with quotes, escaped",
                        "{\"say \\\"hi\\\"\":1,\"say \\\"hi\\\"\":2}", "duplicate key \"say \\\"hi\\\"\" at line 1, column 17"),
                Arguments.of("a repeated key of 300 characters, cut short",
                        "{\"" + "k".repeat(300) + "\":1,\"" + "k".repeat(300) + "\":2}",
                        "duplicate key \"" + "k".repeat(200) + "\"... (300 characters) at line 1, column 307"),
                Arguments.of("65 levels",
                        "{\"x\":" + "[".repeat(64) + "]".repeat(64) + "}", "nested more than 64 levels deep at line 1, column 69"),
                Arguments.of("a hundred thousand levels",
                        "{\"x\":" + "[".repeat(100_000) + "]".repeat(100_000) + "}", "nested more than 64 levels deep at line 1, column 69"),
                Arguments.of("65 levels of objects",
                        "{" + "\"a\":{".repeat(64) + "}".repeat(64) + "}", "nested more than 64 levels deep at line 1, column 321"),
                Arguments.of("an integer of 65 digits",
                        "{\"size\":" + "1".repeat(65) + "}", "a number longer than 64 characters at line 1, column 9"),
                Arguments.of("an integer of a million digits",
                        "{\"size\":" + "9".repeat(1_000_000) + "}", "a number longer than 64 characters at line 1, column 9"),
                Arguments.of("a decimal of 65 characters",
                        "{\"x\":1." + "0".repeat(63) + "}", "a number longer than 64 characters at line 1, column 6"),
                Arguments.of("a document cut off inside an array",
                        "{\"layers\":[1,2", "the document ends early at line 1, column 15"),
                Arguments.of("a document cut off inside a string",
                        "{\"x\":\"abc", "the document ends early at line 1, column 10"),
                Arguments.of("a captive portal page",
                        "<html><body>Log in</body></html>", "unexpected character ('<' (code 60)): expected a valid value"
                                + " (JSON String, Number, Array, Object or token 'null', 'true' or 'false') at line 1, column 1"),
                Arguments.of("an array instead of an object",
                        "[{\"x\":1}]", "not a JSON object"),
                Arguments.of("an array closed by a brace, without the parser's note on where the array started",
                        "{\"a\":{\"b\":[1,2}", "unexpected close marker '}': expected ']' at line 1, column 15"),
                Arguments.of("NaN, without the parser's advice to enable one of its features",
                        "{\"x\":NaN}", "non-standard token 'NaN' at line 1, column 9"),
                Arguments.of("a missing colon",
                        "{\"x\" 1}", "unexpected character ('1' (code 49)): was expecting a colon to separate field name and value at line 1, column 6"),
                Arguments.of("a second document after the first",
                        "{\"x\":1}{\"y\":2}", "trailing content after the JSON document"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("refusals")
    void aRefusedDocumentGetsOneLineThatSaysWhatAndWhere(String what, String document, String message) {
        InvalidJsonException e = assertThrows(InvalidJsonException.class, () -> Json.readObject(document.getBytes(StandardCharsets.UTF_8)));
        assertEquals(message, e.getMessage());
    }

    @Test
    void sixtyFourLevelsAndSixtyFourDigitsAreAccepted() throws IOException {
        JsonNode deep = Json.readObject(("{\"x\":" + "[".repeat(63) + "]".repeat(63) + "}").getBytes(StandardCharsets.UTF_8));
        int depth = 1;
        for (JsonNode n = deep.get("x"); n.isArray(); n = n.path(0)) {
            depth++;
        }
        assertEquals(64, depth);
        JsonNode number = Json.readObject(("{\"size\":" + "1".repeat(64) + "}").getBytes(StandardCharsets.UTF_8));
        assertEquals("1".repeat(64), number.get("size").bigIntegerValue().toString());
    }

    @Test
    void aLocalToolsFileKeepsTheLastOfARepeatedKey() throws IOException {
        JsonNode node = Json.readObjectLenient("{\"auths\":{},\"auths\":{\"r\":{}}}".getBytes(StandardCharsets.UTF_8));
        assertEquals("{\"r\":{}}", node.get("auths").toString());
    }

    @Test
    void noRefusalOfTheJsonParserSpansTwoLines() {
        // Jackson's messages end in a second line "at [Source: REDACTED ...; line: 1, column: 10]"
        String[] broken = {"{\"x\":tru}", "{\"x\":\"a\u0001b\"}", "{\"x\":\"\\q\"}", "{\"x\":1}}", "{\"x\":01}", "{'x':1}", "{\"x\":1,}",
                "{\"x\":1} x", "{\"x\":" + "t".repeat(5000) + "}", "{\"a\":{\"b\":[1,2}"};
        for (String document : broken) {
            InvalidJsonException e = assertThrows(InvalidJsonException.class, () -> Json.readObject(document.getBytes(StandardCharsets.UTF_8)));
            assertFalse(e.getMessage().contains("\n") || e.getMessage().contains("\r"), e.getMessage());
            assertFalse(e.getMessage().contains("Source") || e.getMessage().contains("`"), e.getMessage());
            assertFalse(e.getMessage().length() > 300, e.getMessage());
        }
    }
}
