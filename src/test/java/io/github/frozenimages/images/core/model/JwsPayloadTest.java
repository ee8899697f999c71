package io.github.frozenimages.images.core.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.frozenimages.images.core.ref.Digest;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The payload of a signed schema 1 manifest: what the registry's digest covers. The signed bodies here are laid out
 * as libtrust's {@code PrettySignature} writes them, which is what registries store and serve.
 */
class JwsPayloadTest {

    private static final String ID = Digest.sha256(bytes("v1 id")).hex();
    private static final Digest BLOB = Digest.sha256(bytes("layer"));

    /** The manifest as Docker marshals it before signing: 3-space indent, no trailing line break. */
    private static final String PAYLOAD = "{\n"
            + "   \"schemaVersion\": 1,\n"
            + "   \"name\": \"library/app\",\n"
            + "   \"tag\": \"1\",\n"
            + "   \"architecture\": \"amd64\",\n"
            + "   \"fsLayers\": [\n"
            + "      {\n"
            + "         \"blobSum\": \"" + BLOB + "\"\n"
            + "      }\n"
            + "   ],\n"
            + "   \"history\": [\n"
            + "      {\n"
            + "         \"v1Compatibility\": \"{\\\"id\\\":\\\"" + ID + "\\\",\\\"created\\\":\\\"2016-06-01T10:00:00Z\\\"}\"\n"
            + "      }\n"
            + "   ]\n"
            + "}";

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static String base64url(String s) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes(s));
    }

    /** libtrust's split: the payload up to the last non-space before its closing brace, and the rest. */
    private static int formatLength(String payload) {
        int close = payload.stripTrailing().length() - 1;
        if (payload.charAt(close) != '}') {
            throw new IllegalArgumentException("not a JSON object");
        }
        return payload.substring(0, close).stripTrailing().length();
    }

    /** The protected header libtrust writes: formatLength, formatTail and the signing time. */
    private static String protectedHeader(String payload, String time) {
        int length = formatLength(payload);
        return base64url("{\"formatLength\":" + length + ",\"formatTail\":\"" + base64url(payload.substring(length))
                + "\",\"time\":\"" + time + "\"}");
    }

    /** One entry of the signatures list, indented as libtrust's MarshalIndent with "   " does. */
    private static String signature(String protectedHeader, String signature) {
        return "      {\n"
                + "         \"header\": {\n"
                + "            \"jwk\": {\n"
                + "               \"crv\": \"P-256\",\n"
                + "               \"kid\": \"ABCD:EFGH:IJKL\",\n"
                + "               \"kty\": \"EC\",\n"
                + "               \"x\": \"" + base64url("x coordinate") + "\",\n"
                + "               \"y\": \"" + base64url("y coordinate") + "\"\n"
                + "            },\n"
                + "            \"alg\": \"ES256\"\n"
                + "         },\n"
                + "         \"signature\": \"" + base64url(signature) + "\",\n"
                + "         \"protected\": \"" + protectedHeader + "\"\n"
                + "      }";
    }

    /** The signed body: the payload without its tail, then the signatures, then the closing brace. */
    private static String signed(String payload, List<String> signatures) {
        return payload.substring(0, formatLength(payload))
                + ",\n   \"signatures\": [\n" + String.join(",\n", signatures) + "\n   ]\n}";
    }

    private static String signed(String payload, String time, String signature) {
        return signed(payload, List.of(signature(protectedHeader(payload, time), signature)));
    }

    /** A signed body whose only signature carries this protected header. */
    private static byte[] withProtected(String protectedHeader) {
        return bytes(signed(PAYLOAD, List.of(signature(protectedHeader, "sig"))));
    }

    private static void assertRefused(byte[] body, String expected) {
        ManifestFormatException e = assertThrows(ManifestFormatException.class, () -> JwsPayload.of(body));
        assertFalse(e.unsupported(), "a signed manifest that cannot be named is broken, not foreign");
        assertTrue(e.getMessage().contains(expected), "expected \"" + expected + "\" in: " + e.getMessage());
    }

    @Test
    void signedBodyLooksLikeWhatRegistriesServe() {
        // the fixture itself: libtrust cuts the payload before "\n}" and appends the signatures there
        assertEquals(PAYLOAD.length() - 2, formatLength(PAYLOAD));
        String body = signed(PAYLOAD, "2016-06-01T10:00:00Z", "sig");
        assertTrue(body.startsWith(PAYLOAD.substring(0, PAYLOAD.length() - 2) + ",\n   \"signatures\": [\n      {\n"), body);
        assertTrue(body.endsWith("\"\n      }\n   ]\n}"), body);
    }

    @Test
    void payloadOfASignedManifestIsTheManifestWithoutItsSignatures() throws IOException {
        byte[] body = bytes(signed(PAYLOAD, "2016-06-01T10:00:00Z", "sig"));
        byte[] payload = JwsPayload.of(body);
        assertArrayEquals(bytes(PAYLOAD), payload);
        // the registry names the manifest by this digest, not by the body's
        assertEquals(Digest.sha256(bytes(PAYLOAD)), Digest.sha256(payload));
        assertNotEquals(Digest.sha256(body), Digest.sha256(payload));
    }

    @Test
    void payloadParsesAsTheSameSchema1Manifest() throws IOException {
        byte[] body = bytes(signed(PAYLOAD, "2016-06-01T10:00:00Z", "sig"));
        Schema1Manifest manifest = (Schema1Manifest) ManifestDocument.parse(JwsPayload.of(body), MediaTypes.DOCKER_SCHEMA1_SIGNED);
        assertEquals(ID, manifest.top().id());
        assertEquals(BLOB, manifest.top().blobSum());
        assertEquals(MediaTypes.DOCKER_SCHEMA1_SIGNED, manifest.mediaType());
    }

    @Test
    void differentSignaturesOfOneManifestGiveOnePayload() throws IOException {
        // a registry re-signs on every pull: the body changes, the digest must not
        byte[] first = bytes(signed(PAYLOAD, "2016-06-01T10:00:00Z", "first signature"));
        byte[] second = bytes(signed(PAYLOAD, "2024-01-02T03:04:05Z", "second signature"));
        assertFalse(java.util.Arrays.equals(first, second));
        assertArrayEquals(JwsPayload.of(first), JwsPayload.of(second));
    }

    @Test
    void theFirstSignatureDecides() throws IOException {
        byte[] body = bytes(signed(PAYLOAD, List.of(signature(protectedHeader(PAYLOAD, "2016-06-01T10:00:00Z"), "one"),
                signature(base64url("{\"formatLength\":1,\"formatTail\":\"\"}"), "two"))));
        assertArrayEquals(bytes(PAYLOAD), JwsPayload.of(body));
    }

    @Test
    void tailWithATrailingLineBreakIsRestored() throws IOException {
        // the tail is whatever followed the last member: a payload ending "}\n" keeps its line break
        String payload = PAYLOAD + "\n";
        byte[] payloadBytes = JwsPayload.of(bytes(signed(payload, "2016-06-01T10:00:00Z", "sig")));
        assertArrayEquals(bytes(payload), payloadBytes);
    }

    @Test
    void unsignedSchema1ManifestIsReturnedAsIs() throws IOException {
        byte[] body = bytes(PAYLOAD);
        assertSame(body, JwsPayload.of(body));
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "{\"schemaVersion\":2,\"mediaType\":\"" + MediaTypes.OCI_MANIFEST + "\",\"config\":{},\"layers\":[]}",
            // "signatures" in a later format means nothing to schema 1: the body is the content
            "{\"schemaVersion\":2,\"mediaType\":\"" + MediaTypes.OCI_MANIFEST + "\",\"config\":{},\"layers\":[],"
                    + "\"annotations\":{\"signatures\":\"x\"}}",
            "{\"schemaVersion\":2,\"signatures\":[{\"protected\":\"!!\"}]}",
            "{\"schemaVersion\":\"1\",\"signatures\":[{\"protected\":\"!!\"}]}",
            // not JSON: the parser that follows says so
            "\"signatures\" <html>",
            "",
    })
    void otherDocumentsAreReturnedAsIs(String json) throws IOException {
        byte[] body = bytes(json);
        assertSame(body, JwsPayload.of(body));
    }

    @ParameterizedTest
    @ValueSource(strings = {"[]", "{}", "null", "\"signature\"", "[\"signature\"]", "[[]]"})
    void signaturesThatAreNoListOfSignaturesAreRefused(String signatures) {
        byte[] body = bytes(PAYLOAD.substring(0, formatLength(PAYLOAD)) + ",\n   \"signatures\": " + signatures + "\n}");
        assertRefused(body, "signatures are not a list of signatures");
    }

    @Test
    void signatureWithoutProtectedHeaderIsRefused() {
        byte[] body = bytes(signed(PAYLOAD, List.of("      {\"signature\": \"" + base64url("sig") + "\"}")));
        assertRefused(body, "protected header is unreadable");
    }

    @ParameterizedTest
    @ValueSource(strings = {
            // not base64url: '+' and '/' belong to the other alphabet
            "eyJmb3JtYXRMZW5ndGgiOjEsImZvcm1hdFRhaWwiOiIifQ+/",
            "!!!",
            "a",
    })
    void protectedHeaderThatIsNoBase64UrlIsRefused(String header) {
        assertRefused(withProtected(header), "protected header is unreadable");
    }

    @ParameterizedTest
    @ValueSource(strings = {"not json", "[1,2]", "{\"formatLength\":1", "{\"a\":1,\"a\":2}"})
    void protectedHeaderThatIsNoJsonObjectIsRefused(String header) {
        assertRefused(withProtected(base64url(header)), "protected header is unreadable");
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "{\"formatTail\":\"Cn0\"}",
            "{\"formatLength\":\"10\",\"formatTail\":\"Cn0\"}",
            "{\"formatLength\":0,\"formatTail\":\"Cn0\"}",
            "{\"formatLength\":-1,\"formatTail\":\"Cn0\"}",
            "{\"formatLength\":10.5,\"formatTail\":\"Cn0\"}",
            "{\"formatLength\":99999999999,\"formatTail\":\"Cn0\"}",
            "{\"formatLength\":10}",
            "{\"formatLength\":10,\"formatTail\":null}",
            "{\"formatLength\":10,\"formatTail\":7}",
    })
    void protectedHeaderWithoutUsableFormatIsRefused(String header) {
        assertRefused(withProtected(base64url(header)), "no usable formatLength and formatTail");
    }

    @Test
    void formatLengthBeyondTheBodyIsRefused() {
        byte[] probe = withProtected(base64url("{\"formatLength\":1000000,\"formatTail\":\"Cn0\"}"));
        assertTrue(probe.length < 1000000);
        assertRefused(probe, "no usable formatLength and formatTail");
    }

    @Test
    void formatLengthOfTheWholeBodyIsAccepted() throws IOException {
        // the upper bound itself: the whole body followed by the tail
        String header = "{\"formatLength\":LENGTH,\"formatTail\":\"\"}";
        // the body's length depends on the header's: find the fixed point
        int length = 0;
        byte[] body = null;
        for (int i = 0; i < 10; i++) {
            body = withProtected(base64url(header.replace("LENGTH", Integer.toString(length))));
            if (body.length == length) {
                break;
            }
            length = body.length;
        }
        assertEquals(length, body.length, "the fixture found a stable length");
        assertArrayEquals(body, JwsPayload.of(body));
    }

    @Test
    void formatTailThatIsNoBase64UrlIsRefused() {
        assertRefused(withProtected(base64url("{\"formatLength\":10,\"formatTail\":\"*\"}")), "formatTail is not base64url");
    }
}
