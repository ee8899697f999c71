package io.github.frozenimages.images.core.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.TextNode;
import io.github.frozenimages.images.core.output.OciSchemaValidator;
import io.github.frozenimages.images.core.ref.Digest;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** A schema 1 manifest turned into an OCI image: the documents containerd's converter made, byte for byte stable. */
class Schema1ConverterTest {

    private static final String TOP = hex("top");
    private static final String MIDDLE = hex("middle");
    private static final String BASE = hex("base");
    /** Docker's empty tar, which schema 1 repeats for every metadata-only step. */
    private static final Digest EMPTY_BLOB = Digest.sha256(bytes("empty layer"));
    private static final Digest MIDDLE_BLOB = Digest.sha256(bytes("middle layer"));
    private static final Digest BASE_BLOB = Digest.sha256(bytes("base layer"));
    private static final Digest MIDDLE_DIFF = Digest.sha256(bytes("middle tar"));
    private static final Digest BASE_DIFF = Digest.sha256(bytes("base tar"));
    private static final Digest EMPTY_DIFF = Digest.sha256(new byte[1024]);

    private static final Schema1Converter.LayerFacts MIDDLE_FACTS = facts(MIDDLE_BLOB, 300, MIDDLE_DIFF, false);
    private static final Schema1Converter.LayerFacts BASE_FACTS = facts(BASE_BLOB, 2000, BASE_DIFF, false);

    /** The top entry as Docker wrote it: image fields, plus Docker's own container fields that OCI has no place for. */
    private static final String TOP_V1 = "{\"architecture\":\"arm64\",\"variant\":\"v8\",\"os\":\"linux\","
            + "\"author\":\"Top Author\",\"created\":\"2016-06-03T10:00:00.123456789Z\",\"docker_version\":\"1.11.1\","
            + "\"container\":\"" + hex("container") + "\","
            + "\"config\":{\"Hostname\":\"abc123\",\"Domainname\":\"\",\"User\":\"app\",\"AttachStdin\":false,\"Tty\":false,"
            + "\"ExposedPorts\":{\"8080/tcp\":{}},\"Env\":[\"PATH=/usr/bin:/bin\",\"SCHEMA=1\"],\"Cmd\":[\"/bin/true\"],"
            + "\"Image\":\"sha256:" + hex("parent image") + "\",\"Volumes\":{\"/data\":{}},\"WorkingDir\":\"/srv\","
            + "\"Entrypoint\":[\"/entry\"],\"OnBuild\":[\"RUN x\"],\"Labels\":{\"org.example\":\"x\"},\"StopSignal\":\"SIGTERM\","
            + "\"ArgsEscaped\":true},"
            + "\"container_config\":{\"Hostname\":\"abc123\",\"Cmd\":[\"/bin/sh\",\"-c\",\"#(nop) \",\"CMD [\\\"/bin/true\\\"]\"]},"
            + "\"throwaway\":true,\"id\":\"" + TOP + "\",\"parent\":\"" + MIDDLE + "\"}";
    private static final String MIDDLE_V1 = "{\"created\":\"2016-06-02T10:00:00Z\",\"comment\":\"second file\","
            + "\"container_config\":{\"Cmd\":[\"/bin/sh\",\"-c\",\"#(nop) ADD file:second in /etc\"]},"
            + "\"Size\":300,\"id\":\"" + MIDDLE + "\",\"parent\":\"" + BASE + "\"}";
    private static final String BASE_V1 = "{\"created\":\"2016-06-01T10:00:00Z\",\"author\":\"Base Author\","
            + "\"container_config\":{\"Cmd\":[\"/bin/sh\",\"-c\",\"#(nop) ADD file:first in /\"]},\"id\":\"" + BASE + "\"}";

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static String hex(String seed) {
        return Digest.sha256(bytes(seed)).hex();
    }

    private static Schema1Converter.LayerFacts facts(Digest blob, long size, Digest diffId, boolean allZero) {
        return new Schema1Converter.LayerFacts(new Descriptor(MediaTypes.OCI_LAYER_GZIP, blob, size), diffId, allZero);
    }

    /** A manifest of these blobs and v1 documents, top first; {@code architecture} null leaves the field out. */
    private static Schema1Manifest manifest(String architecture, List<Digest> blobSums, List<String> v1s) throws IOException {
        StringBuilder json = new StringBuilder("{\"schemaVersion\":1,\"name\":\"library/app\",\"tag\":\"1\",");
        if (architecture != null) {
            json.append("\"architecture\":").append(TextNode.valueOf(architecture)).append(',');
        }
        json.append("\"fsLayers\":[");
        for (int i = 0; i < blobSums.size(); i++) {
            json.append(i == 0 ? "" : ",").append("{\"blobSum\":\"").append(blobSums.get(i)).append("\"}");
        }
        json.append("],\"history\":[");
        for (int i = 0; i < v1s.size(); i++) {
            json.append(i == 0 ? "" : ",").append("{\"v1Compatibility\":").append(TextNode.valueOf(v1s.get(i))).append('}');
        }
        json.append("]}");
        return assertInstanceOf(Schema1Manifest.class, ManifestDocument.parse(bytes(json.toString()), null));
    }

    private static Schema1Manifest three() throws IOException {
        return manifest("amd64", List.of(EMPTY_BLOB, MIDDLE_BLOB, BASE_BLOB), List.of(TOP_V1, MIDDLE_V1, BASE_V1));
    }

    /** A one-entry image whose v1 document is the base's with {@code fields} (each followed by a comma) added first. */
    private static Schema1Manifest single(String architecture, String fields) throws IOException {
        return manifest(architecture, List.of(BASE_BLOB), List.of("{" + fields + "\"id\":\"" + BASE + "\"}"));
    }

    private static Schema1Converter.Converted convertSingle(String fields) throws IOException {
        return Schema1Converter.convert(single("amd64", fields), Map.of(BASE_BLOB, BASE_FACTS));
    }

    private static JsonNode tree(byte[] json) throws IOException {
        return Json.readObject(json);
    }

    private static JsonNode tree(String json) throws IOException {
        return Json.readObject(bytes(json));
    }

    private static Set<String> fieldNames(JsonNode node) {
        Set<String> names = new TreeSet<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }

    private static List<String> diffIds(JsonNode config) {
        List<String> ids = new ArrayList<>();
        config.path("rootfs").path("diff_ids").forEach(id -> ids.add(id.textValue()));
        return ids;
    }

    private static void assertValidOci(Schema1Converter.Converted converted) throws IOException {
        OciSchemaValidator.assertValid(OciSchemaValidator.CONFIG, converted.config());
        OciSchemaValidator.assertValid(OciSchemaValidator.IMAGE_MANIFEST, converted.manifest());
    }

    @Test
    void configIsTheTopEntrysImageFieldsWithTheHistoryBaseFirst() throws IOException {
        Schema1Converter.Converted converted = Schema1Converter.convert(three(),
                Map.of(MIDDLE_BLOB, MIDDLE_FACTS, BASE_BLOB, BASE_FACTS));
        JsonNode expected = tree("{"
                + "\"created\":\"2016-06-03T10:00:00.123456789Z\",\"author\":\"Top Author\","
                + "\"architecture\":\"arm64\",\"variant\":\"v8\",\"os\":\"linux\","
                + "\"config\":{\"User\":\"app\",\"ExposedPorts\":{\"8080/tcp\":{}},\"Env\":[\"PATH=/usr/bin:/bin\",\"SCHEMA=1\"],"
                + "\"Entrypoint\":[\"/entry\"],\"Cmd\":[\"/bin/true\"],\"Volumes\":{\"/data\":{}},\"WorkingDir\":\"/srv\","
                + "\"Labels\":{\"org.example\":\"x\"},\"StopSignal\":\"SIGTERM\",\"ArgsEscaped\":true},"
                + "\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\"" + BASE_DIFF + "\",\"" + MIDDLE_DIFF + "\"]},"
                + "\"history\":["
                + "{\"created\":\"2016-06-01T10:00:00Z\",\"author\":\"Base Author\",\"created_by\":\"/bin/sh -c #(nop) ADD file:first in /\"},"
                + "{\"created\":\"2016-06-02T10:00:00Z\",\"created_by\":\"/bin/sh -c #(nop) ADD file:second in /etc\",\"comment\":\"second file\"},"
                + "{\"created\":\"2016-06-03T10:00:00.123456789Z\",\"author\":\"Top Author\","
                + "\"created_by\":\"/bin/sh -c #(nop)  CMD [\\\"/bin/true\\\"]\",\"empty_layer\":true}"
                + "]}");
        assertEquals(expected, tree(converted.config()));
        assertEquals(List.of(BASE_DIFF, MIDDLE_DIFF), converted.diffIds());
        assertValidOci(converted);
    }

    @Test
    void manifestListsTheNonEmptyLayersBaseFirstAndNamesTheConfig() throws IOException {
        Schema1Converter.Converted converted = Schema1Converter.convert(three(),
                Map.of(MIDDLE_BLOB, MIDDLE_FACTS, BASE_BLOB, BASE_FACTS));
        Descriptor config = converted.configDescriptor();
        JsonNode expected = tree("{\"schemaVersion\":2,\"mediaType\":\"" + MediaTypes.OCI_MANIFEST + "\","
                + "\"config\":{\"mediaType\":\"" + MediaTypes.OCI_CONFIG + "\",\"digest\":\"" + config.digest() + "\",\"size\":"
                + config.size() + "},"
                + "\"layers\":["
                + "{\"mediaType\":\"" + MediaTypes.OCI_LAYER_GZIP + "\",\"digest\":\"" + BASE_BLOB + "\",\"size\":2000},"
                + "{\"mediaType\":\"" + MediaTypes.OCI_LAYER_GZIP + "\",\"digest\":\"" + MIDDLE_BLOB + "\",\"size\":300}]}");
        assertEquals(expected, tree(converted.manifest()));
        assertEquals(List.of(BASE_FACTS.blob(), MIDDLE_FACTS.blob()), converted.layers());
        // the manifest parses back as the image it describes
        ImageManifest parsed = assertInstanceOf(ImageManifest.class, ManifestDocument.parse(converted.manifest(), MediaTypes.OCI_MANIFEST));
        assertEquals(config, parsed.config());
        assertEquals(List.of(BASE_BLOB, MIDDLE_BLOB), parsed.layers().stream().map(Descriptor::digest).toList());
        assertEquals(converted.diffIds(), ImageConfig.parse(converted.config()).diffIds());
    }

    @Test
    void descriptorsNameTheExactBytes() throws IOException {
        Schema1Converter.Converted converted = Schema1Converter.convert(three(),
                Map.of(MIDDLE_BLOB, MIDDLE_FACTS, BASE_BLOB, BASE_FACTS));
        assertEquals(new Descriptor(MediaTypes.OCI_CONFIG, Digest.sha256(converted.config()), converted.config().length),
                converted.configDescriptor());
        assertEquals(new Descriptor(MediaTypes.OCI_MANIFEST, Digest.sha256(converted.manifest()), converted.manifest().length),
                converted.manifestDescriptor());
    }

    @Test
    void sameInputsGiveTheSameDigests() throws IOException {
        // a second pull, or another machine, must name the converted image the same
        Schema1Converter.Converted first = Schema1Converter.convert(three(), Map.of(MIDDLE_BLOB, MIDDLE_FACTS, BASE_BLOB, BASE_FACTS));
        Map<Digest, Schema1Converter.LayerFacts> otherOrder = new LinkedHashMap<>();
        otherOrder.put(BASE_BLOB, BASE_FACTS);
        otherOrder.put(MIDDLE_BLOB, MIDDLE_FACTS);
        Schema1Converter.Converted second = Schema1Converter.convert(three(), otherOrder);
        assertArrayEquals(first.config(), second.config());
        assertArrayEquals(first.manifest(), second.manifest());
        assertEquals(first.configDescriptor(), second.configDescriptor());
        assertEquals(first.manifestDescriptor(), second.manifestDescriptor());
    }

    @Test
    void differentLayerContentGivesADifferentImage() throws IOException {
        Schema1Converter.Converted first = Schema1Converter.convert(three(), Map.of(MIDDLE_BLOB, MIDDLE_FACTS, BASE_BLOB, BASE_FACTS));
        Schema1Converter.Converted other = Schema1Converter.convert(three(), Map.of(MIDDLE_BLOB, MIDDLE_FACTS,
                BASE_BLOB, facts(BASE_BLOB, 2000, Digest.sha256(bytes("another tar")), false)));
        assertFalse(first.configDescriptor().digest().equals(other.configDescriptor().digest()));
        assertFalse(first.manifestDescriptor().digest().equals(other.manifestDescriptor().digest()));
    }

    @Test
    void declaredEmptyLayersNeedNoFactsAndAreLeftOut() throws IOException {
        Schema1Manifest manifest = three();
        assertEquals(List.of(false, true, true), manifest.entries().stream().map(Schema1Converter::needsLayer).toList());
        // facts offered for the throwaway blob change nothing: the entry said it adds nothing
        Schema1Converter.Converted converted = Schema1Converter.convert(manifest, Map.of(MIDDLE_BLOB, MIDDLE_FACTS, BASE_BLOB, BASE_FACTS,
                EMPTY_BLOB, facts(EMPTY_BLOB, 32, Digest.sha256(bytes("not empty after all")), false)));
        assertEquals(List.of(BASE_DIFF.toString(), MIDDLE_DIFF.toString()), diffIds(tree(converted.config())));
        assertEquals(List.of(BASE_BLOB, MIDDLE_BLOB), converted.layers().stream().map(Descriptor::digest).toList());
    }

    @Test
    void layerDeclaredEmptyBySizeIsAnEmptyHistoryEntry() throws IOException {
        Schema1Manifest manifest = manifest("amd64", List.of(EMPTY_BLOB, BASE_BLOB), List.of(
                "{\"Size\":0,\"created\":\"2016-06-02T10:00:00Z\",\"id\":\"" + TOP + "\",\"parent\":\"" + BASE + "\"}", BASE_V1));
        Schema1Converter.Converted converted = Schema1Converter.convert(manifest, Map.of(BASE_BLOB, BASE_FACTS));
        JsonNode history = tree(converted.config()).get("history");
        assertEquals(2, history.size());
        assertFalse(history.get(0).has("empty_layer"));
        assertTrue(history.get(1).get("empty_layer").booleanValue());
        assertEquals(List.of(BASE_DIFF), converted.diffIds());
        assertValidOci(converted);
    }

    @Test
    void layerThatReadsAsAllZeroIsEmpty() throws IOException {
        // declared as a real layer, but its tar holds nothing: as containerd did, it is history only
        Schema1Converter.Converted converted = Schema1Converter.convert(three(),
                Map.of(MIDDLE_BLOB, facts(MIDDLE_BLOB, 32, EMPTY_DIFF, true), BASE_BLOB, BASE_FACTS));
        JsonNode config = tree(converted.config());
        assertEquals(List.of(BASE_DIFF.toString()), diffIds(config));
        JsonNode history = config.get("history");
        assertEquals(3, history.size(), "every entry stays in the history");
        assertFalse(history.get(0).has("empty_layer"));
        assertTrue(history.get(1).get("empty_layer").booleanValue());
        assertEquals("second file", history.get(1).get("comment").textValue());
        assertTrue(history.get(2).get("empty_layer").booleanValue());
        assertEquals(List.of(BASE_BLOB), converted.layers().stream().map(Descriptor::digest).toList());
        assertEquals(List.of(BASE_DIFF), converted.diffIds());
        assertValidOci(converted);
    }

    @Test
    void historyCountsEveryEntryAndDiffIdsEveryLayer() throws IOException {
        // OCI readers pair non-empty history entries with diff_ids: the two counts must agree
        Schema1Converter.Converted converted = Schema1Converter.convert(three(),
                Map.of(MIDDLE_BLOB, MIDDLE_FACTS, BASE_BLOB, BASE_FACTS));
        JsonNode config = tree(converted.config());
        int nonEmpty = 0;
        for (JsonNode h : config.get("history")) {
            nonEmpty += h.path("empty_layer").asBoolean(false) ? 0 : 1;
        }
        assertEquals(config.path("rootfs").path("diff_ids").size(), nonEmpty);
    }

    @Test
    void missingFactsForALayerThatCountsAreRefused() throws IOException {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Schema1Converter.convert(three(), Map.of(BASE_BLOB, BASE_FACTS)));
        assertTrue(e.getMessage().contains(MIDDLE_BLOB.toString()), e.getMessage());
    }

    @Test
    void dockerOnlyFieldsAreDropped() throws IOException {
        JsonNode config = tree(Schema1Converter.convert(three(), Map.of(MIDDLE_BLOB, MIDDLE_FACTS, BASE_BLOB, BASE_FACTS)).config());
        // no id, parent, container, container_config, docker_version, throwaway or Size at the top level
        assertEquals(new TreeSet<>(List.of("created", "author", "architecture", "variant", "os", "config", "rootfs", "history")),
                fieldNames(config));
        // no Hostname, Domainname, AttachStdin, Tty, Image or OnBuild in the run config
        assertEquals(new TreeSet<>(List.of("User", "ExposedPorts", "Env", "Entrypoint", "Cmd", "Volumes", "WorkingDir", "Labels",
                "StopSignal", "ArgsEscaped")), fieldNames(config.get("config")));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "User        | 0",
            "User        | null",
            "WorkingDir  | [\"/srv\"]",
            "StopSignal  | 15",
            "ArgsEscaped | \"true\"",
            "Env         | \"PATH=/bin\"",
            "Env         | [\"PATH=/bin\",1]",
            "Env         | null",
            "Entrypoint  | \"/entry\"",
            "Entrypoint  | [[\"/entry\"]]",
            "Cmd         | \"/bin/true\"",
            "Cmd         | [true]",
            "ExposedPorts| [\"8080/tcp\"]",
            "Volumes     | [\"/data\"]",
            "Labels      | [\"a=b\"]",
            "Labels      | {\"a\":1}",
            "Labels      | {\"a\":null}",
    })
    void wronglyTypedRunFieldsAreDropped(String field, String value) throws IOException {
        // a reader of the OCI config would fail on the whole image for one field of the wrong type
        Schema1Converter.Converted converted = convertSingle("\"config\":{\"" + field + "\":" + value + ",\"Hostname\":\"h\"},");
        JsonNode config = tree(converted.config());
        assertEquals(Set.of(), fieldNames(config.get("config")), "only the wrongly typed " + field + " was there");
        assertValidOci(converted);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "ExposedPorts| {\"8080/tcp\":\"yes\"}",
            "ExposedPorts| {\"8080/tcp\":null}",
            "Volumes     | {\"/data\":1}",
            "Volumes     | {\"/data\":[]}",
    })
    void mapsWithValuesThatAreNoObjectsAreDropped(String field, String value) throws IOException {
        Schema1Converter.Converted converted = convertSingle("\"config\":{\"" + field + "\":" + value + "},");
        assertEquals(Set.of(), fieldNames(tree(converted.config()).get("config")));
        assertValidOci(converted);
    }

    @ParameterizedTest
    @ValueSource(strings = {"Entrypoint", "Cmd", "Volumes", "Labels"})
    void nullIsKeptWhereTheSchemaAllowsIt(String field) throws IOException {
        // Docker writes "Entrypoint": null for images without one; OCI allows it
        Schema1Converter.Converted converted = convertSingle("\"config\":{\"" + field + "\":null},");
        JsonNode run = tree(converted.config()).get("config");
        assertEquals(Set.of(field), fieldNames(run));
        assertTrue(run.get(field).isNull());
        assertValidOci(converted);
    }

    @Test
    void emptyCollectionsAreKept() throws IOException {
        Schema1Converter.Converted converted = convertSingle(
                "\"config\":{\"Env\":[],\"Cmd\":[],\"ExposedPorts\":{},\"Volumes\":{},\"Labels\":{}},");
        assertEquals(tree("{\"Env\":[],\"Cmd\":[],\"ExposedPorts\":{},\"Volumes\":{},\"Labels\":{}}"),
                tree(converted.config()).get("config"));
        assertValidOci(converted);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "\"config\":null,", "\"config\":\"none\","})
    void withoutARunConfigThereIsNone(String fields) throws IOException {
        Schema1Converter.Converted converted = convertSingle(fields);
        assertFalse(tree(converted.config()).has("config"));
        assertValidOci(converted);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', nullValues = "NULL", value = {
            // the entry's own fields first
            "'\"architecture\":\"arm\",\"os\":\"linux\",\"variant\":\"v7\",' | amd64 | arm   | linux   | v7",
            "'\"architecture\":\"ppc64le\",\"os\":\"linux\",'                | amd64 | ppc64le | linux | NULL",
            // then the manifest's architecture
            "''                                                              | arm64 | arm64 | linux   | NULL",
            "'\"architecture\":\"\",'                                        | s390x | s390x | linux   | NULL",
            // then Docker's defaults
            "''                                                              | NULL  | amd64 | linux   | NULL",
            "''                                                              | ''    | amd64 | linux   | NULL",
            "'\"os\":\"windows\",\"architecture\":7,'                       | NULL  | amd64 | windows | NULL",
    })
    void platformFields(String fields, String manifestArchitecture, String architecture, String os, String variant) throws IOException {
        Schema1Manifest manifest = single(manifestArchitecture, fields);
        assertEquals(architecture, Schema1Converter.architecture(manifest));
        assertEquals(os, Schema1Converter.os(manifest));
        assertEquals(variant, Schema1Converter.variant(manifest));
        JsonNode config = tree(Schema1Converter.convert(manifest, Map.of(BASE_BLOB, BASE_FACTS)).config());
        assertEquals(architecture, config.get("architecture").textValue());
        assertEquals(os, config.get("os").textValue());
        assertEquals(variant, config.has("variant") ? config.get("variant").textValue() : null);
    }

    @Test
    void emptyAndWronglyTypedTextFieldsAreLeftOut() throws IOException {
        // "created": "" is no date; an OCI reader would refuse the config for it
        Schema1Converter.Converted converted = convertSingle("\"created\":\"\",\"author\":7,\"comment\":\"\","
                + "\"container_config\":{\"Cmd\":[]},");
        JsonNode config = tree(converted.config());
        assertFalse(config.has("created"));
        assertFalse(config.has("author"));
        assertEquals(tree("{}"), config.get("history").get(0));
        assertValidOci(converted);
    }

    /** Go's readers refuse a whole config whose created is no RFC 3339 date; such a date is left out instead. */
    @Test
    void aCreatedDateThatIsNoRfc3339DateIsLeftOut() throws IOException {
        Schema1Converter.Converted converted = convertSingle("\"created\":\"yesterday\",");
        JsonNode config = tree(converted.config());
        assertFalse(config.has("created"), config.toString());
        assertFalse(config.get("history").get(0).has("created"), config.toString());
        assertValidOci(converted);
    }

    @Test
    void createdByWithoutAContainerCommandIsLeftOut() throws IOException {
        JsonNode history = tree(convertSingle("\"created\":\"2016-06-01T10:00:00Z\",\"container_config\":{\"Cmd\":null},").config())
                .get("history");
        assertEquals(tree("{\"created\":\"2016-06-01T10:00:00Z\"}"), history.get(0));
    }
}
