package io.github.frozenimages.images.testing;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * An HTTP/1.1 reverse proxy on 127.0.0.1 in front of a plain-http registry, for fault injection. It forwards
 * GET and HEAD with every request header (Authorization, Accept, Range, Host...) and returns the registry's
 * status and headers as they are, redirects included (it never follows them). {@link Rule}s added with
 * {@link #add} replace chosen answers by faulty ones. It records every request and counts the body bytes it
 * sent per path.
 *
 * <p>Plain sockets on both sides rather than an HTTP library, so that a fault can break the protocol (announce
 * one length and send another, cut the connection) and later ones can act on the socket itself. Each upstream
 * answer is read whole into memory before the rules see it, which suits the test fixtures' sizes.
 */
public final class FaultProxy implements AutoCloseable {

    private static final int UPSTREAM_BODY_LIMIT = 256 * 1024 * 1024;
    private static final int CONNECT_TIMEOUT_MS = 5_000;
    private static final int READ_TIMEOUT_MS = 30_000;
    /** An idle keep-alive connection is dropped after this, so no handler waits forever. */
    private static final int IDLE_TIMEOUT_MS = 30_000;
    private static final Set<String> HOP_BY_HOP = Set.of("connection", "keep-alive", "proxy-connection", "te", "trailer",
            "transfer-encoding", "upgrade", "content-length");

    private final ServerSocket server;
    private final InetSocketAddress upstream;
    private final ExecutorService connections;
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
    private final List<Rule> rules = new CopyOnWriteArrayList<>();
    private final List<RecordedRequest> requests = new CopyOnWriteArrayList<>();
    private final Map<String, LongAdder> bytesSent = new ConcurrentHashMap<>();
    private final AtomicBoolean closed = new AtomicBoolean();

    private FaultProxy(ServerSocket server, InetSocketAddress upstream) {
        this.server = server;
        this.upstream = upstream;
        AtomicInteger count = new AtomicInteger();
        this.connections = Executors.newCachedThreadPool(task -> {
            Thread t = new Thread(task, "fault-proxy-" + server.getLocalPort() + "-" + count.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
    }

    /** Starts a proxy on a free port of 127.0.0.1 in front of {@code upstreamBaseUrl} ({@code http://host:port}). */
    public static FaultProxy start(String upstreamBaseUrl) {
        URI uri = URI.create(upstreamBaseUrl);
        if (!"http".equals(uri.getScheme()) || uri.getPort() < 0) {
            throw new IllegalArgumentException("the fault proxy forwards to http://host:port only, not " + upstreamBaseUrl);
        }
        ServerSocket server;
        try {
            server = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot listen on 127.0.0.1", e);
        }
        FaultProxy proxy = new FaultProxy(server, new InetSocketAddress(uri.getHost(), uri.getPort()));
        proxy.connections.execute(proxy::acceptLoop);
        return proxy;
    }

    /** {@code 127.0.0.1:PORT}, as used in image references. */
    public String address() {
        return "127.0.0.1:" + port();
    }

    public String baseUrl() {
        return "http://" + address();
    }

    public int port() {
        return server.getLocalPort();
    }

    /** Adds a rule after the existing ones and returns it (to ask it how often it was used). */
    public <R extends Rule> R add(R rule) {
        rules.add(rule);
        return rule;
    }

    /** Removes every rule: from now on everything passes through. */
    public void clearRules() {
        rules.clear();
    }

    /** Every request so far, in the order their answers were decided. */
    public List<RecordedRequest> requests() {
        return List.copyOf(requests);
    }

    /** Body bytes the proxy managed to send for {@code path} (without query), over all its requests. */
    public long bytesSent(String path) {
        LongAdder sent = bytesSent.get(path);
        return sent == null ? 0 : sent.sum();
    }

    public Map<String, Long> bytesSentByPath() {
        Map<String, Long> copy = new LinkedHashMap<>();
        bytesSent.forEach((path, sent) -> copy.put(path, sent.sum()));
        return copy;
    }

    /** Stops listening, drops every open connection and waits (bounded) for the handlers to end. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        closeQuietly(server);
        open.forEach(FaultProxy::closeQuietly);
        connections.shutdownNow();
        try {
            if (!connections.awaitTermination(10, TimeUnit.SECONDS)) {
                throw new IllegalStateException("fault proxy handlers still running 10 s after close");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public String toString() {
        return "FaultProxy[" + baseUrl() + " -> " + upstream + ", rules " + rules + "]";
    }

    private void acceptLoop() {
        while (!closed.get()) {
            Socket socket;
            try {
                socket = server.accept();
            } catch (IOException e) {
                return; // closed
            }
            open.add(socket);
            if (closed.get()) {
                // close() may have run between accept and add, and then never saw this socket
                open.remove(socket);
                closeQuietly(socket);
                return;
            }
            try {
                connections.execute(() -> serve(socket));
            } catch (RuntimeException rejected) {
                open.remove(socket);
                closeQuietly(socket);
            }
        }
    }

    /** Answers requests on one client connection until it closes, idles out, or a delivery ends it. */
    private void serve(Socket socket) {
        try (socket) {
            socket.setSoTimeout(IDLE_TIMEOUT_MS);
            InputStream in = new BufferedInputStream(socket.getInputStream());
            OutputStream out = socket.getOutputStream();
            boolean keepAlive = true;
            while (keepAlive && !closed.get()) {
                HttpWire.Head head = HttpWire.readHead(in);
                if (head == null) {
                    return;
                }
                keepAlive = exchange(socket, head, out);
            }
        } catch (IOException e) {
            // the client went away or broke the protocol; the connection is gone either way
        } finally {
            open.remove(socket);
        }
    }

    private boolean exchange(Socket socket, HttpWire.Head head, OutputStream out) throws IOException {
        String[] parts = head.startLine().split(" ");
        if (parts.length != 3 || !parts[2].startsWith("HTTP/1.")) {
            throw new IOException("not an HTTP/1.x request line: " + head.startLine());
        }
        ProxyRequest request = new ProxyRequest(parts[0], parts[1], head.headers());
        boolean clientCloses = request.header("Connection").map(v -> v.equalsIgnoreCase("close")).orElse(false);
        ProxyResponse response;
        if (!request.method().equals("GET") && !request.method().equals("HEAD")) {
            // a request body is never read, so the connection cannot carry another request
            response = text(501, "the fault proxy forwards GET and HEAD only\n");
            clientCloses = true;
        } else {
            response = respond(request);
        }
        requests.add(new RecordedRequest(request.method(), request.path(), request.headers(), response.status()));
        return write(socket, out, request, response, clientCloses) && !clientCloses;
    }

    private ProxyResponse respond(ProxyRequest request) {
        try {
            for (Rule rule : rules) {
                if (rule.claim(request)) {
                    return rule.respond(request, this::forward);
                }
            }
            return forward(request);
        } catch (IOException e) {
            return text(502, "the fault proxy could not reach " + upstream + ": " + e + "\n");
        } catch (RuntimeException e) {
            // a broken rule shows up as an answer the test can read, not as a silently dropped connection
            return text(500, "a fault proxy rule failed: " + e + "\n");
        }
    }

    /** One request to the registry on a connection of its own, read whole. */
    private ProxyResponse forward(ProxyRequest request) throws IOException {
        Socket socket = new Socket();
        // tracked like client connections, so close() does not wait out a read from a hung registry
        open.add(socket);
        try (socket) {
            socket.connect(upstream, CONNECT_TIMEOUT_MS);
            socket.setSoTimeout(READ_TIMEOUT_MS);
            StringBuilder head = new StringBuilder(request.method()).append(' ').append(request.target()).append(" HTTP/1.1\r\n");
            boolean hasHost = false;
            for (HttpHeader h : request.headers()) {
                if (!HOP_BY_HOP.contains(h.name().toLowerCase(Locale.ROOT))) {
                    head.append(h.name()).append(": ").append(h.value()).append("\r\n");
                    hasHost |= h.name().equalsIgnoreCase("Host");
                }
            }
            if (!hasHost) {
                head.append("Host: ").append(upstream.getHostString()).append(':').append(upstream.getPort()).append("\r\n");
            }
            head.append("Connection: close\r\n\r\n");
            OutputStream out = socket.getOutputStream();
            out.write(HttpWire.ascii(head.toString()));
            out.flush();

            InputStream in = new BufferedInputStream(socket.getInputStream());
            HttpWire.Head answer = HttpWire.readHead(in);
            if (answer == null) {
                throw new IOException("the registry closed the connection without answering");
            }
            String[] status = answer.startLine().split(" ", 3);
            int code = Integer.parseInt(status[1]);
            String reason = status.length > 2 ? status[2] : HttpWire.reason(code);
            long announced = HttpHeader.first(answer.headers(), "Content-Length").map(v -> Long.parseLong(v.trim())).orElse(-1L);
            if (request.method().equals("HEAD") || !hasBody(code)) {
                return new ProxyResponse(code, reason, answer.headers(), new byte[0], announced, Delivery.COMPLETE);
            }
            byte[] body = HttpWire.readBody(in, answer.headers(), UPSTREAM_BODY_LIMIT);
            return new ProxyResponse(code, reason, answer.headers(), body, body.length, Delivery.COMPLETE);
        } finally {
            open.remove(socket);
        }
    }

    /**
     * Writes the head, then lets the response's delivery write the body through the framing and the byte count.
     *
     * @return whether the connection may carry another request
     */
    private boolean write(Socket socket, OutputStream socketOut, ProxyRequest request, ProxyResponse response,
            boolean close) throws IOException {
        boolean bodyless = request.method().equals("HEAD") || !hasBody(response.status());
        boolean chunked = !bodyless && response.contentLength() < 0;
        StringBuilder head = new StringBuilder("HTTP/1.1 ").append(response.status()).append(' ').append(response.reason()).append("\r\n");
        for (HttpHeader h : response.headers()) {
            head.append(h.name()).append(": ").append(h.value()).append("\r\n");
        }
        if (response.contentLength() >= 0 && hasBody(response.status())) {
            head.append("Content-Length: ").append(response.contentLength()).append("\r\n");
        } else if (chunked) {
            head.append("Transfer-Encoding: chunked\r\n");
        }
        if (close) {
            head.append("Connection: close\r\n");
        }
        head.append("\r\n");
        socketOut.write(HttpWire.ascii(head.toString()));
        socketOut.flush();
        if (bodyless) {
            return true;
        }
        // unbuffered below the count: a counted byte is one the socket accepted
        HttpWire.ChunkedOutputStream chunker = chunked ? new HttpWire.ChunkedOutputStream(socketOut) : null;
        OutputStream framed = chunked ? chunker : socketOut;
        LongAdder sent = bytesSent.computeIfAbsent(request.path(), p -> new LongAdder());
        boolean complete = response.delivery().send(socket, new HttpWire.CountingOutputStream(framed, sent::add), response.body());
        if (complete && chunked) {
            chunker.finish();
        }
        socketOut.flush();
        return complete;
    }

    private static boolean hasBody(int status) {
        return status >= 200 && status != 204 && status != 304;
    }

    private static ProxyResponse text(int status, String message) {
        return ProxyResponse.of(status, List.of(new HttpHeader("Content-Type", "text/plain; charset=utf-8")),
                message.getBytes(StandardCharsets.UTF_8));
    }

    private static void closeQuietly(java.io.Closeable closeable) {
        try {
            closeable.close();
        } catch (IOException e) {
            // closing is best effort: the peer may already be gone
        }
    }
}
