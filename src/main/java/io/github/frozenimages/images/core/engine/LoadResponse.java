package io.github.frozenimages.images.core.engine;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.frozenimages.images.core.model.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads the engine's answers to {@code POST /images/load}. A success is a stream of JSON objects (Docker:
 * one per line, {@code {"stream":"Loaded image: a:1\n"}}; Podman: one object naming every image,
 * {@code {"stream":"Loaded image: a:1,b:2"}}), in which a failure can still come as
 * {@code {"errorDetail":{"message":...},"error":...}}. A refusal is an HTTP error whose body is
 * {@code {"message":...}} (Podman adds {@code cause} and {@code response}).
 */
final class LoadResponse {

    private static final String LOADED_IMAGE = "Loaded image: ";
    private static final String LOADED_IMAGE_ID = "Loaded image ID: ";
    /** How much of an engine's error text a message repeats. */
    static final int MAX_MESSAGE = 4000;

    private LoadResponse() {
    }

    /** A 2xx answer: what was loaded, or the error the stream reported. */
    record Parsed(LoadedImages images, String error) {
    }

    static Parsed parse(byte[] body) {
        String text = new String(body, StandardCharsets.UTF_8);
        List<String> names = new ArrayList<>();
        List<String> ids = new ArrayList<>();
        List<String> other = new ArrayList<>();
        String error = null;
        List<String> objects = splitObjects(text);
        if (objects == null) {
            // not a JSON stream (an engine or proxy answering plain text): read its lines all the same
            readLines(text, names, ids, other);
        } else {
            for (String object : objects) {
                JsonNode node;
                try {
                    node = Json.readObjectLenient(object.getBytes(StandardCharsets.UTF_8));
                } catch (IOException e) {
                    other.add(object.trim());
                    continue;
                }
                String message = errorOf(node);
                if (message != null && error == null) {
                    error = message;
                }
                JsonNode stream = node.get("stream");
                if (stream != null && stream.isTextual()) {
                    readLines(stream.asText(), names, ids, other);
                }
            }
        }
        return new Parsed(new LoadedImages(names, ids, other), error);
    }

    /** The engine's explanation in a non-2xx answer: its {@code message}, else the text itself. */
    static String errorMessage(byte[] body) {
        String text = new String(body, StandardCharsets.UTF_8).trim();
        if (text.isEmpty()) {
            return "no explanation given";
        }
        List<String> objects = splitObjects(text);
        if (objects != null && !objects.isEmpty()) {
            try {
                JsonNode node = Json.readObjectLenient(objects.get(0).getBytes(StandardCharsets.UTF_8));
                String message = node.path("message").isTextual() ? node.get("message").asText() : errorOf(node);
                if (message != null && !message.isBlank()) {
                    return shorten(message.trim());
                }
            } catch (IOException e) {
                // fall through to the raw text
            }
        }
        return shorten(text);
    }

    private static String errorOf(JsonNode node) {
        JsonNode detail = node.path("errorDetail").path("message");
        if (detail.isTextual() && !detail.asText().isBlank()) {
            return shorten(detail.asText().trim());
        }
        JsonNode error = node.get("error");
        if (error != null && error.isTextual() && !error.asText().isBlank()) {
            return shorten(error.asText().trim());
        }
        return null;
    }

    private static void readLines(String text, List<String> names, List<String> ids, List<String> other) {
        for (String raw : text.split("\r?\n")) {
            String line = raw.trim();
            if (line.startsWith(LOADED_IMAGE_ID)) {
                ids.add(line.substring(LOADED_IMAGE_ID.length()).trim());
            } else if (line.startsWith(LOADED_IMAGE)) {
                // Podman joins all names of one load with commas; a name never contains one
                for (String name : line.substring(LOADED_IMAGE.length()).split(",")) {
                    if (!name.isBlank()) {
                        names.add(name.trim());
                    }
                }
            } else if (!line.isEmpty()) {
                other.add(line);
            }
        }
    }

    /**
     * The top-level JSON objects of a stream, however they are separated (newlines, CRLF, nothing); null
     * when the text is not such a stream.
     */
    static List<String> splitObjects(String text) {
        List<String> objects = new ArrayList<>();
        int depth = 0;
        boolean inString = false;
        boolean escaped = false;
        int start = -1;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (inString) {
                if (escaped) {
                    escaped = false;
                } else if (c == '\\') {
                    escaped = true;
                } else if (c == '"') {
                    inString = false;
                }
            } else if (c == '"') {
                if (depth == 0) {
                    return null;
                }
                inString = true;
            } else if (c == '{' || c == '[') {
                if (depth == 0) {
                    if (c == '[') {
                        return null;
                    }
                    start = i;
                }
                depth++;
            } else if (c == '}' || c == ']') {
                depth--;
                if (depth < 0) {
                    return null;
                }
                if (depth == 0) {
                    objects.add(text.substring(start, i + 1));
                }
            } else if (depth == 0 && !Character.isWhitespace(c)) {
                return null;
            }
        }
        return depth == 0 ? objects : null;
    }

    private static String shorten(String message) {
        return message.length() <= MAX_MESSAGE ? message : message.substring(0, MAX_MESSAGE) + "...";
    }
}
