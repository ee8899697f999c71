package io.github.frozenimages.images.core.model;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;

/**
 * The payload of a signed schema 1 manifest ({@code +prettyjws}). Its digest, and so the registry's
 * {@code Docker-Content-Digest} and every by-digest reference, covers the payload, not the served body:
 * the body's first {@code formatLength} bytes followed by the decoded {@code formatTail}, both taken from
 * the first signature's protected header. The payload is the manifest without its signatures.
 */
public final class JwsPayload {

    private static final byte[] SIGNATURES_KEY = "\"signatures\"".getBytes(StandardCharsets.US_ASCII);

    private JwsPayload() {
    }

    /** The bytes a digest is computed over: the payload of a signed schema 1 manifest, else the body itself. */
    public static byte[] of(byte[] body) throws ManifestFormatException {
        if (indexOf(body, SIGNATURES_KEY) < 0) {
            return body; // the cheap test keeps every other manifest from being parsed twice
        }
        JsonNode root;
        try {
            root = Json.readObject(body);
        } catch (IOException e) {
            return body; // not JSON: the parser that follows reports it
        }
        JsonNode signatures = root.get("signatures");
        if (!Schema1Manifest.declaresVersion1(root) || signatures == null) {
            return body;
        }
        if (!signatures.isArray() || signatures.isEmpty() || !signatures.get(0).isObject()) {
            throw new ManifestFormatException("the schema 1 manifest's signatures are not a list of signatures", false);
        }
        JsonNode header;
        try {
            header = Json.readObject(decode(Json.text(signatures.get(0), "protected")));
        } catch (IOException | IllegalArgumentException e) {
            throw new ManifestFormatException("the schema 1 manifest's protected header is unreadable: " + e.getMessage(), false);
        }
        JsonNode length = header.get("formatLength");
        JsonNode tail = header.get("formatTail");
        if (length == null || !length.isIntegralNumber() || !length.canConvertToInt() || length.intValue() <= 0
                || length.intValue() > body.length
                || tail == null || !tail.isTextual()) {
            throw new ManifestFormatException("the schema 1 manifest's protected header has no usable formatLength and formatTail", false);
        }
        byte[] tailBytes;
        try {
            tailBytes = decode(tail.textValue());
        } catch (IllegalArgumentException e) {
            throw new ManifestFormatException("the schema 1 manifest's formatTail is not base64url: " + e.getMessage(), false);
        }
        byte[] payload = Arrays.copyOf(body, length.intValue() + tailBytes.length);
        System.arraycopy(tailBytes, 0, payload, length.intValue(), tailBytes.length);
        return payload;
    }

    /** JOSE base64url: the padding is left off, and Java's decoder accepts that. */
    private static byte[] decode(String value) {
        if (value == null) {
            throw new IllegalArgumentException("missing");
        }
        return Base64.getUrlDecoder().decode(value);
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
