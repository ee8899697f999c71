package io.github.frozenimages.images.core.http;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.frozenimages.images.core.model.Json;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** Turns a registry's error body ({@code {"errors":[{"code","message"}]}}) into text for a message. */
public final class ErrorBodies {

    /** Error bodies are read only this far: they go into a message, not into memory without bound. */
    public static final int MAX_BODY = 64 * 1024;

    private ErrorBodies() {
    }

    /** Returns e.g. {@code MANIFEST_UNKNOWN: manifest unknown (HTTP 404)}. */
    public static String describe(int status, String body) {
        List<String> parts = new ArrayList<>();
        List<String> codes = codes(body);
        if (!codes.isEmpty()) {
            parts.addAll(codes);
        } else if (body != null && !body.isBlank() && !body.trim().startsWith("<")) {
            String line = body.trim().lines().findFirst().orElse("");
            parts.add(line.length() > 200 ? line.substring(0, 200) + "..." : line);
        }
        String text = String.join("; ", parts);
        return (text.isEmpty() ? "" : text + " ") + "(HTTP " + status + ")";
    }

    /** The {@code CODE: message} entries of a distribution error body, or nothing if it is not one. */
    public static List<String> codes(String body) {
        List<String> result = new ArrayList<>();
        if (body == null || body.isBlank()) {
            return result;
        }
        try {
            JsonNode root = Json.readObject(body.getBytes(StandardCharsets.UTF_8));
            JsonNode errors = root.get("errors");
            if (errors != null && errors.isArray()) {
                for (JsonNode e : errors) {
                    String code = e.path("code").asText("");
                    String message = e.path("message").asText("");
                    // a detail that is plain text names what the code is about (MANIFEST_BLOB_UNKNOWN: the digest)
                    JsonNode detail = e.path("detail");
                    String about = detail.isTextual() && !detail.asText().isBlank() ? " (" + detail.asText() + ")" : "";
                    result.add((message.isEmpty() ? code : code + ": " + message) + about);
                    if (result.size() == 5) {
                        break;
                    }
                }
            }
        } catch (java.io.IOException | RuntimeException e) {
            // not a distribution error document; the caller shows the raw text instead
        }
        return result;
    }
}
