package io.github.frozenimages.images.core.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.TextNode;
import io.github.frozenimages.images.core.ref.Digest;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Docker schema 1 manifests (their JWS payload): layers top first, each with the v1 document the legacy layout is built from. */
class Schema1ManifestTest {

    private static final String TOP = hex("top");
    private static final String MIDDLE = hex("middle");
    private static final String BASE = hex("base");
    private static final Digest TOP_BLOB = Digest.sha256(bytes("top layer"));
    private static final Digest MIDDLE_BLOB = Digest.sha256(bytes("middle layer"));
    private static final Digest BASE_BLOB = Digest.sha256(bytes("base layer"));

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static String hex(String seed) {
        return Digest.sha256(bytes(seed)).hex();
    }

    /** A v1Compatibility document; {@code extra} is "" or JSON members each followed by a comma. */
    private static String v1(String id, String parent, String extra) {
        return "{" + extra + "\"id\":\"" + id + "\"" + (parent == null ? "" : ",\"parent\":\"" + parent + "\"") + "}";
    }

    /** A schema 1 manifest of these blobs and v1 documents, top first, as the registry lists them. */
    private static String manifest(List<String> blobSums, List<String> v1s) {
        StringBuilder json = new StringBuilder("{\"schemaVersion\":1,\"name\":\"library/app\",\"tag\":\"1\",\"architecture\":\"amd64\",");
        json.append("\"fsLayers\":[");
        for (int i = 0; i < blobSums.size(); i++) {
            json.append(i == 0 ? "" : ",").append("{\"blobSum\":").append(TextNode.valueOf(blobSums.get(i))).append('}');
        }
        json.append("],\"history\":[");
        for (int i = 0; i < v1s.size(); i++) {
            json.append(i == 0 ? "" : ",").append("{\"v1Compatibility\":").append(TextNode.valueOf(v1s.get(i))).append('}');
        }
        return json.append("]}").toString();
    }

    /** The usual three-layer image: a throwaway config entry on top of two file layers. */
    private static final List<String> THREE = List.of(
            v1(TOP, MIDDLE, "\"throwaway\":true,\"config\":{\"Cmd\":[\"/bin/true\"]},"),
            v1(MIDDLE, BASE, "\"Size\":12,"),
            v1(BASE, null, "\"created\":\"2016-06-01T10:00:00Z\","));

    private static String three() {
        return manifest(List.of(TOP_BLOB.toString(), MIDDLE_BLOB.toString(), BASE_BLOB.toString()), THREE);
    }

    /** One entry with this v1 document, under this blob. */
    private static String single(String blobSum, String v1) {
        return manifest(List.of(blobSum), List.of(v1));
    }

    private static Schema1Manifest parse(String json) throws IOException {
        return assertInstanceOf(Schema1Manifest.class, ManifestDocument.parse(bytes(json), null));
    }

    /** Refused as broken (not as a foreign format), with a message that contains {@code expected}. */
    private static void assertRefused(String json, String expected) {
        ManifestFormatException e = assertThrows(ManifestFormatException.class, () -> ManifestDocument.parse(bytes(json), null));
        assertFalse(e.unsupported(), "schema 1 is read, this one is broken: " + e.getMessage());
        assertTrue(e.getMessage().contains(expected), "expected \"" + expected + "\" in: " + e.getMessage());
    }

    @Test
    void entriesKeepTheManifestOrderTopFirst() throws IOException {
        Schema1Manifest manifest = parse(three());
        assertEquals(List.of(TOP, MIDDLE, BASE), manifest.entries().stream().map(Schema1Manifest.Entry::id).toList());
        assertEquals(List.of(TOP_BLOB, MIDDLE_BLOB, BASE_BLOB), manifest.entries().stream().map(Schema1Manifest.Entry::blobSum).toList());
        assertEquals(TOP, manifest.top().id());
        assertEquals("amd64", manifest.architecture());
        assertEquals(MediaTypes.DOCKER_SCHEMA1, manifest.mediaType());
    }

    @Test
    void baseFirstIsTheReverseOrderAndLeavesTheEntriesAlone() throws IOException {
        Schema1Manifest manifest = parse(three());
        assertEquals(List.of(BASE, MIDDLE, TOP), manifest.baseFirst().stream().map(Schema1Manifest.Entry::id).toList());
        assertEquals(List.of(BASE_BLOB, MIDDLE_BLOB, TOP_BLOB), manifest.baseFirst().stream().map(Schema1Manifest.Entry::blobSum).toList());
        // a second call, and the entries themselves, are unaffected by the first
        assertEquals(List.of(BASE, MIDDLE, TOP), manifest.baseFirst().stream().map(Schema1Manifest.Entry::id).toList());
        assertEquals(TOP, manifest.entries().get(0).id());
    }

    @Test
    void v1CompatibilityIsKeptAsTheExactText() throws IOException {
        // the legacy layout writes this text as each layer's json file: it must not be reformatted
        String spaced = "{ \"id\" : \"" + BASE + "\",\n  \"created\" : \"2016-06-01T10:00:00Z\" }";
        Schema1Manifest.Entry entry = parse(single(BASE_BLOB.toString(), spaced)).top();
        assertEquals(spaced, entry.v1Compatibility());
        assertEquals("2016-06-01T10:00:00Z", entry.v1().get("created").textValue());
        assertEquals(BASE, entry.id());
    }

    @Test
    void sameBlobMayServeSeveralEntries() throws IOException {
        // Docker repeats the empty layer's blobSum for every metadata-only step
        Digest empty = Digest.sha256(bytes("empty tar"));
        Schema1Manifest manifest = parse(manifest(List.of(empty.toString(), empty.toString()),
                List.of(v1(TOP, BASE, "\"throwaway\":true,"), v1(BASE, null, ""))));
        assertEquals(List.of(empty, empty), manifest.entries().stream().map(Schema1Manifest.Entry::blobSum).toList());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "'\"throwaway\":true,'                | true",
            "'\"throwaway\":false,'               | false",
            // throwaway, when present, decides alone
            "'\"throwaway\":false,\"Size\":0,'    | false",
            "'\"throwaway\":true,\"Size\":1024,'  | true",
            // without it, a zero Size is an empty layer
            "'\"Size\":0,'                        | true",
            "'\"Size\":1024,'                     | false",
            "'\"throwaway\":null,\"Size\":0,'     | true",
            // no size at all says nothing: the layer is read
            "''                                   | false",
            "'\"Size\":\"0\",'                    | false",
    })
    void declaredEmpty(String fields, boolean expected) throws IOException {
        Schema1Manifest.Entry entry = parse(single(BASE_BLOB.toString(), v1(BASE, null, fields))).top();
        assertEquals(expected, entry.declaredEmpty());
    }

    @Test
    void emptyParentMeansNone() throws IOException {
        // the base layer of some Docker versions names "" as its parent
        assertEquals(BASE, parse(single(BASE_BLOB.toString(), v1(BASE, "", ""))).top().id());
    }

    @Test
    void thousandLayersAreAccepted() throws IOException {
        assertEquals(1000, parse(chain(1000)).entries().size());
    }

    /** A valid manifest of {@code n} entries, each the parent of the one above. */
    private static String chain(int n) {
        List<String> blobs = new ArrayList<>();
        List<String> v1s = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            blobs.add(Digest.sha256(bytes("layer " + i)).toString());
            v1s.add(v1(hex("id " + i), i + 1 < n ? hex("id " + (i + 1)) : null, ""));
        }
        return manifest(blobs, v1s);
    }

    // --- dispatch from ManifestDocument.parse

    @ParameterizedTest
    @ValueSource(strings = {MediaTypes.DOCKER_SCHEMA1_SIGNED, MediaTypes.DOCKER_SCHEMA1,
            MediaTypes.DOCKER_SCHEMA1_SIGNED + "; charset=utf-8"})
    void servedSchema1TypeIsKept(String contentType) throws IOException {
        ManifestDocument doc = ManifestDocument.parse(bytes(three()), contentType);
        assertEquals(MediaTypes.withoutParameters(contentType), assertInstanceOf(Schema1Manifest.class, doc).mediaType());
    }

    @Test
    void schemaVersionOneIsSchema1WhateverGenericTypeIsServed() throws IOException {
        ManifestDocument doc = ManifestDocument.parse(bytes(three()), "application/json");
        assertEquals(MediaTypes.DOCKER_SCHEMA1, assertInstanceOf(Schema1Manifest.class, doc).mediaType());
    }

    @Test
    void declaredSchema1TypeIsRead() throws IOException {
        String json = three().replace("{\"schemaVersion\":1,", "{\"schemaVersion\":1,\"mediaType\":\"" + MediaTypes.DOCKER_SCHEMA1 + "\",");
        assertEquals(3, parse(json).entries().size());
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "\"config\":{},",
            "\"layers\":[],",
            "\"manifests\":[],",
            "\"mediaType\":\"" + MediaTypes.OCI_MANIFEST + "\",",
    })
    void schema1MixedWithALaterFormatIsRefused(String member) {
        assertRefused(three().replace("{\"schemaVersion\":1,", "{\"schemaVersion\":1," + member),
                "mixes Docker schema 1 with a later format");
    }

    @ParameterizedTest
    @ValueSource(strings = {MediaTypes.DOCKER_SCHEMA1_SIGNED, MediaTypes.DOCKER_SCHEMA1})
    void schema1TypeOnALaterSchemaVersionIsRefused(String contentType) {
        String json = three().replace("{\"schemaVersion\":1,", "{\"schemaVersion\":2,");
        ManifestFormatException e = assertThrows(ManifestFormatException.class, () -> ManifestDocument.parse(bytes(json), contentType));
        assertTrue(e.getMessage().contains("mixes Docker schema 1"), e.getMessage());
    }

    @Test
    void caseVariantOfFsLayersIsRefused() {
        // Go's decoder would read "FSLayers" as fsLayers; this parser must not see a different manifest
        assertRefused(three().replace("\"fsLayers\"", "\"FSLayers\""), "differs from \"fsLayers\" only in case");
    }

    // --- refusals

    @ParameterizedTest
    @ValueSource(strings = {
            "{\"schemaVersion\":1,\"history\":[]}",
            "{\"schemaVersion\":1,\"fsLayers\":[]}",
            "{\"schemaVersion\":1,\"fsLayers\":{},\"history\":[]}",
            "{\"schemaVersion\":1,\"fsLayers\":[],\"history\":\"none\"}",
            "{\"schemaVersion\":1,\"fsLayers\":null,\"history\":null}",
    })
    void missingArraysAreRefused(String json) {
        assertRefused(json, "lacks its fsLayers or history array");
    }

    @Test
    void layersAndHistoryOfDifferentLengthsAreRefused() {
        String json = manifest(List.of(TOP_BLOB.toString(), BASE_BLOB.toString()), List.of(v1(BASE, null, "")));
        assertRefused(json, "lists 2 layers but 1 history entries");
    }

    @Test
    void noLayersAreRefused() {
        assertRefused(manifest(List.of(), List.of()), "lists 0 layers; between 1 and 1000 are accepted");
    }

    @Test
    void moreThanAThousandLayersAreRefused() {
        assertRefused(chain(1001), "lists 1001 layers; between 1 and 1000 are accepted");
    }

    @Test
    void missingBlobSumIsRefused() {
        String json = manifest(List.of(TOP_BLOB.toString(), BASE_BLOB.toString()), List.of(v1(TOP, BASE, ""), v1(BASE, null, "")))
                .replace("{\"blobSum\":\"" + BASE_BLOB + "\"}", "{}");
        assertRefused(json, "fsLayers entry 1 has no blobSum");
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "sha256:XYZ",
            "sha256:ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789",
            "sha256:abc",
            "md5:0123456789abcdef0123456789abcdef",
            // blobSums name files in the store: traversal must never get that far
            "../../etc/passwd",
            "sha256:../../../../etc/passwd",
            "",
    })
    void invalidBlobSumIsRefused(String blobSum) {
        String json = manifest(List.of(TOP_BLOB.toString(), blobSum), List.of(v1(TOP, BASE, ""), v1(BASE, null, "")));
        assertRefused(json, "fsLayers entry 1: invalid digest");
    }

    @Test
    void missingV1CompatibilityIsRefused() {
        String json = "{\"schemaVersion\":1,\"fsLayers\":[{\"blobSum\":\"" + BASE_BLOB + "\"}],\"history\":[{}]}";
        assertRefused(json, "history entry 0 has no v1Compatibility string");
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "not json",
            "[]",
            "\"0000000000000000000000000000000000000000000000000000000000000000\"",
            "{\"id\":\"0000000000000000000000000000000000000000000000000000000000000000\"",
            "{\"id\":\"0000000000000000000000000000000000000000000000000000000000000000\"} {}",
            // two readers must not see two different ids
            "{\"id\":\"0000000000000000000000000000000000000000000000000000000000000000\","
                    + "\"id\":\"1111111111111111111111111111111111111111111111111111111111111111\"}",
    })
    void v1CompatibilityThatIsNoJsonObjectIsRefused(String text) {
        assertRefused(single(BASE_BLOB.toString(), text), "history entry 0 is not a JSON object");
    }

    @ParameterizedTest
    @ValueSource(strings = {
            // the id becomes a folder name in the legacy layout
            "../../x",
            "../../../../../../../../../../../../../../../../../../../../../../tmp/evil",
            "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcde",
            "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef0",
            "0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF",
            "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
            "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdeg",
            "",
    })
    void idThatIsNoV1IdIsRefused(String id) {
        assertRefused(single(BASE_BLOB.toString(), v1(id, null, "")), "history entry 0 has the id "
                + TextNode.valueOf(id.length() > 80 ? id.substring(0, 80) + "..." : id) + "; a v1 id is 64 lowercase hex digits");
    }

    @Test
    void missingIdIsRefused() {
        assertRefused(single(BASE_BLOB.toString(), "{\"created\":\"2016-06-01T10:00:00Z\"}"),
                "history entry 0 has no id; a v1 id is 64 lowercase hex digits");
    }

    @Test
    void hostileIdIsShownEscapedAndCutShort() {
        // the JSON escape \n becomes a real line break in the parsed id
        String id = "\\n" + "x".repeat(5000);
        ManifestFormatException e = assertThrows(ManifestFormatException.class,
                () -> ManifestDocument.parse(bytes(single(BASE_BLOB.toString(), v1(id, null, ""))), null));
        assertFalse(e.getMessage().contains("\n"), "a line break from the registry must not reach the log as such");
        assertTrue(e.getMessage().contains("\"\\nxxx"), e.getMessage());
        assertTrue(e.getMessage().length() < 200, e.getMessage());
    }

    @Test
    void idThatIsNoStringIsRefused() {
        assertThrows(IOException.class, () -> ManifestDocument.parse(bytes(single(BASE_BLOB.toString(), "{\"id\":12}")), null));
    }

    @Test
    void sharedIdIsRefused() {
        String json = manifest(List.of(TOP_BLOB.toString(), BASE_BLOB.toString()), List.of(v1(BASE, BASE, ""), v1(BASE, null, "")));
        assertRefused(json, "history entries share the id " + BASE);
    }

    @Test
    void parentThatIsNotTheNextEntryIsRefused() {
        String json = manifest(List.of(TOP_BLOB.toString(), MIDDLE_BLOB.toString(), BASE_BLOB.toString()),
                List.of(v1(TOP, BASE, ""), v1(MIDDLE, BASE, ""), v1(BASE, null, "")));
        assertRefused(json, "history entry 0 names parent " + BASE + " where the manifest has " + MIDDLE);
    }

    @Test
    void missingParentAboveTheBaseIsRefused() {
        String json = manifest(List.of(TOP_BLOB.toString(), BASE_BLOB.toString()), List.of(v1(TOP, null, ""), v1(BASE, null, "")));
        assertRefused(json, "history entry 0 names parent null where the manifest has " + BASE);
    }

    @Test
    void parentOnTheBaseIsRefused() {
        String json = manifest(List.of(TOP_BLOB.toString(), BASE_BLOB.toString()), List.of(v1(TOP, BASE, ""), v1(BASE, MIDDLE, "")));
        assertRefused(json, "history entry 1 names parent " + MIDDLE + " where the manifest has null");
    }

    @Test
    void entriesListedBaseFirstAreRefused() {
        // the same chain in the wrong order: every parent points the wrong way
        List<String> reversed = new ArrayList<>(THREE);
        Collections.reverse(reversed);
        assertRefused(manifest(List.of(BASE_BLOB.toString(), MIDDLE_BLOB.toString(), TOP_BLOB.toString()), reversed),
                "history entry 0 names parent null where the manifest has " + MIDDLE);
    }

    @ParameterizedTest
    @ValueSource(strings = {"../../x", "ABCDEF", "sha256:" + "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"})
    void parentThatIsNoV1IdIsRefused(String parent) {
        assertRefused(single(BASE_BLOB.toString(), v1(BASE, parent, "")),
                "history entry 0 has the parent " + TextNode.valueOf(parent) + "; a v1 id is 64 lowercase hex digits");
    }

    @ParameterizedTest
    @ValueSource(strings = {"\"true\"", "1", "0", "{}", "[]"})
    void throwawayThatIsNoBooleanIsRefused(String value) {
        assertRefused(single(BASE_BLOB.toString(), v1(BASE, null, "\"throwaway\":" + value + ",")),
                "history entry 0 has a throwaway that is not a boolean");
    }
}
