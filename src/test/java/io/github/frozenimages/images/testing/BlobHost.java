package io.github.frozenimages.images.testing;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * The "other host" of a cross-host blob redirect: serves a registry's storage tree on 127.0.0.2 for the
 * registry's {@code redirect} storage middleware (see {@link RegistryConfig}), which answers blob requests with a
 * 307 to {@code <baseurl>/docker/registry/v2/blobs/sha256/xx/<hex>/data}. Like a presigned S3 URL it refuses
 * any request that carries an Authorization header (400), and it records every request's headers.
 *
 * <p>Start it first: the registry's configuration needs {@link #baseUrl}, and the registry's storage root is
 * only known once the registry runs, so {@link #serveFrom} comes after that. Until then it answers 503.
 */
public final class BlobHost implements AutoCloseable {

    /** A second loopback address: a different host for the client, and Linux routes all of 127/8 to lo. */
    public static final String HOST = "127.0.0.2";

    private final HttpServer server;
    private final ExecutorService executor;
    private final List<RecordedRequest> requests = new CopyOnWriteArrayList<>();
    private volatile Path root;

    private BlobHost(HttpServer server, ExecutorService executor) {
        this.server = server;
        this.executor = executor;
    }

    public static BlobHost start() {
        HttpServer server;
        try {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getByName(HOST), 0), 0);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot listen on " + HOST, e);
        }
        ExecutorService executor = Executors.newFixedThreadPool(4, task -> {
            Thread t = new Thread(task, "blob-host");
            t.setDaemon(true);
            return t;
        });
        BlobHost host = new BlobHost(server, executor);
        server.setExecutor(executor);
        server.createContext("/", host::handle);
        server.start();
        return host;
    }

    /** {@code http://127.0.0.2:PORT}, the redirect middleware's {@code baseurl}. */
    public String baseUrl() {
        return "http://" + HOST + ":" + server.getAddress().getPort();
    }

    /** Serves files under {@code storageRoot} (a registry's filesystem root) by their path from now on. */
    public void serveFrom(Path storageRoot) {
        this.root = storageRoot.toAbsolutePath().normalize();
    }

    public List<RecordedRequest> requests() {
        return List.copyOf(requests);
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
        try {
            executor.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String method = exchange.getRequestMethod();
            String path = exchange.getRequestURI().getRawPath();
            int status;
            byte[] body;
            Path file = resolve(path);
            if (exchange.getRequestHeaders().containsKey("Authorization")) {
                status = 400;
                body = "<Error><Code>InvalidArgument</Code><Message>Only one auth mechanism allowed</Message></Error>"
                        .getBytes(StandardCharsets.UTF_8);
            } else if (!method.equals("GET") && !method.equals("HEAD")) {
                status = 405;
                body = new byte[0];
            } else if (file == null) {
                status = root == null ? 503 : 404;
                body = new byte[0];
            } else {
                status = 200;
                body = Files.readAllBytes(file);
                exchange.getResponseHeaders().add("Content-Type", "application/octet-stream");
            }
            requests.add(new RecordedRequest(method, path, headersOf(exchange.getRequestHeaders()), status));
            boolean head = method.equals("HEAD");
            exchange.sendResponseHeaders(status, head || body.length == 0 ? -1 : body.length);
            if (!head && body.length > 0) {
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(body);
                }
            }
        }
    }

    /** The file a request path names, or null if it names none or would leave the root. */
    private Path resolve(String requestPath) {
        Path base = root;
        if (base == null || requestPath.contains("..") || !requestPath.startsWith("/")) {
            return null;
        }
        Path file = base.resolve(requestPath.substring(1)).normalize();
        return file.startsWith(base) && Files.isRegularFile(file) ? file : null;
    }

    private static List<HttpHeader> headersOf(Headers headers) {
        List<HttpHeader> list = new ArrayList<>();
        for (Map.Entry<String, List<String>> entry : headers.entrySet()) {
            entry.getValue().forEach(value -> list.add(new HttpHeader(entry.getKey(), value)));
        }
        return list;
    }
}
