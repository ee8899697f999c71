package io.github.frozenimages.images.core.model;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Iterator;
import java.util.Map;

/**
 * The JSON reader and writer for registry documents. Registry content is untrusted: duplicate keys are
 * refused (two parsers could otherwise read two different images from one document), nesting, number and
 * string lengths are bounded, and trailing garbage after the document is an error.
 *
 * <p>Trees are built and written over Jackson's streaming parser directly: an {@code ObjectMapper} would
 * cost a few hundred milliseconds of class loading at every build, more than a whole warm pull.
 *
 * <p>Duplicate keys, nesting and number lengths are checked here rather than by Jackson, so that a refusal
 * is one line in the plugin's words ({@code duplicate key "mediaType" at line 1, column 410}); Jackson's own
 * messages span two lines and name its configuration ({@code StreamReadConstraints.getMaxNestingDepth()}).
 * Jackson's limits stay as a backstop above these.
 */
public final class Json {

    /** Far deeper than any registry document needs (an index entry's os.features are five levels down). */
    static final int MAX_DEPTH = 64;

    /** Longer than any size, timestamp or schema version; a longer number could only be an attack on the parser. */
    static final int MAX_NUMBER_LENGTH = 64;

    /** The longest string or key: a whole manifest is no longer ({@link ManifestDocument#MAX_BYTES}). */
    static final int MAX_STRING_LENGTH = 4 * 1024 * 1024;

    private static final JsonFactory FACTORY = JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder()
                    // one above this reader's own depth check, which therefore always speaks first
                    .maxNestingDepth(MAX_DEPTH + 1)
                    .maxStringLength(MAX_STRING_LENGTH)
                    .maxNameLength(MAX_STRING_LENGTH)
                    // this reader refuses numbers over MAX_NUMBER_LENGTH itself, before one is converted
                    .maxNumberLength(Integer.MAX_VALUE)
                    .build())
            .build();

    /** For files written by other tools (Docker's config.json), read like Go's encoding/json: a repeated key is not an error. */
    private static final JsonFactory LENIENT = JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(MAX_DEPTH).build())
            .build();

    private static final JsonNodeFactory NODES = JsonNodeFactory.withExactBigDecimals(true);

    private Json() {
    }

    /** Parses a document that must be a JSON object; a refusal is an {@link InvalidJsonException} of one line. */
    public static JsonNode readObject(byte[] bytes) throws IOException {
        try (JsonParser parser = FACTORY.createParser(bytes)) {
            try {
                return readObject(parser, true);
            } catch (JsonProcessingException e) {
                throw InvalidJsonException.from(e, parser);
            }
        }
    }

    /**
     * Parses a local tool's file that must be a JSON object; a repeated key keeps its last value. Its failures
     * keep Jackson's exceptions, whose location a caller may report: their messages may quote the file, which
     * can hold secrets, so no caller shows them.
     */
    public static JsonNode readObjectLenient(byte[] bytes) throws IOException {
        try (JsonParser parser = LENIENT.createParser(bytes)) {
            return readObject(parser, false);
        }
    }

    private static JsonNode readObject(JsonParser parser, boolean strict) throws IOException {
        JsonToken first = parser.nextToken();
        if (first != JsonToken.START_OBJECT) {
            throw new InvalidJsonException("not a JSON object");
        }
        JsonNode node = readValue(parser, first, 1, strict);
        if (parser.nextToken() != null) {
            throw new InvalidJsonException("trailing content after the JSON document");
        }
        return node;
    }

    /** @param depth how deep {@code token} is: 1 for the document's own object */
    private static JsonNode readValue(JsonParser p, JsonToken token, int depth, boolean strict) throws IOException {
        if (strict && depth > MAX_DEPTH && (token == JsonToken.START_OBJECT || token == JsonToken.START_ARRAY)) {
            throw InvalidJsonException.at("nested more than " + MAX_DEPTH + " levels deep", p.currentTokenLocation());
        }
        switch (token) {
            case START_OBJECT: {
                ObjectNode object = NODES.objectNode();
                for (JsonToken t = p.nextToken(); t != JsonToken.END_OBJECT; t = p.nextToken()) {
                    String name = p.currentName();
                    if (strict && object.has(name)) {
                        throw InvalidJsonException.at("duplicate key " + InvalidJsonException.quote(name), p.currentTokenLocation());
                    }
                    object.set(name, readValue(p, p.nextToken(), depth + 1, strict));
                }
                return object;
            }
            case START_ARRAY: {
                ArrayNode array = NODES.arrayNode();
                for (JsonToken t = p.nextToken(); t != JsonToken.END_ARRAY; t = p.nextToken()) {
                    array.add(readValue(p, t, depth + 1, strict));
                }
                return array;
            }
            case VALUE_STRING:
                return NODES.textNode(p.getText());
            case VALUE_NUMBER_INT:
                checkNumberLength(p, strict);
                return p.getNumberType() == JsonParser.NumberType.BIG_INTEGER
                        ? NODES.numberNode(p.getBigIntegerValue()) : NODES.numberNode(p.getLongValue());
            case VALUE_NUMBER_FLOAT:
                checkNumberLength(p, strict);
                return NODES.numberNode(p.getDecimalValue());
            case VALUE_TRUE:
                return NODES.booleanNode(true);
            case VALUE_FALSE:
                return NODES.booleanNode(false);
            case VALUE_NULL:
                return NODES.nullNode();
            default:
                throw new IOException("unexpected JSON token " + token);
        }
    }

    /** Before the number is converted: turning a megabyte of digits into a BigInteger takes quadratic time. */
    private static void checkNumberLength(JsonParser p, boolean strict) throws IOException {
        if (strict && p.getTextLength() > MAX_NUMBER_LENGTH) {
            throw InvalidJsonException.at("a number longer than " + MAX_NUMBER_LENGTH + " characters", p.currentTokenLocation());
        }
    }

    /** Compact, in the tree's own field order: the same tree always gives the same bytes. */
    public static byte[] write(JsonNode node) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (JsonGenerator g = FACTORY.createGenerator(out)) {
            writeValue(g, node);
        }
        return out.toByteArray();
    }

    private static void writeValue(JsonGenerator g, JsonNode node) throws IOException {
        if (node.isObject()) {
            g.writeStartObject();
            for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                g.writeFieldName(e.getKey());
                writeValue(g, e.getValue());
            }
            g.writeEndObject();
        } else if (node.isArray()) {
            g.writeStartArray();
            for (JsonNode item : node) {
                writeValue(g, item);
            }
            g.writeEndArray();
        } else if (node.isTextual()) {
            g.writeString(node.textValue());
        } else if (node.isIntegralNumber()) {
            g.writeNumber(node.bigIntegerValue());
        } else if (node.isNumber()) {
            g.writeNumber(node.decimalValue());
        } else if (node.isBoolean()) {
            g.writeBoolean(node.booleanValue());
        } else {
            g.writeNull();
        }
    }

    /**
     * Refuses a key that differs from one of {@code fields} only in case ({@code "Layers"} beside or instead of
     * {@code "layers"}): Go's decoder matches struct fields case-insensitively, so another client would read it as
     * that field while this one ignores it.
     */
    public static void refuseCaseVariants(JsonNode object, String where, String... fields) throws IOException {
        for (Iterator<String> names = object.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            for (String field : fields) {
                if (!name.equals(field) && name.equalsIgnoreCase(field)) {
                    throw new IOException(where + " has a key \"" + name + "\" that differs from \"" + field + "\" only in case");
                }
            }
        }
    }

    /** A text field, or null when absent; a non-text value is an error rather than silently coerced. */
    public static String text(JsonNode node, String field) throws IOException {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isTextual()) {
            throw new IOException("field \"" + field + "\" must be a string");
        }
        return value.asText();
    }
}
