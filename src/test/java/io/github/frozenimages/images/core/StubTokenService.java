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
final class StubTokenService implements AutoCloseable {

    record Request(String method, String query, String authorization, String body) {
    }

    private final HttpServer server;
    private final List<Request> requests = new CopyOnWriteArrayList<>();

    StubTokenService(int expiresIn) throws IOException {
        this(expiresIn, true);
    }

    /** @param acceptsPost false for a token service without the OAuth2 POST endpoint (answers POST with 404) */
    StubTokenService(int expiresIn, boolean acceptsPost) throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/token", exchange -> {
            String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            requests.add(new Request(exchange.getRequestMethod(), exchange.getRequestURI().getRawQuery(),
                    exchange.getRequestHeaders().getFirst("Authorization"), body));
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

    String realm() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/token";
    }

    List<Request> requests() {
        return List.copyOf(requests);
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
