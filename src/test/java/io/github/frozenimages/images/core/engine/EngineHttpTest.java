package io.github.frozenimages.images.core.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The HTTP framing the engine client reads and writes, with its bounds. */
class EngineHttpTest {

    private static EngineHttp.Response response(String wire) throws IOException {
        return EngineHttp.readResponse(new ByteArrayInputStream(wire.getBytes(StandardCharsets.ISO_8859_1)));
    }

    private static String body(EngineHttp.Response response) throws IOException {
        return new String(response.readBody(1 << 20), StandardCharsets.UTF_8);
    }

    @Test
    void readsABodyOfContentLengthAndNoMore() throws IOException {
        EngineHttp.Response r = response("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 5\r\n\r\nhello-and-more");
        assertEquals(200, r.status());
        assertEquals("application/json", r.headers().get("content-type"));
        assertEquals("hello", body(r));
    }

    @Test
    void readsAChunkedBodyWithExtensionsAndTrailers() throws IOException {
        EngineHttp.Response r = response("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                + "5;ext=1\r\nhello\r\n1\r\n \r\n5\r\nworld\r\n0\r\nX-Trailer: y\r\n\r\n");
        assertEquals("hello world", body(r));
    }

    @Test
    void readsABodyEndedByTheConnection() throws IOException {
        assertEquals("until close", body(response("HTTP/1.0 500 Internal Server Error\r\n\r\nuntil close")));
    }

    @Test
    void skipsInterimAnswers() throws IOException {
        EngineHttp.Response r = response("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 404 Not Found\r\nContent-Length: 2\r\n\r\n{}");
        assertEquals(404, r.status());
        assertEquals("Not Found", r.reason());
        assertEquals("{}", body(r));
    }

    @Test
    void somethingOtherThanHttpIsMalformed() {
        EngineHttp.MalformedResponseException e = assertThrows(EngineHttp.MalformedResponseException.class,
                () -> response("SSH-2.0-OpenSSH_9.2\r\n"));
        assertTrue(e.getMessage().contains("not an HTTP answer: \"SSH-2.0-OpenSSH_9.2\""), e.getMessage());
        // a TLS alert is binary: shown escaped
        e = assertThrows(EngineHttp.MalformedResponseException.class, () -> response("\u0015\u0003\u0001\u0000\u0002\u0002\n"));
        assertTrue(e.getMessage().contains("\\x15\\x03"), e.getMessage());
    }

    @Test
    void boundsLinesHeadersAndBodies() throws IOException {
        assertThrows(EngineHttp.MalformedResponseException.class,
                () -> response("HTTP/1.1 200 OK\r\nX: " + "a".repeat(EngineHttp.MAX_LINE) + "\r\n\r\n"));
        assertThrows(EngineHttp.MalformedResponseException.class,
                () -> response("HTTP/1.1 200 OK\r\n" + "X: a\r\n".repeat(EngineHttp.MAX_HEADERS + 1) + "\r\n"));
        assertThrows(EngineHttp.MalformedResponseException.class,
                () -> response("HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n"));
        EngineHttp.Response big = response("HTTP/1.1 200 OK\r\n\r\n" + "x".repeat(100));
        assertThrows(EngineHttp.BodyTooLargeException.class, () -> big.readBody(99));
        assertThrows(EngineHttp.MalformedResponseException.class,
                () -> body(response("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n")));
    }

    @Test
    void aTruncatedAnswerIsAnEndOfStreamError() {
        assertThrows(EOFException.class, () -> response(""));
        assertThrows(EOFException.class, () -> response("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n"));
        assertThrows(EOFException.class, () -> body(response("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nabc")));
        assertThrows(EOFException.class, () -> body(response("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nab")));
    }

    @Test
    void chunkedOutputIsReadBackByteForByte() throws IOException {
        byte[] data = new byte[200_000];
        new Random(7).nextBytes(data);
        ByteArrayOutputStream wire = new ByteArrayOutputStream();
        EngineHttp.ChunkedOutputStream chunked = new EngineHttp.ChunkedOutputStream(wire);
        chunked.write(data, 0, 70_000);
        chunked.write(data, 70_000, 0); // must not end the body early
        chunked.write(data, 70_000, data.length - 70_000);
        chunked.finish();
        assertTrue(new String(wire.toByteArray(), StandardCharsets.ISO_8859_1).endsWith("\r\n0\r\n\r\n"));
        InputStream in = new EngineHttp.ChunkedInputStream(new ByteArrayInputStream(wire.toByteArray()));
        assertArrayEquals(data, in.readAllBytes());
    }

    @Test
    void writesARequestHead() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        java.util.Map<String, String> headers = new java.util.LinkedHashMap<>();
        headers.put("Content-Type", "application/x-tar");
        headers.put("Transfer-Encoding", "chunked");
        EngineHttp.writeHead(out, "POST", "/images/load?quiet=1", "docker", headers);
        assertEquals("POST /images/load?quiet=1 HTTP/1.1\r\nHost: docker\r\nContent-Type: application/x-tar\r\n"
                + "Transfer-Encoding: chunked\r\n\r\n", out.toString(StandardCharsets.ISO_8859_1));
    }
}
