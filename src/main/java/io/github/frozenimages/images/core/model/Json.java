package io.github.frozenimages.images.core.model;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
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
 * refused (two parsers could otherwise read two different images from one document), nesting and string
 * lengths are bounded, and trailing garbage after the document is an error.
 *
 * <p>Trees are built and written over Jackson's streaming parser directly: an {@code ObjectMapper} would
 * cost a few hundred milliseconds of class loading at every build, more than a whole warm pull.
 */
public final class Json {

    private static final JsonFactory FACTORY = JsonFactory.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .streamReadConstraints(StreamReadConstraints.builder()
                    .maxNestingDepth(64)
                    .maxStringLength(4 * 1024 * 1024)
                    .maxNumberLength(64)
                    .build())
            .build();

    /** For files written by other tools (Docker's config.json), read like Go's encoding/json: a repeated key is not an error. */
    private static final JsonFactory LENIENT = JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(64).build())
            .build();

    private static final JsonNodeFactory NODES = JsonNodeFactory.withExactBigDecimals(true);

    private Json() {
    }

    /** Parses a document that must be a JSON object. */
    public static JsonNode readObject(byte[] bytes) throws IOException {
        return readObject(FACTORY, bytes);
    }

    /** Parses a local tool's file that must be a JSON object; a repeated key keeps its last value. */
    public static JsonNode readObjectLenient(byte[] bytes) throws IOException {
        return readObject(LENIENT, bytes);
    }

    private static JsonNode readObject(JsonFactory factory, byte[] bytes) throws IOException {
        JsonNode node;
        try (JsonParser parser = factory.createParser(bytes)) {
            JsonToken first = parser.nextToken();
            if (first != JsonToken.START_OBJECT) {
                throw new IOException("not a JSON object");
            }
            node = readValue(parser, first);
            if (parser.nextToken() != null) {
                throw new IOException("trailing content after the JSON document");
            }
        }
        return node;
    }

    private static JsonNode readValue(JsonParser p, JsonToken token) throws IOException {
        switch (token) {
            case START_OBJECT: {
                ObjectNode object = NODES.objectNode();
                for (JsonToken t = p.nextToken(); t != JsonToken.END_OBJECT; t = p.nextToken()) {
                    String name = p.currentName();
                    object.set(name, readValue(p, p.nextToken()));
                }
                return object;
            }
            case START_ARRAY: {
                ArrayNode array = NODES.arrayNode();
                for (JsonToken t = p.nextToken(); t != JsonToken.END_ARRAY; t = p.nextToken()) {
                    array.add(readValue(p, t));
                }
                return array;
            }
            case VALUE_STRING:
                return NODES.textNode(p.getText());
            case VALUE_NUMBER_INT:
                return p.getNumberType() == JsonParser.NumberType.BIG_INTEGER
                        ? NODES.numberNode(p.getBigIntegerValue()) : NODES.numberNode(p.getLongValue());
            case VALUE_NUMBER_FLOAT:
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
