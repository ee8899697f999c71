package io.github.frozenimages.images.core.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.frozenimages.images.core.ref.Digest;
import io.github.frozenimages.images.core.ref.Platform;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Parsing of what {@code /v2/<name>/manifests/} serves: exact bytes, untrusted. */
class ManifestDocumentTest {

    private static final Digest CONFIG = Digest.sha256(bytes("config"));
    private static final Digest LAYER0 = Digest.sha256(bytes("layer0"));
    private static final Digest LAYER1 = Digest.sha256(bytes("layer1"));
    private static final Digest AMD64 = Digest.sha256(bytes("amd64 manifest"));
    private static final Digest ARM = Digest.sha256(bytes("arm manifest"));

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** An index body; {@code mediaTypeField} is a JSON member ending with a comma, or "". */
    private static String index(String mediaTypeField, String entryType) {
        return "{\"schemaVersion\":2," + mediaTypeField + "\"manifests\":["
                + "{\"mediaType\":\"" + entryType + "\",\"digest\":\"" + AMD64 + "\",\"size\":527,"
                + "\"platform\":{\"architecture\":\"amd64\",\"os\":\"linux\"}},"
                + "{\"mediaType\":\"" + entryType + "\",\"digest\":\"" + ARM + "\",\"size\":528,"
                + "\"platform\":{\"architecture\":\"arm\",\"os\":\"linux\",\"variant\":\"v7\"},"
                + "\"annotations\":{\"org.example\":\"x\"}}]}";
    }

    private static String manifest(String mediaTypeField, String configType, String layerType) {
        return "{\"schemaVersion\":2," + mediaTypeField
                + "\"config\":{\"mediaType\":\"" + configType + "\",\"digest\":\"" + CONFIG + "\",\"size\":1469},"
                + "\"layers\":[{\"mediaType\":\"" + layerType + "\",\"digest\":\"" + LAYER0 + "\",\"size\":3000},"
                + "{\"mediaType\":\"" + layerType + "\",\"digest\":\"" + LAYER1 + "\",\"size\":32}]}";
    }

    private static String mediaType(String type) {
        return "\"mediaType\":\"" + type + "\",";
    }

    private static ManifestDocument parse(String json, String contentType) throws IOException {
        return ManifestDocument.parse(bytes(json), contentType);
    }

    private static ManifestFormatException refused(String json, String contentType) {
        return assertThrows(ManifestFormatException.class, () -> parse(json, contentType));
    }

    private static void assertIndex(ManifestDocument doc, String expectedType, String entryType) {
        ImageIndex index = assertInstanceOf(ImageIndex.class, doc);
        assertEquals(expectedType, index.mediaType());
        assertEquals(2, index.manifests().size());
        Descriptor first = index.manifests().get(0);
        assertEquals(entryType, first.mediaType());
        assertEquals(AMD64, first.digest());
        assertEquals(527, first.size());
        assertEquals(Platform.of("linux", "amd64", null), first.platform());
        Descriptor second = index.manifests().get(1);
        assertEquals(ARM, second.digest());
        assertEquals(Platform.of("linux", "arm", "v7"), second.platform());
        assertEquals("x", second.annotations().get("org.example"));
    }

    private static void assertManifest(ManifestDocument doc, String expectedType, String configType, String layerType) {
        ImageManifest manifest = assertInstanceOf(ImageManifest.class, doc);
        assertEquals(expectedType, manifest.mediaType());
        assertEquals(configType, manifest.config().mediaType());
        assertEquals(CONFIG, manifest.config().digest());
        assertEquals(1469, manifest.config().size());
        // layers stay in document order: base first
        assertEquals(List.of(LAYER0, LAYER1), manifest.layers().stream().map(Descriptor::digest).toList());
        assertEquals(List.of(3000L, 32L), manifest.layers().stream().map(Descriptor::size).toList());
        assertEquals(layerType, manifest.layers().get(0).mediaType());
        assertTrue(manifest.isImage());
    }

    @Test
    void ociIndex() throws IOException {
        ManifestDocument doc = parse(index(mediaType(MediaTypes.OCI_INDEX), MediaTypes.OCI_MANIFEST), MediaTypes.OCI_INDEX);
        assertIndex(doc, "application/vnd.oci.image.index.v1+json", MediaTypes.OCI_MANIFEST);
    }

    @Test
    void dockerManifestList() throws IOException {
        ManifestDocument doc = parse(index(mediaType(MediaTypes.DOCKER_MANIFEST_LIST), MediaTypes.DOCKER_MANIFEST),
                MediaTypes.DOCKER_MANIFEST_LIST);
        assertIndex(doc, "application/vnd.docker.distribution.manifest.list.v2+json", MediaTypes.DOCKER_MANIFEST);
    }

    @Test
    void ociManifest() throws IOException {
        ManifestDocument doc = parse(manifest(mediaType(MediaTypes.OCI_MANIFEST), MediaTypes.OCI_CONFIG,
                "application/vnd.oci.image.layer.v1.tar+gzip"), MediaTypes.OCI_MANIFEST);
        assertManifest(doc, "application/vnd.oci.image.manifest.v1+json", MediaTypes.OCI_CONFIG,
                "application/vnd.oci.image.layer.v1.tar+gzip");
    }

    @Test
    void dockerV2Manifest() throws IOException {
        ManifestDocument doc = parse(manifest(mediaType(MediaTypes.DOCKER_MANIFEST), MediaTypes.DOCKER_CONFIG,
                "application/vnd.docker.image.rootfs.diff.tar.gzip"), MediaTypes.DOCKER_MANIFEST);
        assertManifest(doc, "application/vnd.docker.distribution.manifest.v2+json",
                "application/vnd.docker.container.image.v1+json", "application/vnd.docker.image.rootfs.diff.tar.gzip");
    }

    @Test
    void artifactManifestIsNotAnImage() throws IOException {
        // an OCI artifact (e.g. a Helm chart) parses, but must not be mistaken for a runnable image
        ImageManifest doc = (ImageManifest) parse(manifest(mediaType(MediaTypes.OCI_MANIFEST),
                "application/vnd.cncf.helm.config.v1+json", "application/vnd.cncf.helm.chart.content.v1.tar+gzip"), null);
        assertFalse(doc.isImage());
    }

    @Test
    void withoutMediaTypeAnIndexIsDetectedByItsManifests() throws IOException {
        // mediaType is optional in OCI documents, and the Content-Type may be generic
        assertIndex(parse(index("", MediaTypes.OCI_MANIFEST), null), MediaTypes.OCI_INDEX, MediaTypes.OCI_MANIFEST);
        assertIndex(parse(index("", MediaTypes.OCI_MANIFEST), "application/json"), MediaTypes.OCI_INDEX, MediaTypes.OCI_MANIFEST);
    }

    @Test
    void withoutMediaTypeAManifestIsDetectedByItsLayers() throws IOException {
        String layer = "application/vnd.oci.image.layer.v1.tar+gzip";
        assertManifest(parse(manifest("", MediaTypes.OCI_CONFIG, layer), null), MediaTypes.OCI_MANIFEST, MediaTypes.OCI_CONFIG, layer);
    }

    @Test
    void withoutMediaTypeTheContentTypeNamesTheFormat() throws IOException {
        String layer = "application/vnd.docker.image.rootfs.diff.tar.gzip";
        assertManifest(parse(manifest("", MediaTypes.DOCKER_CONFIG, layer), MediaTypes.DOCKER_MANIFEST),
                MediaTypes.DOCKER_MANIFEST, MediaTypes.DOCKER_CONFIG, layer);
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "application/vnd.oci.image.manifest.v1+json; charset=utf-8",
            "application/vnd.oci.image.manifest.v1+json;charset=utf-8",
            " application/vnd.oci.image.manifest.v1+json ; q=1",
    })
    void contentTypeParametersAreIgnored(String contentType) throws IOException {
        String layer = "application/vnd.oci.image.layer.v1.tar+gzip";
        assertManifest(parse(manifest(mediaType(MediaTypes.OCI_MANIFEST), MediaTypes.OCI_CONFIG, layer), contentType),
                MediaTypes.OCI_MANIFEST, MediaTypes.OCI_CONFIG, layer);
    }

    @Test
    void contentTypeDisagreeingWithMediaTypeIsRefused() {
        // two readers could otherwise interpret one document as two different things
        ManifestFormatException e = refused(manifest(mediaType(MediaTypes.OCI_MANIFEST), MediaTypes.OCI_CONFIG,
                "application/vnd.oci.image.layer.v1.tar+gzip"), MediaTypes.DOCKER_MANIFEST);
        assertFalse(e.unsupported());
        assertTrue(e.getMessage().contains(MediaTypes.DOCKER_MANIFEST), e.getMessage());
    }

    @Test
    void genericContentTypeDoesNotContradictMediaType() throws IOException {
        // registries behind some proxies answer application/json or octet-stream; only a manifest type can disagree
        String layer = "application/vnd.oci.image.layer.v1.tar+gzip";
        assertManifest(parse(manifest(mediaType(MediaTypes.OCI_MANIFEST), MediaTypes.OCI_CONFIG, layer), "application/octet-stream"),
                MediaTypes.OCI_MANIFEST, MediaTypes.OCI_CONFIG, layer);
    }

    @ParameterizedTest
    @ValueSource(strings = {MediaTypes.OCI_INDEX, MediaTypes.OCI_MANIFEST, ""})
    void documentWithBothManifestsAndLayersIsRefused(String type) {
        String json = "{\"schemaVersion\":2," + (type.isEmpty() ? "" : mediaType(type))
                + "\"manifests\":[],"
                + "\"config\":{\"mediaType\":\"" + MediaTypes.OCI_CONFIG + "\",\"digest\":\"" + CONFIG + "\",\"size\":2},"
                + "\"layers\":[]}";
        assertFalse(refused(json, null).unsupported());
    }

    @Test
    void indexTypeWithLayersOnlyIsRefused() {
        String json = "{\"schemaVersion\":2," + mediaType(MediaTypes.OCI_INDEX) + "\"layers\":[]}";
        assertFalse(refused(json, null).unsupported());
    }

    @Test
    void manifestTypeWithManifestsOnlyIsRefused() {
        String json = "{\"schemaVersion\":2," + mediaType(MediaTypes.OCI_MANIFEST) + "\"manifests\":[]}";
        assertFalse(refused(json, null).unsupported());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', nullValues = "NULL", value = {
            // by schemaVersion alone
            "{\"schemaVersion\":1,\"name\":\"library/a\",\"tag\":\"1\",\"fsLayers\":[],\"history\":[]} | NULL",
            // by the served type
            "{\"schemaVersion\":1,\"fsLayers\":[]} | application/vnd.docker.distribution.manifest.v1+prettyjws",
            "{\"fsLayers\":[]}                    | application/vnd.docker.distribution.manifest.v1+json",
            // by the declared type
            "{\"mediaType\":\"application/vnd.docker.distribution.manifest.v1+json\",\"fsLayers\":[]} | NULL",
    })
    void schema1WithoutLayersIsRefused(String json, String contentType) {
        ManifestFormatException e = refused(json, contentType);
        assertFalse(e.unsupported(), "schema 1 is read: this one is broken");
        assertTrue(e.getMessage().contains("schema 1"), e.getMessage());
    }

    @Test
    void unknownMediaTypeIsUnsupported() {
        String json = manifest(mediaType("application/vnd.example.thing.v1+json"), MediaTypes.OCI_CONFIG, "x/y");
        ManifestFormatException e = refused(json, null);
        assertTrue(e.unsupported());
        assertTrue(e.getMessage().contains("application/vnd.example.thing.v1+json"), e.getMessage());
    }

    @Test
    void noTypeAndNoTellingFieldsIsUnsupported() {
        assertTrue(refused("{\"schemaVersion\":2}", null).unsupported());
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "\"schemaVersion\":3,"})
    void missingOrWrongSchemaVersionIsUnsupported(String schemaVersion) {
        String json = "{" + schemaVersion + mediaType(MediaTypes.OCI_INDEX) + "\"manifests\":[]}";
        json = json.replace(",}", "}");
        assertTrue(refused(json, null).unsupported());
    }

    @Test
    void duplicateKeyIsRefused() {
        // Go's decoder keeps the last value, others the first: one body, two images
        String json = "{\"schemaVersion\":2," + mediaType(MediaTypes.OCI_MANIFEST)
                + "\"config\":{\"mediaType\":\"" + MediaTypes.OCI_CONFIG + "\",\"digest\":\"" + CONFIG + "\",\"size\":1},"
                + "\"config\":{\"mediaType\":\"" + MediaTypes.OCI_CONFIG + "\",\"digest\":\"" + LAYER0 + "\",\"size\":1},"
                + "\"layers\":[]}";
        assertFalse(refused(json, null).unsupported());
    }

    @Test
    void duplicateKeyInsideADescriptorIsRefused() {
        String json = "{\"schemaVersion\":2," + mediaType(MediaTypes.OCI_MANIFEST)
                + "\"config\":{\"mediaType\":\"" + MediaTypes.OCI_CONFIG + "\",\"digest\":\"" + CONFIG + "\",\"digest\":\""
                + LAYER0 + "\",\"size\":1},\"layers\":[]}";
        assertThrows(ManifestFormatException.class, () -> parse(json, null));
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "sha256:XYZ",
            // right length, uppercase: refused rather than silently lowercased
            "sha256:ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789",
            "sha256:abc",
            // an algorithm this client cannot verify
            "sha384:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
            // a digest ends up in paths: traversal must never get that far
            "../../etc",
            "sha256:../../../../etc/passwd",
            "",
    })
    void invalidLayerDigestIsRefused(String digest) {
        String json = "{\"schemaVersion\":2," + mediaType(MediaTypes.OCI_MANIFEST)
                + "\"config\":{\"mediaType\":\"" + MediaTypes.OCI_CONFIG + "\",\"digest\":\"" + CONFIG + "\",\"size\":1},"
                + "\"layers\":[{\"mediaType\":\"x/y\",\"digest\":\"" + digest + "\",\"size\":1}]}";
        IOException e = assertThrows(IOException.class, () -> parse(json, null));
        assertTrue(e.getMessage().contains("layer 0"), "the message names the offending descriptor: " + e.getMessage());
    }

    @Test
    void invalidIndexEntryDigestIsRefused() {
        String json = index(mediaType(MediaTypes.OCI_INDEX), MediaTypes.OCI_MANIFEST).replace(ARM.toString(), "sha256:XYZ");
        IOException e = assertThrows(IOException.class, () -> parse(json, null));
        assertTrue(e.getMessage().contains("index entry 1"), e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "{\"os\":\"linux\",\"architecture\":\"amd 64\"}",
            "{\"os\":\"linux/arm\",\"architecture\":\"arm\"}",
            "{\"os\":\"linux\",\"architecture\":\"arm\",\"variant\":\"v7/../x\"}",
            "{\"architecture\":\"amd64\"}",
    })
    void unreadablePlatformIsRefusedAsAnIoError(String platform) {
        // an unchecked exception here would escape the fetcher's error handling and lose the image name
        String json = index(mediaType(MediaTypes.OCI_INDEX), MediaTypes.OCI_MANIFEST)
                .replace("{\"architecture\":\"amd64\",\"os\":\"linux\"}", platform);
        IOException e = assertThrows(IOException.class, () -> parse(json, null));
        assertTrue(e.getMessage().contains("index entry 0"), e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {"-1", "1.5", "\"12\"", "null", "1099511627777", "99999999999999999999"})
    void invalidSizeIsRefused(String size) {
        String json = "{\"schemaVersion\":2," + mediaType(MediaTypes.OCI_MANIFEST)
                + "\"config\":{\"mediaType\":\"" + MediaTypes.OCI_CONFIG + "\",\"digest\":\"" + CONFIG + "\",\"size\":" + size + "},"
                + "\"layers\":[]}";
        assertThrows(IOException.class, () -> parse(json, null));
    }

    @Test
    void missingConfigIsRefused() {
        String json = "{\"schemaVersion\":2," + mediaType(MediaTypes.OCI_MANIFEST) + "\"layers\":[]}";
        assertThrows(IOException.class, () -> parse(json, null));
    }

    @ParameterizedTest
    @ValueSource(strings = {" x", "}", " {}", "[]", " null"})
    void trailingGarbageIsRefused(String trailer) {
        String json = manifest(mediaType(MediaTypes.OCI_MANIFEST), MediaTypes.OCI_CONFIG, "x/y") + trailer;
        assertFalse(refused(json, null).unsupported());
    }

    @Test
    void trailingWhitespaceIsFine() throws IOException {
        String layer = "application/vnd.oci.image.layer.v1.tar+gzip";
        assertManifest(parse(manifest(mediaType(MediaTypes.OCI_MANIFEST), MediaTypes.OCI_CONFIG, layer) + "\n", null),
                MediaTypes.OCI_MANIFEST, MediaTypes.OCI_CONFIG, layer);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "[]", "\"manifest\"", "{\"schemaVersion\":2", "<html></html>"})
    void notAJsonObjectIsRefused(String body) {
        assertFalse(refused(body, null).unsupported());
    }
}
