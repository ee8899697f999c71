package io.github.frozenimages.images.core.model;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;

/**
 * The JSON reader and writer for registry documents. Registry content is untrusted: duplicate keys are
 * refused (two parsers could otherwise read two different images from one document), nesting and string
 * lengths are bounded, and trailing garbage after the document is an error.
 */
public final class Json {

    /** Shared, thread-safe once configured. */
    public static final ObjectMapper MAPPER = createMapper();

    private Json() {
    }

    private static ObjectMapper createMapper() {
        JsonFactory factory = JsonFactory.builder()
                .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
                .streamReadConstraints(StreamReadConstraints.builder()
                        .maxNestingDepth(64)
                        .maxStringLength(4 * 1024 * 1024)
                        .maxNumberLength(64)
                        .build())
                .build();
        ObjectMapper mapper = new ObjectMapper(factory);
        mapper.enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
        mapper.disable(SerializationFeature.INDENT_OUTPUT);
        return mapper;
    }

    /** Parses a document that must be a JSON object. */
    public static JsonNode readObject(byte[] bytes) throws IOException {
        JsonNode node;
        try (JsonParser parser = MAPPER.createParser(bytes)) {
            node = MAPPER.readTree(parser);
        }
        if (node == null || !node.isObject()) {
            throw new IOException("not a JSON object");
        }
        return node;
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
