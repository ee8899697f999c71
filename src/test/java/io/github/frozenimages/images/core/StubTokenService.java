package io.github.frozenimages.images.core;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A token endpoint for the registry's "silly" auth mode, which challenges with Bearer and accepts any
 * token: enough to prove the client's challenge, token and reuse logic against the real registry.
 * Records every request's query and Authorization header so tests can count and inspect them.
 */
public final class StubTokenService implements AutoCloseable {

    public record Request(String method, String query, String authorization, String body) {
    }

    private final HttpServer server;
    private final List<Request> requests = new CopyOnWriteArrayList<>();
    private final java.util.concurrent.atomic.AtomicInteger failuresLeft = new java.util.concurrent.atomic.AtomicInteger();
    private volatile int failureStatus;

    public StubTokenService(int expiresIn) throws IOException {
        this(expiresIn, true);
    }

    /** @param acceptsPost false for a token service without the OAuth2 POST endpoint (answers POST with 404) */
    public StubTokenService(int expiresIn, boolean acceptsPost) throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/token", exchange -> {
            String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            requests.add(new Request(exchange.getRequestMethod(), exchange.getRequestURI().getRawQuery(),
                    exchange.getRequestHeaders().getFirst("Authorization"), body));
            if (failuresLeft.getAndUpdate(n -> n > 0 ? n - 1 : n) > 0) {
                byte[] trouble = "{\"errors\":[{\"code\":\"UNAVAILABLE\",\"message\":\"the stub token service is failing on purpose\"}]}"
                        .getBytes(StandardCharsets.UTF_8);
                exchange.getResponseHeaders().add("Content-Type", "application/json");
                exchange.sendResponseHeaders(failureStatus, trouble.length);
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(trouble);
                }
                return;
            }
            if (!acceptsPost && exchange.getRequestMethod().equals("POST")) {
                exchange.sendResponseHeaders(404, -1);
                exchange.close();
                return;
            }
            byte[] answer = ("{\"access_token\":\"stub-token-" + requests.size() + "\",\"expires_in\":" + expiresIn + "}")
                    .getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, answer.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(answer);
            }
        });
        server.start();
    }

    /** The next {@code count} requests are answered with {@code status} (and recorded like any other). */
    public StubTokenService failNext(int count, int status) {
        failureStatus = status;
        failuresLeft.set(count);
        return this;
    }

    public String realm() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/token";
    }

    public List<Request> requests() {
        return List.copyOf(requests);
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
