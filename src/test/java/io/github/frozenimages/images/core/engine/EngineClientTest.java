package io.github.frozenimages.images.core.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.frozenimages.images.core.output.TarArchiveWriter;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The client against a scripted engine: the wire format it sends, and each way an engine can fail it. */
class EngineClientTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(20);

    @TempDir
    Path temp;

    private Path socket() {
        return temp.resolve("engine.sock");
    }

    private Path tarball(String name, int size) throws IOException {
        byte[] bytes = new byte[size];
        new Random(size).nextBytes(bytes);
        return Files.write(temp.resolve(name), bytes);
    }

    private Path tree() throws IOException {
        Path tree = Files.createDirectories(temp.resolve("images/blobs/sha256"));
        Files.writeString(tree.resolve("0123"), "blob");
        Files.writeString(temp.resolve("images/manifest.json"), "[]");
        Files.writeString(temp.resolve("images/oci-layout"), "{\"imageLayoutVersion\":\"1.0.0\"}");
        return temp.resolve("images");
    }

    @Test
    void sendsAFileWithItsLengthAndReadsDockersStreamedAnswer() throws Exception {
        Path archive = tarball("images.tar", 300_000);
        try (FakeEngine engine = new FakeEngine(socket(), c -> {
            c.readRequest();
            c.answer(FakeEngine.jsonStream("{\"stream\":\"Loaded image: a:1\\n\"}",
                    "{\"stream\":\"Loaded image: registry.example:5000/b:2\\n\"}"));
        })) {
            LoadedImages loaded = engine.client(TIMEOUT).load(ArchiveSource.of(archive));
            assertEquals(List.of("a:1", "registry.example:5000/b:2"), loaded.names());

            FakeEngine.Request request = engine.requests.get(0);
            assertEquals("POST", request.method());
            assertEquals("/images/load?quiet=1", request.target());
            assertEquals("docker", request.headers().get("host"));
            assertEquals("application/x-tar", request.headers().get("content-type"));
            assertEquals("300000", request.headers().get("content-length"));
            assertFalse(request.headers().containsKey("transfer-encoding"));
            assertTrue(request.headers().get("user-agent").startsWith("images-maven-plugin/"));
            assertArrayEquals(Files.readAllBytes(archive), request.body());
        }
    }

    @Test
    void streamsAFolderAsAChunkedTarballOfTheSameBytesAsTheArchiveFile() throws Exception {
        Path tree = tree();
        Path expected = temp.resolve("expected.tar");
        TarArchiveWriter.write(tree, expected);
        try (FakeEngine engine = new FakeEngine(socket(), c -> {
            c.readRequest();
            c.answer(FakeEngine.json(200, "OK", "{\"stream\":\"Loaded image: x:1,y:2\"}"));
        })) {
            LoadedImages loaded = engine.client(TIMEOUT).load(ArchiveSource.of(tree));
            assertEquals(List.of("x:1", "y:2"), loaded.names());
            FakeEngine.Request request = engine.requests.get(0);
            assertEquals("chunked", request.headers().get("transfer-encoding"));
            assertFalse(request.headers().containsKey("content-length"));
            assertArrayEquals(Files.readAllBytes(expected), request.body());
        }
    }

    @Test
    void noSocketFileMeansNoEngineListening() throws IOException {
        Path archive = tarball("images.tar", 10);
        EngineClient client = new EngineClient(EngineEndpoint.parse("unix://" + temp.resolve("none.sock")), TIMEOUT);
        EngineException e = assertThrows(EngineException.class, () -> client.load(ArchiveSource.of(archive)));
        assertEquals(EngineException.Reason.NOT_LISTENING, e.reason());
        assertEquals("no engine listening at unix://" + temp.resolve("none.sock") + ": there is no socket file", e.getMessage());
    }

    @Test
    void aSocketFileWithoutListenerMeansNoEngineListening() throws IOException {
        Path archive = tarball("images.tar", 10);
        try (ServerSocketChannel stale = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            stale.bind(UnixDomainSocketAddress.of(socket()));
        } // closed: the file stays, as after an engine that crashed
        assertTrue(Files.exists(socket()));
        EngineClient client = new EngineClient(EngineEndpoint.parse("unix://" + socket()), TIMEOUT);
        EngineException e = assertThrows(EngineException.class, () -> client.load(ArchiveSource.of(archive)));
        assertEquals(EngineException.Reason.NOT_LISTENING, e.reason());
        assertEquals("no engine listening at unix://" + socket() + ": connection refused", e.getMessage());
    }

    @Test
    void aClosedTcpPortMeansNoEngineListening() throws IOException {
        int port;
        try (ServerSocket reserved = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = reserved.getLocalPort();
        }
        Path archive = tarball("images.tar", 10);
        EngineClient client = new EngineClient(EngineEndpoint.parse("tcp://127.0.0.1:" + port), TIMEOUT);
        EngineException e = assertThrows(EngineException.class, () -> client.load(ArchiveSource.of(archive)));
        assertEquals(EngineException.Reason.NOT_LISTENING, e.reason());
        assertEquals("no engine listening at tcp://127.0.0.1:" + port + ": connection refused", e.getMessage());
    }

    @Test
    void anErrorStatusIsARefusalWithTheEnginesMessage() throws Exception {
        Path archive = tarball("garbage.tar", 3_000);
        try (FakeEngine engine = new FakeEngine(socket(), c -> {
            c.readRequest();
            c.answer(FakeEngine.json(500, "Internal Server Error",
                    "{\"cause\":\"invalid tar header\",\"message\":\"failed to load image: invalid tar header\",\"response\":500}"));
        })) {
            EngineException e = assertThrows(EngineException.class, () -> engine.client(TIMEOUT).load(ArchiveSource.of(archive)));
            assertEquals(EngineException.Reason.REFUSED, e.reason());
            assertEquals(engine.dockerHost().replace("unix://", "the engine at unix://")
                    + " refused the archive: failed to load image: invalid tar header (HTTP 500)", e.getMessage());
        }
    }

    @Test
    void anErrorInsideA200StreamIsARefusalToo() throws Exception {
        Path archive = tarball("images.tar", 3_000);
        try (FakeEngine engine = new FakeEngine(socket(), c -> {
            c.readRequest();
            c.answer(FakeEngine.jsonStream(
                    "{\"errorDetail\":{\"message\":\"unexpected EOF\"},\"error\":\"unexpected EOF\"}"));
        })) {
            EngineException e = assertThrows(EngineException.class, () -> engine.client(TIMEOUT).load(ArchiveSource.of(archive)));
            assertEquals(EngineException.Reason.REFUSED, e.reason());
            assertTrue(e.getMessage().endsWith(" refused the archive: unexpected EOF"), e.getMessage());
        }
    }

    @Test
    void anAnswerSentBeforeTheWholeArchiveStillSurfaces() throws Exception {
        // big enough to fill the socket buffers: the client is still sending when the engine answers and closes
        Path archive = tarball("big.tar", 16 * 1024 * 1024);
        try (FakeEngine engine = new FakeEngine(socket(), c -> {
            c.readHeadOnly();
            c.answer(FakeEngine.json(400, "Bad Request", "{\"message\":\"no space left on device\"}"));
        })) {
            EngineException e = assertTimeoutPreemptively(Duration.ofSeconds(30),
                    () -> assertThrows(EngineException.class, () -> engine.client(TIMEOUT).load(ArchiveSource.of(archive))));
            assertEquals(EngineException.Reason.REFUSED, e.reason(), e.getMessage());
            assertTrue(e.getMessage().endsWith(" refused the archive: no space left on device (HTTP 400)"), e.getMessage());
        }
    }

    @Test
    void aSilentEngineTimesOut() throws Exception {
        Path archive = tarball("images.tar", 3_000);
        try (FakeEngine engine = new FakeEngine(socket(), c -> {
            c.readRequest();
            try {
                Thread.sleep(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        })) {
            long start = System.nanoTime();
            EngineException e = assertThrows(EngineException.class,
                    () -> engine.client(Duration.ofSeconds(1)).load(ArchiveSource.of(archive)));
            long seconds = Duration.ofNanos(System.nanoTime() - start).toSeconds();
            assertEquals(EngineException.Reason.TIMEOUT, e.reason());
            assertTrue(e.getMessage().contains("stayed silent for 1 s"), e.getMessage());
            assertTrue(seconds < 5, "took " + seconds + " s");
        }
    }

    @Test
    void somethingThatIsNotAnEngineIsNamedAsSuch() throws Exception {
        Path archive = tarball("images.tar", 3_000);
        try (FakeEngine engine = new FakeEngine(socket(), c -> {
            c.readRequest();
            c.answer("SSH-2.0-OpenSSH_9.2\r\n");
        })) {
            EngineException e = assertThrows(EngineException.class, () -> engine.client(TIMEOUT).load(ArchiveSource.of(archive)));
            assertEquals(EngineException.Reason.PROTOCOL, e.reason());
            assertTrue(e.getMessage().contains("does not answer like a Docker-compatible engine: not an HTTP answer"), e.getMessage());
        }
    }

    @Test
    void anEngineThatHangsUpWithoutAnswerIsAProtocolFailure() throws Exception {
        Path archive = tarball("images.tar", 3_000);
        try (FakeEngine engine = new FakeEngine(socket(), c -> c.readRequest())) {
            EngineException e = assertThrows(EngineException.class, () -> engine.client(TIMEOUT).load(ArchiveSource.of(archive)));
            assertEquals(EngineException.Reason.PROTOCOL, e.reason());
            assertTrue(e.getMessage().contains("the connection closed without an answer"), e.getMessage());
        }
    }

    @Test
    void getReturnsTheBodyAndRefusesErrorStatuses() throws Exception {
        try (FakeEngine engine = new FakeEngine(socket(), c -> {
            FakeEngine.Request request = c.readRequest();
            c.answer(request.target().equals("/images/json")
                    ? FakeEngine.json(200, "OK", "[{\"Id\":\"sha256:01\"}]")
                    : FakeEngine.json(404, "Not Found", "{\"message\":\"page not found\"}"));
        })) {
            EngineClient client = engine.client(TIMEOUT);
            assertEquals("[{\"Id\":\"sha256:01\"}]", new String(client.get("/images/json", 1 << 20), StandardCharsets.UTF_8));
            assertEquals("GET", engine.requests.get(0).method());
            EngineException e = assertThrows(EngineException.class, () -> client.get("/nope", 1 << 20));
            assertTrue(e.getMessage().endsWith("answered GET /nope with HTTP 404: page not found"), e.getMessage());
        }
    }

    @Test
    void aMissingArchiveIsAnArgumentError() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ArchiveSource.of(temp.resolve("none.tar")));
        assertEquals("there is no archive or image folder at " + temp.resolve("none.tar"), e.getMessage());
    }

    @Test
    void plainHttpToATlsPortIsToldToTurnOnTls() throws Exception {
        // Docker's own answer to plain http on its TLS port, byte for byte as Go's server sends it
        String answer = "HTTP/1.0 400 Bad Request\r\nContent-Type: text/plain; charset=utf-8\r\nConnection: close\r\n\r\n"
                + "Client sent an HTTP request to an HTTPS server.\n";
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Thread engine = new Thread(() -> {
                try (java.net.Socket connection = server.accept()) {
                    connection.getInputStream().read(new byte[8192]);
                    connection.getOutputStream().write(answer.getBytes(StandardCharsets.ISO_8859_1));
                } catch (IOException ignored) {
                    // the test's assertion says what went wrong
                }
            }, "tls-port");
            engine.setDaemon(true);
            engine.start();
            String address = "tcp://127.0.0.1:" + server.getLocalPort();
            try (EngineClient client = new EngineClient(EngineEndpoint.parse(address), TIMEOUT)) {
                EngineException e = assertThrows(EngineException.class, () -> client.get("/images/json", 1 << 20));
                assertEquals("the engine at " + address + " answered GET /images/json with HTTP 400: Client sent an HTTP request"
                        + " to an HTTPS server.; the engine speaks TLS: set DOCKER_TLS_VERIFY=1 and DOCKER_CERT_PATH to the"
                        + " folder with its ca.pem, cert.pem and key.pem", e.getMessage());
            }
        }
    }
}
