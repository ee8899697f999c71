package io.github.frozenimages.images.core.engine;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.List;

/**
 * A scripted stand-in for an engine on a unix socket: each connection is handed to the behaviour given,
 * on its own daemon thread, so the tests can play engines that misbehave in ways a real one rarely does.
 */
final class FakeEngine implements AutoCloseable {

    /** What one connection does. */
    interface Behaviour {
        void serve(Connection connection) throws IOException;
    }

    /** One accepted connection, with helpers to read the request and write an answer. */
    final class Connection {
        private final InputStream in;
        private final OutputStream out;

        Connection(InputStream in, OutputStream out) {
            this.in = in;
            this.out = out;
        }

        Request readRequest() throws IOException {
            return FakeEngine.this.readRequest(in);
        }

        Map<String, String> readHeadOnly() throws IOException {
            return FakeEngine.this.readHeadOnly(in);
        }

        void answer(String response) throws IOException {
            FakeEngine.answer(out, response);
        }
    }

    /** A request as the fake engine read it. */
    record Request(String method, String target, Map<String, String> headers, byte[] body) {
    }

    private final ServerSocketChannel server;
    private final Path socket;
    private final Thread acceptor;
    final List<Request> requests = new CopyOnWriteArrayList<>();
    final List<Throwable> failures = new CopyOnWriteArrayList<>();

    FakeEngine(Path socket, Behaviour behaviour) throws IOException {
        this.socket = socket;
        server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(socket));
        acceptor = new Thread(() -> {
            while (server.isOpen()) {
                SocketChannel channel;
                try {
                    channel = server.accept();
                } catch (IOException closed) {
                    return;
                }
                Thread connection = new Thread(() -> {
                    try (SocketChannel c = channel) {
                        behaviour.serve(new Connection(new BufferedInputStream(Channels.newInputStream(c)), Channels.newOutputStream(c)));
                    } catch (IOException | RuntimeException e) {
                        failures.add(e);
                    }
                }, "fake-engine-connection");
                connection.setDaemon(true);
                connection.start();
            }
        }, "fake-engine");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    String dockerHost() {
        return "unix://" + socket;
    }

    EngineClient client(java.time.Duration timeout) {
        return new EngineClient(EngineEndpoint.parse(dockerHost()), timeout);
    }

    /** Reads a whole request, with its body framed as the headers say, and records it. */
    Request readRequest(InputStream in) throws IOException {
        String requestLine = readLine(in);
        String[] parts = requestLine.split(" ");
        Map<String, String> headers = readHead(in);
        byte[] body = new byte[0];
        if ("chunked".equalsIgnoreCase(headers.get("transfer-encoding"))) {
            body = readChunked(in);
        } else if (headers.containsKey("content-length")) {
            body = in.readNBytes(Integer.parseInt(headers.get("content-length")));
        }
        Request request = new Request(parts[0], parts[1], headers, body);
        requests.add(request);
        return request;
    }

    /** Reads the request line and headers only, leaving the body unread. */
    Map<String, String> readHeadOnly(InputStream in) throws IOException {
        readLine(in);
        return readHead(in);
    }

    private static Map<String, String> readHead(InputStream in) throws IOException {
        Map<String, String> headers = new LinkedHashMap<>();
        for (String line = readLine(in); line != null && !line.isEmpty(); line = readLine(in)) {
            int colon = line.indexOf(':');
            headers.put(line.substring(0, colon).trim().toLowerCase(Locale.ROOT), line.substring(colon + 1).trim());
        }
        return headers;
    }

    /** A chunked body, decoded; the client under test sends no trailers. */
    private static byte[] readChunked(InputStream in) throws IOException {
        java.io.ByteArrayOutputStream body = new java.io.ByteArrayOutputStream();
        for (int chunks = 0; chunks < 1_000_000; chunks++) {
            String size = readLine(in);
            int length = Integer.parseInt(size.split(";")[0].trim(), 16);
            if (length == 0) {
                readLine(in); // the empty line after the last chunk
                return body.toByteArray();
            }
            body.write(in.readNBytes(length));
            readLine(in); // the CRLF that ends the chunk
        }
        throw new IOException("more chunks than any test sends");
    }

    /** One line ended by CRLF, without it; null at the end of the stream. */
    private static String readLine(InputStream in) throws IOException {
        java.io.ByteArrayOutputStream line = new java.io.ByteArrayOutputStream();
        for (int b = in.read(); b >= 0; b = in.read()) {
            if (b == '\n') {
                String text = line.toString(StandardCharsets.ISO_8859_1);
                return text.endsWith("\r") ? text.substring(0, text.length() - 1) : text;
            }
            line.write(b);
        }
        return line.size() == 0 ? null : line.toString(StandardCharsets.ISO_8859_1);
    }

    static void answer(OutputStream out, String response) throws IOException {
        out.write(response.getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    /** A JSON answer with Content-Length, the way Podman frames it. */
    static String json(int status, String reason, String body) {
        return "HTTP/1.1 " + status + " " + reason + "\r\nContent-Type: application/json\r\nContent-Length: "
                + body.getBytes(StandardCharsets.UTF_8).length + "\r\n\r\n" + body;
    }

    /** A chunked JSON stream, the way Docker frames it. */
    static String jsonStream(String... lines) {
        StringBuilder wire = new StringBuilder("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n");
        for (String line : lines) {
            String chunk = line + "\r\n";
            wire.append(Integer.toHexString(chunk.getBytes(StandardCharsets.UTF_8).length)).append("\r\n").append(chunk).append("\r\n");
        }
        return wire.append("0\r\n\r\n").toString();
    }

    @Override
    public void close() {
        try {
            server.close();
            Files.deleteIfExists(socket);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
