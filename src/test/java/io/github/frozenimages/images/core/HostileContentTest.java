package io.github.frozenimages.images.core;

import io.github.frozenimages.images.core.shared.ImagePullException;
import io.github.frozenimages.images.core.output.PulledImage;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpServer;
import io.github.frozenimages.images.core.shared.ImagePullException.Reason;
import io.github.frozenimages.images.core.auth.CredentialProvider;
import io.github.frozenimages.images.core.output.TarArchiveWriter;
import io.github.frozenimages.images.core.ref.InvalidReferenceException;
import io.github.frozenimages.images.testing.Deliveries;

import io.github.frozenimages.images.testing.Faults;
import io.github.frozenimages.images.testing.HttpHeader;
import io.github.frozenimages.images.testing.MediaTypes;
import io.github.frozenimages.images.testing.ProxyResponse;
import io.github.frozenimages.images.testing.RecordedRequest;
import io.github.frozenimages.images.testing.RecordingListener;
import io.github.frozenimages.images.testing.RegistryPusher;
import io.github.frozenimages.images.testing.RegistryPlanter;
import io.github.frozenimages.images.testing.Rule;
import io.github.frozenimages.images.testing.Sha256;
import io.github.frozenimages.images.testing.StandardFixtures;
import io.github.frozenimages.images.testing.TestImage;
import io.github.frozenimages.images.testing.TestLayer;
import io.github.frozenimages.images.testing.WireFaults;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

import org.junit.jupiter.api.BeforeAll;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Hostile and malformed content (reliability catalogue §3.5, with §3.4 items 19 and 20): documents planted in the
 * real registry's storage where it would refuse them on a push, pushed through its API where it accepts them, or
 * served by the fault proxy in its stead. Each is refused with a message naming the image as given, the registry
 * and what is wrong, before a request or a path is built from it, and nothing is written: no output, no temp
 * sibling, nothing unverified in the cache, nothing outside the work folder. Where the right outcome is a success
 * (foreign URLs, planted symlinks, path-like names) the test proves nothing was fetched or written where it must not be.
 */
@Timeout(120)
class HostileContentTest extends FaultProxyTestSupport {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String REPO = StandardFixtures.OCI_IMAGE;
    private static final String HEX64 = "0123456789abcdef".repeat(4);

    @TempDir
    Path work;

    private final RecordingListener log = new RecordingListener();

    @BeforeAll
    static void pushHostileButAcceptedContent() {
        RegistryPusher pusher = new RegistryPusher(registry.baseUrl());
        TestImage oci = fixtures.ociImage();
        // a config with a repeated key: the registry stores configs as opaque blobs
        byte[] dupConfig = new String(oci.configBytes(), StandardCharsets.UTF_8).replaceFirst("\\{", "{\"architecture\":\"arm64\",")
                .getBytes(StandardCharsets.UTF_8);
        pushWithConfig(pusher, "dup-config", dupConfig);
        // a config with one diff_id for a manifest with two layers
        ObjectNode config = (ObjectNode) tree(oci.configBytes());
        ArrayNode diffIds = (ArrayNode) config.path("rootfs").path("diff_ids");
        diffIds.remove(1);
        pushWithConfig(pusher, "short-diff-ids", bytes(config));
        // an index of an index of ... of the multi-platform index: the registry only checks that each child exists
        String child = fixtures.multiOci().digest();
        long childSize = fixtures.multiOci().bytes().length;
        for (int depth = 1; depth <= 4; depth++) {
            byte[] wrapper = indexOf(child, childSize, MediaTypes.OCI_INDEX, "linux", "amd64");
            child = Sha256.digest(wrapper);
            childSize = wrapper.length;
            pusher.pushManifest(StandardFixtures.MULTI_OCI, child, MediaTypes.OCI_INDEX, wrapper);
            if (depth >= 3) {
                // nested-4: three wrappers around the index, four indexes in all; nested-5: one more
                pusher.pushManifest(StandardFixtures.MULTI_OCI, "nested-" + (depth + 1), MediaTypes.OCI_INDEX, wrapper);
            }
        }
        // two linux/amd64 entries in one index, each a real image of the repository
        TestImage other = fixtures.multiOci().image("linux/amd64");
        pusher.pushBlob(REPO, other.configBytes());
        other.layers().forEach(l -> pusher.pushBlob(REPO, l.blob()));
        pusher.pushManifest(REPO, other.manifestDigest(), other.manifestMediaType(), other.manifestBytes());
        pusher.pushManifest(REPO, "twice", MediaTypes.OCI_INDEX, twoAmd64Entries(oci, other));
        pusher.pushManifest(REPO, "twice-reversed", MediaTypes.OCI_INDEX, twoAmd64Entries(other, oci));
    }

    // ---- 23: digests -----------------------------------------------------------------------------------------

    static Stream<Arguments> badDigests() {
        return Stream.of(
                Arguments.of("path traversal", "sha256:../../../../tmp/pwn-images-test", "the part after ':' must be hex digits"),
                Arguments.of("encoded traversal", "sha256:..%2f..%2fx", "the part after ':' must be hex digits"),
                Arguments.of("uppercase hex", "sha256:" + HEX64.toUpperCase(), "hex digits must be lowercase"),
                Arguments.of("63 hex digits", "sha256:" + HEX64.substring(1), "sha256 needs 64 hex digits, got 63"),
                Arguments.of("65 hex digits", "sha256:" + HEX64 + "0", "sha256 needs 64 hex digits, got 65"),
                Arguments.of("sha512 with 64 hex digits", "sha512:" + HEX64, "sha512 needs 128 hex digits, got 64"),
                Arguments.of("md5", "md5:" + HEX64.substring(32), "unsupported algorithm \"md5\""),
                Arguments.of("sha256+b64", "sha256+b64:LCa0a2j_xo_5m0U8HTBBNBNCLXBkg7-g-YpeiGJm564", "unsupported algorithm \"sha256+b64\""),
                Arguments.of("empty", "", "expected <algorithm>:<hex>"),
                Arguments.of("a NUL", "sha256:" + HEX64.substring(0, 32) + "\u0000" + HEX64.substring(33), "the part after ':' must be hex digits"),
                Arguments.of("a newline", "sha256:" + HEX64.substring(0, 32) + "\n" + HEX64.substring(33), "the part after ':' must be hex digits"));
    }

    @ParameterizedTest(name = "a layer digest with {0}")
    @MethodSource("badDigests")
    void aLayerDigestThatIsNotAStrictSha256IsRefusedBeforeAnyBlobRequest(String what, String digest, String problem) throws Exception {
        // planted in the registry's storage: its API would refuse to store a manifest pointing at no blob
        byte[] manifest = manifestWith(m -> ((ObjectNode) m.path("layers").get(0)).put("digest", digest));
        String tag = "bad-digest-" + Math.abs(what.hashCode());
        RegistryPlanter.of(registry).plantManifest(REPO, tag, manifest);

        ImagePullException e = refused(tag, Reason.PROTOCOL, "the manifest is invalid: layer 0: invalid digest ");
        assertMentions(e, problem);
        assertFalse(e.getMessage().contains("\u0000") || e.getMessage().contains("\n"), "raw control characters in: " + e.getMessage());
        assertNoBlobRequests();
        assertFalse(Files.exists(Path.of("/tmp/pwn-images-test")), "a traversal digest became a path");
        assertFalse(Files.exists(work.getParent().resolve("tmp/pwn-images-test")), "a traversal digest became a path");
        assertEquals(200, manifestRequests(tag).get(0).status(), "the registry itself served the planted manifest");
    }

    @Test
    void aConfigDigestThatIsNotAStrictSha256IsRefused() throws Exception {
        serve("bad-config-digest", MediaTypes.OCI_MANIFEST, manifestWith(m -> ((ObjectNode) m.path("config")).put("digest", "sha256:" + HEX64 + "/../x")));
        refused("bad-config-digest", Reason.PROTOCOL, "the manifest is invalid: config: invalid digest ");
        assertNoBlobRequests();
    }

    @Test
    void anIndexEntryDigestThatIsNotAStrictSha256IsRefused() throws Exception {
        byte[] index = indexOf("sha256:../" + HEX64.substring(3), 100, MediaTypes.OCI_MANIFEST, "linux", "amd64");
        serve("bad-entry-digest", MediaTypes.OCI_INDEX, index);
        refused("bad-entry-digest", Reason.PROTOCOL, "the manifest is invalid: index entry 0: invalid digest ");
        assertEquals(1, proxy.requests().stream().filter(r -> r.path().contains("/manifests/")).count(), "no child was asked for");
    }

    @Test
    void aReferenceWithAnUppercaseDigestIsRefusedBeforeAnyRequest() throws Exception {
        String reference = proxy.address() + "/" + REPO + "@sha256:" + fixtures.ociImage().manifestDigest().substring(7).toUpperCase();
        InvalidReferenceException e = assertThrows(InvalidReferenceException.class, () -> pull(reference));
        assertTrue(e.getMessage().contains("lowercase"), e.getMessage());
        assertEquals(List.of(), proxy.requests(), "not silently lower-cased and fetched");
        assertNothingWritten();
    }

    // ---- 24: sizes of documents ----------------------------------------------------------------------------------

    @Test
    void aFiftyMebibyteManifestIsRefusedOnItsContentLengthWithoutReadingIt() throws Exception {
        long huge = 50L * 1024 * 1024;
        proxy.add(Rule.onPath("GET", manifestPath("huge")).then((request, upstream) -> new ProxyResponse(200, "OK",
                List.of(new HttpHeader("Content-Type", MediaTypes.OCI_MANIFEST)), new byte[0], huge, Deliveries.generated(huge, (byte) ' '))));
        refused("huge", Reason.PROTOCOL, "the manifest is too large: the response declares " + huge + " bytes, more than the limit of 4194304");
        assertTrue(proxy.bytesSent(manifestPath("huge")) < huge / 2, "the client read " + proxy.bytesSent(manifestPath("huge")) + " bytes of it");
    }

    @Test
    void anEndlessManifestWithoutContentLengthIsCutAtTheLimit() throws Exception {
        long endless = 8L * 1024 * 1024 * 1024; // never sent whole: the client must stop reading
        proxy.add(Rule.onPath("GET", manifestPath("endless")).then((request, upstream) -> new ProxyResponse(200, "OK",
                List.of(new HttpHeader("Content-Type", MediaTypes.OCI_MANIFEST)), new byte[0], -1, Deliveries.generated(endless, (byte) ' '))));
        refused("endless", Reason.PROTOCOL, "the manifest is too large: the response is larger than the limit of 4194304 bytes");
        assertTrue(proxy.bytesSent(manifestPath("endless")) < 64L * 1024 * 1024,
                "the client read " + proxy.bytesSent(manifestPath("endless")) + " bytes of an endless body");
    }

    @Test
    void anIndexOfTwoHundredThousandEntriesIsRefusedByItsEntryCount() throws Exception {
        StringBuilder doc = new StringBuilder("{\"schemaVersion\":2,\"mediaType\":\"" + MediaTypes.OCI_INDEX + "\",\"manifests\":[");
        for (int i = 0; i < 200_000; i++) {
            doc.append(i == 0 ? "{}" : ",{}");
        }
        byte[] index = doc.append("]}").toString().getBytes(StandardCharsets.UTF_8);
        assertTrue(index.length < 4 * 1024 * 1024);
        serve("wide", MediaTypes.OCI_INDEX, index);
        refused("wide", Reason.PROTOCOL, "the index lists 200000 manifests, more than 1024");
    }

    @Test
    void jsonNestedAHundredThousandDeepIsRefusedByTheParser() throws Exception {
        byte[] deep = ("{\"schemaVersion\":2,\"x\":" + "[".repeat(100_000) + "]".repeat(100_000) + "}").getBytes(StandardCharsets.UTF_8);
        serve("deep", MediaTypes.OCI_MANIFEST, deep);
        ImagePullException e = refused("deep", Reason.PROTOCOL, "the manifest is not valid JSON: ");
        assertMentions(e, "nested more than 64 levels deep at line 1, column ");
    }

    @Test
    void aConfigDeclaredLargerThanFourMebibytesIsNotFetched() throws Exception {
        serve("big-config", MediaTypes.OCI_MANIFEST, manifestWith(m -> ((ObjectNode) m.path("config")).put("size", 5 * 1024 * 1024)));
        refused("big-config", Reason.PROTOCOL, "the config declares 5242880 bytes, more than the limit of 4194304");
        assertNoBlobRequests();
    }

    // ---- 25: parser differentials -------------------------------------------------------------------------------

    @Test
    void aRepeatedLayersKeyIsRefused() throws Exception {
        String manifest = manifestText();
        String layers = manifest.substring(manifest.indexOf("\"layers\""), manifest.lastIndexOf(']') + 1);
        // the registry keeps (and serves) the exact bytes; Go's decoder would take the last "layers", ours refuses both
        RegistryPlanter.of(registry).plantManifest(REPO, "two-layers-keys",
                manifest.replace(layers, "\"layers\":[]," + layers).getBytes(StandardCharsets.UTF_8));
        ImagePullException e = refused("two-layers-keys", Reason.PROTOCOL, "the manifest is not valid JSON: ");
        assertMentions(e, "duplicate key \"layers\" at line 1, column ");
        assertNoBlobRequests();
    }

    @Test
    void aRepeatedMediaTypeKeyIsRefused() throws Exception {
        String manifest = manifestText().replaceFirst("\\{", "{\"mediaType\":\"" + MediaTypes.OCI_INDEX + "\",");
        serve("two-media-types", MediaTypes.OCI_MANIFEST, manifest.getBytes(StandardCharsets.UTF_8));
        ImagePullException e = refused("two-media-types", Reason.PROTOCOL, "the manifest is not valid JSON: ");
        assertMentions(e, "duplicate key \"mediaType\" at line 1, column ");
    }

    @Test
    void keysDifferingOnlyInCaseAreRefused() throws Exception {
        // Go's encoding/json matches keys case-insensitively, so a Go client would read the second list
        String manifest = manifestText();
        String other = "\"Layers\":[{\"mediaType\":\"" + MediaTypes.OCI_LAYER_GZIP + "\",\"digest\":\"sha256:" + HEX64 + "\",\"size\":1}]";
        serve("case-twins", MediaTypes.OCI_MANIFEST, manifest.replaceFirst("\\}$", "," + other + "}").getBytes(StandardCharsets.UTF_8));
        refused("case-twins", Reason.PROTOCOL, "Layers");
        assertNoBlobRequests();
    }

    @Test
    void aDocumentThatIsBothAnIndexAndAManifestIsRefused() throws Exception {
        serve("both", MediaTypes.OCI_MANIFEST, manifestWith(m -> m.putArray("manifests")));
        refused("both", Reason.PROTOCOL, "the document is both an index and a manifest");
        assertNoBlobRequests();
    }

    @Test
    void aMediaTypeContradictingTheContentTypeIsRefused() throws Exception {
        serve("contradiction", MediaTypes.DOCKER_MANIFEST, fixtures.ociImage().manifestBytes());
        refused("contradiction", Reason.PROTOCOL, "the registry served Content-Type " + MediaTypes.DOCKER_MANIFEST
                + " but the document declares mediaType " + MediaTypes.OCI_MANIFEST);
        assertNoBlobRequests();
    }

    @Test
    void schemaVersionOneUnderAnOciContentTypeIsRefused() throws Exception {
        serve("schema-one", MediaTypes.OCI_MANIFEST, manifestWith(m -> m.put("schemaVersion", 1)));
        refused("schema-one", Reason.PROTOCOL, "the document mixes Docker schema 1 with a later format");
        assertNoBlobRequests();
    }

    @Test
    void aConfigWithARepeatedKeyIsRefusedBeforeAnyOutput() throws Exception {
        ImagePullException e = refused("dup-config", Reason.PROTOCOL, "the image config is not valid JSON: ");
        assertMentions(e, "duplicate key \"architecture\" at line 1, column ");
    }

    // ---- 26: media types ----------------------------------------------------------------------------------------

    @Test
    void aDocumentWithNoTypeAnywhereIsUnsupported() throws Exception {
        proxy.add(Rule.onPath("GET", manifestPath("typeless")).then(Faults.answer(200, List.of(),
                "{\"schemaVersion\":2,\"something\":[]}".getBytes(StandardCharsets.UTF_8))));
        refused("typeless", Reason.UNSUPPORTED_MEDIA_TYPE, "unsupported manifest media type (none)");
    }

    @Test
    void anOctetStreamWithoutTellingFieldsIsUnsupported() throws Exception {
        serve("octets", "application/octet-stream", "{\"schemaVersion\":2}".getBytes(StandardCharsets.UTF_8));
        refused("octets", Reason.UNSUPPORTED_MEDIA_TYPE, "unsupported manifest media type application/octet-stream");
    }

    @Test
    void aCaptivePortalPageIsRefusedAsNotJson() throws Exception {
        serve("portal", "text/html; charset=utf-8",
                "<!DOCTYPE html><html><body><h1>Please log in to the hotel Wi-Fi</h1></body></html>".getBytes(StandardCharsets.UTF_8));
        refused("portal", Reason.PROTOCOL, "the manifest is not valid JSON");
    }

    @Test
    void aSchema1ManifestWithAnEmptySignatureListIsRefused() throws Exception {
        String schema1 = "{\"schemaVersion\":1,\"name\":\"test/oci-image\",\"tag\":\"old\",\"architecture\":\"amd64\",\"fsLayers\":[{\"blobSum\":\""
                + fixtures.ociImage().layers().get(0).digest() + "\"}],\"history\":[{\"v1Compatibility\":\"{}\"}],\"signatures\":[]}";
        serve("old", "application/vnd.docker.distribution.manifest.v1+prettyjws", schema1.getBytes(StandardCharsets.UTF_8));
        refused("old", Reason.PROTOCOL, "the schema 1 manifest's signatures are not a list of signatures");
        assertNoBlobRequests();
    }

    /** A v1 id names a folder of the legacy layout: one that climbs out of it is refused before any download. */
    @Test
    void aSchema1IdThatIsAPathIsRefused() throws Exception {
        String v1 = "{\\\"id\\\":\\\"../../../../tmp/escaped\\\"}";
        String schema1 = "{\"schemaVersion\":1,\"name\":\"test/oci-image\",\"tag\":\"old\",\"architecture\":\"amd64\",\"fsLayers\":[{\"blobSum\":\""
                + fixtures.ociImage().layers().get(0).digest() + "\"}],\"history\":[{\"v1Compatibility\":\"" + v1 + "\"}]}";
        serve("climbing", "application/vnd.docker.distribution.manifest.v1+json", schema1.getBytes(StandardCharsets.UTF_8));
        refused("climbing", Reason.PROTOCOL, "history entry 0 has the id \"../../../../tmp/escaped\"; a v1 id is 64 lowercase hex digits");
        assertNoBlobRequests();
    }

    @Test
    void anOciArtifactIsNotTakenForAnImage() throws Exception {
        serve("chart", MediaTypes.OCI_MANIFEST, manifestWith(m -> ((ObjectNode) m.path("config")).put("mediaType", "application/vnd.cncf.helm.config.v1+json")));
        refused("chart", Reason.UNSUPPORTED_MEDIA_TYPE, "it is not a container image but an artifact with config type application/vnd.cncf.helm.config.v1+json");
        assertNoBlobRequests();
    }

    // ---- 27: indexes ---------------------------------------------------------------------------------------------

    @Test
    void indexesNestedFourDeepAreFollowedButFiveDeepAreRefused() throws Exception {
        List<PulledImage> pulled = pull(viaProxy(StandardFixtures.MULTI_OCI, "nested-4"));
        assertEquals(fixtures.multiOci().image("linux/amd64").manifestDigest(), pulled.get(0).manifestDigest().toString());

        Path out = work.resolve("out");
        StagedDirectoryCleaner.delete(out);
        ImagePullException e = assertThrows(ImagePullException.class, () -> pull(viaProxy(StandardFixtures.MULTI_OCI, "nested-5")));
        assertEquals(Reason.PROTOCOL, e.reason(), e.getMessage());
        assertMentions(e, "could not resolve " + viaProxy(StandardFixtures.MULTI_OCI, "nested-5") + " from " + proxy.address());
        assertMentions(e, "indexes are nested more than 4 deep");
        CacheInvariants.assertNoOutput(out);
        CacheInvariants.assertCacheSound(work.resolve("cache"));
    }

    @Test
    void twoEntriesForThePlatformGiveTheFirstEveryTime() throws Exception {
        TestImage first = fixtures.ociImage();
        TestImage second = fixtures.multiOci().image("linux/amd64");
        assertEquals(first.manifestDigest(), pull(viaProxy(REPO, "twice")).get(0).manifestDigest().toString());
        assertEquals(first.manifestDigest(), pull(viaProxy(REPO, "twice")).get(0).manifestDigest().toString());
        assertEquals(second.manifestDigest(), pull(viaProxy(REPO, "twice-reversed")).get(0).manifestDigest().toString());
    }

    // ---- 28: foreign layers ----------------------------------------------------------------------------------------

    @Test
    void foreignUrlsOfALayerAreNeverFetched() throws Exception {
        try (Recorder foreign = Recorder.start()) {
            serve("foreign", MediaTypes.OCI_MANIFEST, manifestWith(m -> ((ObjectNode) m.path("layers").get(0)).putArray("urls")
                    .add(foreign.url() + "/layer").add("http://169.254.169.254/latest/meta-data/").add("file:///etc/passwd")));
            pull(viaProxy(REPO, "foreign"));
            assertEquals(List.of(), foreign.requests(), "the layer came from the registry only");
            assertTrue(blobNamesCheckingContent(work.resolve("out")).contains(fixtures.ociImage().layers().get(0).digest()));
        }
    }

    @Test
    void aForeignLayerMissingFromTheRegistryFailsWithoutTryingItsUrlsWhenNondistributableLayersAreAskedFor() throws Exception {
        try (Recorder foreign = Recorder.start()) {
            String absent = "sha256:" + HEX64;
            serve("foreign-only", MediaTypes.OCI_MANIFEST, manifestWith(m -> {
                ObjectNode layer = (ObjectNode) m.path("layers").get(1);
                layer.put("mediaType", "application/vnd.oci.image.layer.nondistributable.v1.tar+gzip");
                layer.put("digest", absent);
                layer.putArray("urls").add(foreign.url() + "/layer");
            }));
            includeNondistributable = true;
            ImagePullException e = refused("foreign-only", Reason.NOT_FOUND, "BLOB_UNKNOWN");
            assertMentions(e, "(" + absent + ")");
            assertEquals(List.of(), foreign.requests());
        }
    }

    /**
     * By default a non-distributable layer is neither fetched from the registry nor from its urls, the log says
     * so, and the output names it in its manifest without holding it (as {@code docker save} leaves it out).
     */
    @ParameterizedTest
    @ValueSource(strings = {"application/vnd.oci.image.layer.nondistributable.v1.tar+gzip",
            "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip"})
    void aNondistributableLayerIsNotDownloadedUnlessAskedFor(String mediaType) throws Exception {
        try (Recorder foreign = Recorder.start()) {
            TestLayer restricted = fixtures.ociImage().layers().get(1);
            serve("restricted", MediaTypes.OCI_MANIFEST, manifestWith(m -> {
                ObjectNode layer = (ObjectNode) m.path("layers").get(1);
                layer.put("mediaType", mediaType);
                layer.putArray("urls").add(foreign.url() + "/layer");
            }));
            pull(viaProxy(REPO, "restricted"));
            assertEquals(List.of(), proxy.requests().stream().filter(r -> r.path().endsWith("/blobs/" + restricted.digest())).toList());
            assertTrue(log.lines().stream().anyMatch(l -> l.contains("not downloading the non-distributable layer " + restricted.digest())
                    && l.contains("images.includeNondistributable")), log.lines().toString());
            List<String> blobs = blobNamesCheckingContent(work.resolve("out"));
            assertFalse(blobs.contains(restricted.digest()), blobs.toString());
            assertTrue(blobs.contains(fixtures.ociImage().layers().get(0).digest()), blobs.toString());

            includeNondistributable = true;
            pull(viaProxy(REPO, "restricted"));
            assertEquals(1, proxy.requests().stream().filter(r -> r.path().endsWith("/blobs/" + restricted.digest())).count());
            assertTrue(blobNamesCheckingContent(work.resolve("out")).contains(restricted.digest()));
            assertEquals(List.of(), foreign.requests(), "the layer came from the registry only");
        }
    }

    // ---- 29: token endpoint abuse --------------------------------------------------------------------------------

    @Test
    void aTokenAnswerOverOneMebibyteIsRefused() throws Exception {
        try (Recorder tokens = Recorder.start(200, "application/json", ("{\"token\":\"" + "x".repeat(2 * 1024 * 1024) + "\"}").getBytes(StandardCharsets.UTF_8))) {
            challengeWith(tokens);
            ImagePullException e = assertThrows(ImagePullException.class, () -> pull(viaProxy(REPO, "1.0")));
            assertMentions(e, "could not resolve " + viaProxy(REPO, "1.0") + " from " + proxy.address());
            assertMentions(e, "more than the limit of 1048576");
            assertEquals(1, tokens.requests().size());
            assertNothingWritten();
        }
    }

    @Test
    void aTokenAnswerWithoutATokenIsRefused() throws Exception {
        try (Recorder tokens = Recorder.start(200, "application/json", "{\"expires_in\":300}".getBytes(StandardCharsets.UTF_8))) {
            challengeWith(tokens);
            ImagePullException e = assertThrows(ImagePullException.class, () -> pull(viaProxy(REPO, "1.0")));
            assertMentions(e, "could not resolve " + viaProxy(REPO, "1.0") + " from " + proxy.address());
            assertMentions(e, "the token service answered without a token");
            assertNothingWritten();
        }
    }

    @Test
    void aTokenRealmRedirectingElsewhereIsNotFollowed() throws Exception {
        try (Recorder elsewhere = Recorder.start();
             Recorder tokens = Recorder.redirecting(elsewhere.url() + "/steal")) {
            challengeWith(tokens);
            ImagePullException e = assertThrows(ImagePullException.class, () -> pull(viaProxy(REPO, "1.0")));
            assertMentions(e, "refused a token");
            assertMentions(e, "HTTP 302");
            assertEquals(List.of(), elsewhere.requests(), "the redirect was not followed");
            assertNothingWritten();
        }
    }

    @Test
    void aTokenWithALineBreakCannotInjectAHeader() throws Exception {
        try (Recorder tokens = Recorder.start(200, "application/json",
                "{\"token\":\"abc\\r\\nX-Injected: yes\",\"expires_in\":-1}".getBytes(StandardCharsets.UTF_8))) {
            challengeWith(tokens);
            try {
                pull(viaProxy(REPO, "1.0"));
            } catch (ImagePullException e) {
                assertMentions(e, viaProxy(REPO, "1.0")); // refusing the token is fine too, if it says so
            }
            for (RecordedRequest r : proxy.requests()) {
                assertFalse(r.header("X-Injected").isPresent(), "a header was injected into " + r);
            }
        }
    }

    // ---- 20: descriptor sizes ----------------------------------------------------------------------------------------

    static Stream<Arguments> badSizes() {
        return Stream.of(
                Arguments.of("-1", "has an impossible size -1"),
                Arguments.of("9223372036854775807", "has an impossible size 9223372036854775807"),
                Arguments.of("12.5", "has no valid size"),
                Arguments.of("\"100\"", "has no valid size"),
                Arguments.of("99999999999999999999999", "has no valid size"));
    }

    @ParameterizedTest(name = "size {0}")
    @MethodSource("badSizes")
    void anImpossibleLayerSizeIsRefusedBeforeAnythingIsAllocated(String size, String problem) throws Exception {
        String digest = fixtures.ociImage().layers().get(0).digest();
        String manifest = manifestText().replaceFirst("(\"digest\":\"" + digest + "\",\"size\":)\\d+", "$1" + size);
        assertFalse(manifest.equals(manifestText()));
        serve("size", MediaTypes.OCI_MANIFEST, manifest.getBytes(StandardCharsets.UTF_8));
        ImagePullException e = refused("size", Reason.PROTOCOL, "layer 0 (" + digest + ") ");
        assertMentions(e, problem);
        assertNoBlobRequests();
    }

    @Test
    void aZeroSizeForANonEmptyLayerIsRefusedWithoutARequest() throws Exception {
        TestLayer layer = fixtures.ociImage().layers().get(1);
        serve("zero", MediaTypes.OCI_MANIFEST, manifestWith(m -> ((ObjectNode) m.path("layers").get(1)).put("size", 0)));
        // nothing to fetch for zero bytes, and zero bytes are not the layer
        ImagePullException e = refused("zero", Reason.DIGEST_MISMATCH, "expected " + layer.digest());
        assertMentions(e, "(" + layer.digest() + ")");
        assertTrue(proxy.requests().stream().noneMatch(r -> r.path().endsWith(layer.digest())), "the empty layer was asked for");
    }

    // ---- 19: config against manifest ------------------------------------------------------------------------------

    @Test
    void moreLayersThanDiffIdsIsRefusedBeforeAnyOutput() throws Exception {
        refused("short-diff-ids", Reason.PROTOCOL, "the manifest lists 2 layers but the config lists 1 diff_ids");
    }

    // ---- 33: encodings ------------------------------------------------------------------------------------------

    @Test
    void aGzipContentEncodingOnABlobIsNotDecodedButRefused() throws Exception {
        TestLayer layer = fixtures.ociImage().layers().get(1);
        Rule gz = proxy.add(Rule.onPath("GET", "/v2/" + REPO + "/blobs/" + layer.digest()).then(WireFaults.gzipEncoded()));
        ImagePullException e = refused("1.0", Reason.PROTOCOL, "bytes, the manifest declares " + layer.size());
        assertMentions(e, "(" + layer.digest() + ")");
        assertEquals(1, gz.uses());
        proxy.requests().forEach(r -> assertFalse(r.header("Accept-Encoding").filter(v -> v.contains("gzip")).isPresent(),
                "the client asked for compression: " + r));
    }

    // ---- 32: paths ------------------------------------------------------------------------------------------

    @Test
    void anOutputFolderThatIsASymlinkIsReplacedNotWrittenThrough() throws Exception {
        Path victim = Files.createDirectories(work.resolve("victim"));
        Files.writeString(victim.resolve("keep.txt"), "mine");
        Path out = work.resolve("out");
        Files.createSymbolicLink(out, victim);

        pull(viaProxy(REPO, "1.0"));

        assertFalse(Files.isSymbolicLink(out), "the link was replaced by the output");
        assertTrue(Files.isDirectory(out.resolve("blobs/sha256"), LinkOption.NOFOLLOW_LINKS));
        try (Stream<Path> files = Files.list(victim)) {
            assertEquals(List.of("keep.txt"), files.map(p -> p.getFileName().toString()).toList(), "nothing was written through the link");
        }
        assertEquals("mine", Files.readString(victim.resolve("keep.txt")));
    }

    @Test
    void aSymlinkPlantedInsideAnEarlierOutputIsNotFollowed() throws Exception {
        pull(viaProxy(REPO, "1.0"));
        Path victim = Files.createDirectories(work.resolve("victim"));
        Path out = work.resolve("out");
        StagedDirectoryCleaner.delete(out.resolve("blobs"));
        Files.createSymbolicLink(out.resolve("blobs"), victim);

        pull(viaProxy(StandardFixtures.DOCKER_IMAGE, "1.0"));

        assertFalse(Files.isSymbolicLink(out.resolve("blobs")));
        try (Stream<Path> files = Files.list(victim)) {
            assertEquals(0, files.count(), "something was written through the planted link");
        }
    }

    @Test
    void namesFromManifestsNeverBecomePaths() throws Exception {
        // path-like annotations in an index, its entry and the manifest; the tar of the output must hold fixed names only
        byte[] manifest = manifestWith(m -> {
            m.putObject("annotations").put("org.opencontainers.image.ref.name", "../../../../escape").put("org.opencontainers.image.title", "/etc/passwd");
            ((ObjectNode) m.path("layers").get(0)).putObject("annotations").put("org.opencontainers.image.title", "../../layer-escape");
        });
        String manifestDigest = Sha256.digest(manifest);
        ObjectNode index = JSON.createObjectNode().put("schemaVersion", 2).put("mediaType", MediaTypes.OCI_INDEX);
        ObjectNode entry = index.putArray("manifests").addObject().put("mediaType", MediaTypes.OCI_MANIFEST).put("digest", manifestDigest)
                .put("size", manifest.length);
        entry.putObject("platform").put("os", "linux").put("architecture", "amd64");
        entry.putObject("annotations").put("org.opencontainers.image.ref.name", "../../../../escape-entry");
        index.putObject("annotations").put("org.opencontainers.image.ref.name", "/absolute");
        serve("paths", MediaTypes.OCI_INDEX, bytes(index));
        proxy.add(Rule.onPath("GET", "/v2/" + REPO + "/manifests/" + manifestDigest).then(Faults.answer(200, List.of(
                new HttpHeader("Content-Type", MediaTypes.OCI_MANIFEST), new HttpHeader("Docker-Content-Digest", manifestDigest)), manifest)));
        Path archive = work.resolve("images.tar");

        new ImagePuller().pull(new PullRequest(List.of(image(viaProxy(REPO, "paths"))), work.resolve("out"), OutputFormat.DOCKER,
                Optional.of(archive), 4, work.resolve("cache"), Set.of(), CredentialProvider.ANONYMOUS, log).withNetwork(FAST_RETRIES));

        try (Stream<Path> all = Files.walk(work)) {
            List<String> escaped = all.map(p -> p.getFileName() == null ? "" : p.getFileName().toString())
                    .filter(n -> n.contains("escape") || n.equals("absolute") || n.equals("passwd")).toList();
            assertEquals(List.of(), escaped, "a name from a manifest became a file name");
        }
        List<String> names = new ArrayList<>();
        try (TarArchiveInputStream tar = new TarArchiveInputStream(Files.newInputStream(archive))) {
            for (TarArchiveEntry e = tar.getNextEntry(); e != null; e = tar.getNextEntry()) {
                assertFalse(e.isSymbolicLink() || e.isLink(), "a link in the archive: " + e.getName());
                assertFalse(e.getName().startsWith("/") || Path.of(e.getName()).normalize().startsWith(".."), e.getName());
                names.add(e.getName());
            }
        }
        for (String name : names) {
            assertTrue(name.matches("(blobs/|blobs/sha256/|blobs/sha256/[a-f0-9]{64}|index\\.json|oci-layout|manifest\\.json|repositories)"),
                    "unexpected name in the archive: " + name);
        }
    }

    @Test
    void aPartialFilePlantedAsASymlinkIsNotWrittenThrough() throws Exception {
        TestLayer layer = fixtures.ociImage().layers().get(1);
        Path victim = work.resolve("victim.txt");
        byte[] precious = "precious data that must survive, longer than nothing".repeat(400).getBytes(StandardCharsets.UTF_8);
        Files.write(victim, precious);
        Path blobs = Files.createDirectories(work.resolve("cache/blobs/sha256"));
        Files.createSymbolicLink(blobs.resolve("." + Sha256.hexOf(layer.digest()) + ".partial"), victim);

        pull(viaProxy(REPO, "1.0"));

        assertArrayEquals(precious, Files.readAllBytes(victim), "the download was written through the planted link");
        assertTrue(blobNamesCheckingContent(work.resolve("out")).contains(layer.digest()));
        CacheInvariants.assertCacheSound(work.resolve("cache"));
    }

    @Test
    void aCachedBlobReplacedBySymlinkNeverBringsALinkIntoTheOutput() throws Exception {
        TestLayer layer = fixtures.ociImage().layers().get(1);
        Path outside = work.resolve("outside-copy");
        Files.write(outside, layer.blob()); // even with the right content, the cache must not point outside itself
        Path blobs = Files.createDirectories(work.resolve("cache/blobs/sha256"));
        Files.createSymbolicLink(blobs.resolve(Sha256.hexOf(layer.digest())), outside);

        pull(viaProxy(REPO, "1.0"));

        try (Stream<Path> files = Files.walk(work.resolve("out"))) {
            List<Path> links = files.filter(Files::isSymbolicLink).toList();
            assertEquals(List.of(), links, "the output holds symbolic links");
        }
        assertTrue(blobNamesCheckingContent(work.resolve("out")).contains(layer.digest()));
    }

    // ---- helpers -------------------------------------------------------------------------------------------------

    private boolean includeNondistributable;

    private List<PulledImage> pull(String reference) {
        return new ImagePuller().pull(new PullRequest(List.of(image(reference)), work.resolve("out"), OutputFormat.DOCKER, Optional.empty(), 4,
                work.resolve("cache"), Set.of(), CredentialProvider.ANONYMOUS, log).withNetwork(FAST_RETRIES)
                .withIncludeNondistributable(includeNondistributable));
    }

    /** Pulls {@code REPO:tag} through the proxy, expects a refusal with {@code reason} and {@code text}, then checks nothing was written. */
    private ImagePullException refused(String tag, Reason reason, String text) throws IOException {
        String reference = viaProxy(REPO, tag);
        ImagePullException e = assertThrows(ImagePullException.class, () -> pull(reference));
        assertEquals(reason, e.reason(), e.getMessage());
        assertMentions(e, " " + reference + " ");
        assertMentions(e, " from " + proxy.address() + ": ");
        assertMentions(e, text);
        assertNothingWritten();
        return e;
    }

    private void assertNothingWritten() throws IOException {
        CacheInvariants.assertNoOutput(work.resolve("out"));
        CacheInvariants.assertCacheSound(work.resolve("cache"));
        try (Stream<Path> files = Files.list(work)) {
            List<String> names = files.map(p -> p.getFileName().toString()).filter(n -> !n.equals("cache")).toList();
            assertEquals(List.of(), names, "files written beside the cache");
        }
    }

    private void assertNoBlobRequests() {
        List<RecordedRequest> blobs = proxy.requests().stream().filter(r -> r.path().contains("/blobs/")).toList();
        assertEquals(List.of(), blobs, "blob requests were built from the hostile document");
    }

    private List<RecordedRequest> manifestRequests(String tag) {
        return proxy.requests().stream().filter(r -> r.path().equals(manifestPath(tag))).toList();
    }

    /** Answers {@code REPO:tag} with {@code body} in the registry's stead, with its true Docker-Content-Digest. */
    private void serve(String tag, String contentType, byte[] body) {
        proxy.add(Rule.onPath("GET", manifestPath(tag)).always().then(Faults.answer(200, List.of(
                new HttpHeader("Content-Type", contentType), new HttpHeader("Docker-Content-Digest", Sha256.digest(body))), body)));
    }

    /** Makes the registry ask for a Bearer token from {@code tokens}: the proxy answers /v2/ with the challenge. */
    private void challengeWith(Recorder tokens) {
        proxy.add(Rule.onPath("GET", "/v2/").always().then(Faults.answer(401, List.of(
                new HttpHeader("WWW-Authenticate", "Bearer realm=\"" + tokens.url() + "/token\",service=\"hostile\"")), new byte[0])));
    }

    private String viaProxy(String repository, String tag) {
        return proxy.address() + "/" + repository + ":" + tag;
    }

    private static String manifestPath(String tag) {
        return "/v2/" + REPO + "/manifests/" + tag;
    }

    private static String manifestText() {
        return new String(fixtures.ociImage().manifestBytes(), StandardCharsets.UTF_8);
    }

    /** The oci-image fixture's manifest, changed. */
    private static byte[] manifestWith(Consumer<ObjectNode> change) {
        ObjectNode manifest = (ObjectNode) tree(fixtures.ociImage().manifestBytes());
        change.accept(manifest);
        return bytes(manifest);
    }

    private static void pushWithConfig(RegistryPusher pusher, String tag, byte[] config) {
        pusher.pushBlob(REPO, config);
        ObjectNode manifest = (ObjectNode) tree(fixtures.ociImage().manifestBytes());
        ((ObjectNode) manifest.path("config")).put("digest", Sha256.digest(config)).put("size", config.length);
        pusher.pushManifest(REPO, tag, MediaTypes.OCI_MANIFEST, bytes(manifest));
    }

    private static byte[] indexOf(String digest, long size, String mediaType, String os, String architecture) {
        ObjectNode index = JSON.createObjectNode().put("schemaVersion", 2).put("mediaType", MediaTypes.OCI_INDEX);
        ObjectNode entry = index.putArray("manifests").addObject().put("mediaType", mediaType).put("digest", digest).put("size", size);
        entry.putObject("platform").put("os", os).put("architecture", architecture);
        return bytes(index);
    }

    private static byte[] twoAmd64Entries(TestImage a, TestImage b) {
        ObjectNode index = JSON.createObjectNode().put("schemaVersion", 2).put("mediaType", MediaTypes.OCI_INDEX);
        ArrayNode entries = index.putArray("manifests");
        for (TestImage image : List.of(a, b)) {
            ObjectNode entry = entries.addObject().put("mediaType", image.manifestMediaType()).put("digest", image.manifestDigest())
                    .put("size", image.manifestBytes().length);
            entry.putObject("platform").put("os", "linux").put("architecture", "amd64");
        }
        return bytes(index);
    }

    private static JsonNode tree(byte[] bytes) {
        try {
            return JSON.readTree(bytes);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] bytes(JsonNode node) {
        try {
            return JSON.writeValueAsBytes(node);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void assertMentions(Exception e, String text) {
        assertTrue(e.getMessage().contains(text), "expected \"" + text + "\" in: " + e.getMessage());
    }

    /** Deletes an output tree between two pulls of one test. */
    private static final class StagedDirectoryCleaner {
        static void delete(Path p) throws IOException {
            io.github.frozenimages.images.core.output.StagedDirectory.deleteTree(p);
        }
    }

    /**
     * A little HTTP server on 127.0.0.1 that records what reaches it: a foreign-layer host that must never be asked,
     * or a token service with a fixed (hostile) answer, or one redirecting elsewhere.
     */
    static final class Recorder implements AutoCloseable {
        private final HttpServer server;
        private final List<String> requests = new CopyOnWriteArrayList<>();

        private Recorder(int status, String contentType, byte[] body, String location) throws IOException {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0), 0);
            server.createContext("/", exchange -> {
                requests.add(exchange.getRequestMethod() + " " + exchange.getRequestURI());
                try (InputStream in = exchange.getRequestBody(); OutputStream out = exchange.getResponseBody()) {
                    in.readAllBytes();
                    if (location != null) {
                        exchange.getResponseHeaders().add("Location", location);
                    }
                    if (contentType != null) {
                        exchange.getResponseHeaders().add("Content-Type", contentType);
                    }
                    exchange.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
                    out.write(body);
                } catch (IOException e) {
                    // the client hung up: nothing to do
                }
            });
            server.start();
        }

        static Recorder start() throws IOException {
            return new Recorder(404, null, new byte[0], null);
        }

        static Recorder start(int status, String contentType, byte[] body) throws IOException {
            return new Recorder(status, contentType, body, null);
        }

        static Recorder redirecting(String location) throws IOException {
            return new Recorder(302, null, new byte[0], location);
        }

        String url() {
            return "http://127.0.0.1:" + server.getAddress().getPort();
        }

        List<String> requests() {
            return List.copyOf(requests);
        }

        @Override
        public void close() {
            server.stop(0);
        }
    }
}
