package io.github.frozenimages.images.testing;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * Jackson helpers for the fixture documents. Documents are serialised once, compactly, and the
 * resulting bytes are the identity of the document: every later use goes through those bytes.
 */
final class Json {

    static final ObjectMapper MAPPER = new ObjectMapper();

    private Json() {
    }

    static ObjectNode object() {
        return MAPPER.createObjectNode();
    }

    static byte[] bytes(JsonNode node) {
        try {
            return MAPPER.writeValueAsBytes(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialise " + node, e);
        }
    }

    static JsonNode parse(byte[] bytes) {
        try {
            return MAPPER.readTree(bytes);
        } catch (IOException e) {
            throw new UncheckedIOException("not JSON: " + new String(bytes, StandardCharsets.UTF_8), e);
        }
    }

    static JsonNode parse(String text) {
        return parse(text.getBytes(StandardCharsets.UTF_8));
    }

    /** A content descriptor: {@code {mediaType, digest, size}} in that order, as most producers write it. */
    static ObjectNode descriptor(String mediaType, byte[] content) {
        ObjectNode descriptor = object();
        descriptor.put("mediaType", mediaType);
        descriptor.put("digest", Sha256.digest(content));
        descriptor.put("size", content.length);
        return descriptor;
    }

    static ObjectNode stringMap(Map<String, String> entries) {
        ObjectNode node = object();
        entries.forEach(node::put);
        return node;
    }
}
