package io.github.frozenimages.images.testing;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The fault proxy against the real registry: invisible without rules, and rules act exactly as often as asked. */
@Timeout(60)
class FaultProxyTest {

    private static final HttpClient HTTP = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .followRedirects(HttpClient.Redirect.NEVER)
            .build();

    private static RegistryServer registry;
    private static TestImage image;

    @BeforeAll
    static void startRegistry() {
        registry = RegistryServer.start();
        image = StandardFixtures.build().ociImage();
        new RegistryPusher(registry.baseUrl()).push(StandardFixtures.OCI_IMAGE, StandardFixtures.TAG, image);
    }

    @AfterAll
    static void stopRegistry() {
        if (registry != null) {
            registry.close();
        }
    }

    @Test
    void withoutRulesTheClientSeesTheRegistrysExactStatusHeadersAndBytes() throws Exception {
        String manifest = "/v2/test/oci-image/manifests/1.0";
        String blob = "/v2/test/oci-image/blobs/" + image.layers().get(0).digest();
        try (FaultProxy proxy = FaultProxy.start(registry.baseUrl())) {
            // the registry answers an OCI manifest only to a client that accepts OCI: this proves Accept is forwarded
            assertSameAnswer(proxy, "GET", manifest, "Accept", MediaTypes.OCI_MANIFEST);
            assertSameAnswer(proxy, "GET", blob);
            assertSameAnswer(proxy, "HEAD", blob);
            // a 206 with Content-Range proves Range is forwarded
            HttpResponse<byte[]> range = assertSameAnswer(proxy, "GET", blob, "Range", "bytes=10-99");
            assertEquals(206, range.statusCode());
            assertSameAnswer(proxy, "GET", "/v2/test/oci-image/manifests/no-such-tag", "Accept", MediaTypes.OCI_MANIFEST);
            assertSameAnswer(proxy, "GET", blob, "Authorization", "Bearer anything");

            List<String> seen = proxy.requests().stream().map(RecordedRequest::toString).toList();
            assertEquals(List.of("GET " + manifest + " -> 200", "GET " + blob + " -> 200", "HEAD " + blob + " -> 200",
                    "GET " + blob + " -> 206", "GET /v2/test/oci-image/manifests/no-such-tag -> 404",
                    "GET " + blob + " -> 200 (with Authorization)"), seen);
            assertEquals(2 * image.layers().get(0).size() + 90, proxy.bytesSent(blob), "two whole bodies and 90 bytes of range");
            assertEquals(image.manifestBytes().length, proxy.bytesSent(manifest));
        }
    }

    @Test
    void aRuleActsOnItsFirstMatchesOnlyThenEverythingPassesThrough() throws Exception {
        TestLayer layer = image.layers().get(0);
        String blob = "/v2/test/oci-image/blobs/" + layer.digest();
        try (FaultProxy proxy = FaultProxy.start(registry.baseUrl())) {
            Rule flip = proxy.add(Rule.onPath("GET", blob).times(2).then(Faults.flipByte(0)));

            assertEquals(200, send(proxy.baseUrl(), "HEAD", blob).statusCode(), "HEAD is not the rule's method");
            byte[] flipped = Faults.flipped(layer.blob(), 0);
            assertArrayEquals(flipped, send(proxy.baseUrl(), "GET", blob).body());
            assertArrayEquals(flipped, send(proxy.baseUrl(), "GET", blob).body());
            assertArrayEquals(layer.blob(), send(proxy.baseUrl(), "GET", blob).body());
            assertEquals(2, flip.uses());
        }
    }

    @Test
    void aTruncatedBodyAnnouncesTheFullLengthThenTheConnectionCloses() throws Exception {
        TestLayer layer = image.layers().get(0);
        String blob = "/v2/test/oci-image/blobs/" + layer.digest();
        try (FaultProxy proxy = FaultProxy.start(registry.baseUrl());
             Socket socket = new Socket("127.0.0.1", proxy.port())) {
            proxy.add(Rule.onPath("GET", blob).then(Faults.truncateBody(1000)));
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write(("GET " + blob + " HTTP/1.1\r\nHost: " + proxy.address() + "\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            byte[] all = readToEnd(socket.getInputStream());

            int split = indexOf(all, "\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            String head = new String(all, 0, split, StandardCharsets.US_ASCII);
            assertTrue(head.startsWith("HTTP/1.1 200 "), head);
            assertTrue((head + "\r\n").contains("\r\nContent-Length: " + layer.size() + "\r\n"), head);
            assertArrayEquals(Arrays.copyOf(layer.blob(), 1000), Arrays.copyOfRange(all, split + 4, all.length),
                    "the first 1000 bytes, then the end of the stream");
            assertEquals(1000, proxy.bytesSent(blob));
        }
    }

    @Test
    void aFixedAnswerReplacesTheRegistrysAnswer() throws Exception {
        try (FaultProxy proxy = FaultProxy.start(registry.baseUrl())) {
            proxy.add(Rule.on("*", "/v2/.*").then(Faults.answer(503, List.of(new HttpHeader("Retry-After", "7")),
                    "busy".getBytes(StandardCharsets.UTF_8))));
            HttpResponse<byte[]> response = send(proxy.baseUrl(), "GET", "/v2/");
            assertEquals(503, response.statusCode());
            assertEquals("7", response.headers().firstValue("Retry-After").orElse(null));
            assertEquals("busy", new String(response.body(), StandardCharsets.UTF_8));
            assertFalse(response.headers().firstValue("Docker-Distribution-Api-Version").isPresent(), "the registry was not asked");
        }
    }

    /** Sends the same request to the registry and through the proxy; everything but Date must be equal. */
    private static HttpResponse<byte[]> assertSameAnswer(FaultProxy proxy, String method, String path, String... headers)
            throws Exception {
        HttpResponse<byte[]> direct = send(registry.baseUrl(), method, path, headers);
        HttpResponse<byte[]> proxied = send(proxy.baseUrl(), method, path, headers);
        assertEquals(direct.statusCode(), proxied.statusCode(), method + " " + path);
        assertEquals(withoutDate(direct.headers().map()), withoutDate(proxied.headers().map()), method + " " + path);
        assertArrayEquals(direct.body(), proxied.body(), method + " " + path);
        return proxied;
    }

    private static Map<String, List<String>> withoutDate(Map<String, List<String>> headers) {
        Map<String, List<String>> copy = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        copy.putAll(headers);
        copy.remove("Date");
        return copy;
    }

    private static HttpResponse<byte[]> send(String base, String method, String path, String... headers) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path))
                .timeout(Duration.ofSeconds(20))
                .method(method, HttpRequest.BodyPublishers.noBody());
        if (headers.length > 0) {
            request.headers(headers);
        }
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    private static byte[] readToEnd(InputStream in) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        in.transferTo(out);
        return out.toByteArray();
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            if (Arrays.equals(haystack, i, i + needle.length, needle, 0, needle.length)) {
                return i;
            }
        }
        throw new AssertionError("no " + new String(needle, StandardCharsets.US_ASCII).strip() + " in the answer");
    }
}
