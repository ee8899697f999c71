package io.github.frozenimages.images.testing;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A token service for a registry in {@code auth.token} mode, on 127.0.0.1: it signs real ES256 JWTs that
 * Distribution 2.8 verifies against the issuer's self-signed certificate ({@link #configure}). Pull on a
 * repository is granted to anyone, except on the private ones, which need a user's Basic credentials;
 * an anonymous request for those gets a token without access, as Docker Hub's service answers. Wrong
 * credentials are refused with 401. Every request is recorded, without its password.
 */
public final class JwtTokenIssuer implements AutoCloseable {

    public static final String SERVICE = "test-registry";
    public static final String ISSUER = "images-test-issuer";
    static final long LIFETIME_SECONDS = 300;

    /**
     * One token request as the service saw it.
     *
     * @param user   the Basic user name, or null for an anonymous request
     * @param status what the service answered
     */
    public record Request(String service, List<String> scopes, String user, int status) {
    }

    private final HttpServer server;
    private final Path rootCertBundle;
    private final Es256JwtSigner signer;
    private final Map<String, String> passwords = new ConcurrentHashMap<>();
    private final Set<String> privateRepositories = ConcurrentHashMap.newKeySet();
    private final Set<String> expireNextTokenFor = ConcurrentHashMap.newKeySet();
    private final List<Request> requests = new CopyOnWriteArrayList<>();

    private JwtTokenIssuer(HttpServer server, TestCertificates.SigningCertificate signing) {
        this.server = server;
        this.rootCertBundle = signing.certificate();
        this.signer = new Es256JwtSigner(signing);
    }

    /** Creates its signing certificate in {@code directory} and starts serving {@code /token} on a free port. */
    public static JwtTokenIssuer start(Path directory) {
        TestCertificates.SigningCertificate signing = TestCertificates.selfSignedEc(directory, ISSUER);
        HttpServer server;
        try {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start the token service", e);
        }
        JwtTokenIssuer issuer = new JwtTokenIssuer(server, signing);
        server.createContext("/token", issuer::handle);
        server.start();
        return issuer;
    }

    /** Sets the registry's {@code auth.token} section to trust this issuer. */
    public RegistryConfig configure(RegistryConfig config) {
        return config.set("auth.token.realm", realm())
                .set("auth.token.service", SERVICE)
                .set("auth.token.issuer", ISSUER)
                .set("auth.token.rootcertbundle", rootCertBundle.toString());
    }

    public String realm() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/token";
    }

    public JwtTokenIssuer user(String name, String password) {
        passwords.put(name, password);
        return this;
    }

    /** Pull on this repository needs a user's credentials. */
    public JwtTokenIssuer privateRepository(String name) {
        privateRepositories.add(name);
        return this;
    }

    /**
     * The next token for this scope (e.g. {@code repository:test/x:pull}) expires 120 s before it is issued,
     * beyond the registry's 60 s leeway, while {@code expires_in} still says 300: only the registry can tell.
     */
    public void expireNextTokenFor(String scope) {
        expireNextTokenFor.add(scope);
    }

    /** An {@code Authorization} value granting {@code actions} on each repository, for seeding the registry. */
    public String bearer(List<String> repositories, String... actions) {
        ArrayNode access = Json.MAPPER.createArrayNode();
        for (String repository : repositories) {
            access.add(access(repository, List.of(actions)));
        }
        return "Bearer " + token("seeder", access, Instant.now().plusSeconds(LIFETIME_SECONDS));
    }

    public List<Request> requests() {
        return List.copyOf(requests);
    }

    /** The recorded requests that asked for this scope. */
    public List<Request> requestsFor(String scope) {
        return requests.stream().filter(r -> r.scopes().contains(scope)).toList();
    }

    public void clearRequests() {
        requests.clear();
    }

    @Override
    public void close() {
        server.stop(0);
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            Map<String, List<String>> query = query(exchange.getRequestURI().getRawQuery());
            String service = query.getOrDefault("service", List.of()).stream().findFirst().orElse(null);
            List<String> scopes = query.getOrDefault("scope", List.of());
            String[] basic = basicCredentials(exchange.getRequestHeaders().getFirst("Authorization"));
            String user = basic == null ? null : basic[0];
            if (basic != null && !basic[1].equals(passwords.get(basic[0]))) {
                requests.add(new Request(service, scopes, user, 401));
                respond(exchange, 401, "{\"details\":\"incorrect username or password\"}");
                return;
            }
            ArrayNode access = Json.MAPPER.createArrayNode();
            boolean expired = false;
            for (String scope : scopes) {
                expired |= expireNextTokenFor.remove(scope);
                String[] parts = scope.split(":");
                // repository:<name>:<actions>; a name may hold a host:port, so the actions are the last part
                if (parts.length >= 3 && parts[0].equals("repository")) {
                    String name = scope.substring("repository:".length(), scope.lastIndexOf(':'));
                    boolean allowed = !privateRepositories.contains(name) || user != null;
                    List<String> granted = allowed && List.of(parts[parts.length - 1].split(",")).contains("pull") ? List.of("pull") : List.of();
                    access.add(access(name, granted));
                }
            }
            Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
            Instant expiry = expired ? now.minusSeconds(120) : now.plusSeconds(LIFETIME_SECONDS);
            String token = token(user == null ? "" : user, access, expiry);
            requests.add(new Request(service, scopes, user, 200));
            ObjectNode body = Json.object().put("token", token).put("access_token", token)
                    .put("expires_in", LIFETIME_SECONDS).put("issued_at", now.toString());
            respond(exchange, 200, new String(Json.bytes(body), StandardCharsets.UTF_8));
        }
    }

    private String token(String subject, ArrayNode access, Instant expiry) {
        Instant issued = expiry.isBefore(Instant.now()) ? expiry.minusSeconds(60) : Instant.now();
        ObjectNode claims = Json.object()
                .put("iss", ISSUER)
                .put("sub", subject)
                // 2.8 reads aud as a single string; a JSON array would make every token invalid
                .put("aud", SERVICE)
                .put("exp", expiry.getEpochSecond())
                .put("nbf", issued.getEpochSecond())
                .put("iat", issued.getEpochSecond())
                .put("jti", UUID.randomUUID().toString());
        claims.set("access", access);
        return signer.sign(claims);
    }

    private static ObjectNode access(String repository, List<String> actions) {
        ObjectNode entry = Json.object().put("type", "repository").put("name", repository);
        ArrayNode list = entry.putArray("actions");
        actions.forEach(list::add);
        return entry;
    }

    /** {user, password} of a Basic header, or null when there is none. */
    private static String[] basicCredentials(String authorization) {
        if (authorization == null || !authorization.regionMatches(true, 0, "Basic ", 0, 6)) {
            return null;
        }
        String pair = new String(Base64.getDecoder().decode(authorization.substring(6).trim()), StandardCharsets.UTF_8);
        int colon = pair.indexOf(':');
        return colon < 0 ? new String[] {pair, ""} : new String[] {pair.substring(0, colon), pair.substring(colon + 1)};
    }

    private static Map<String, List<String>> query(String raw) {
        Map<String, List<String>> parameters = new ConcurrentHashMap<>();
        if (raw == null) {
            return parameters;
        }
        for (String pair : raw.split("&")) {
            int eq = pair.indexOf('=');
            String name = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
            String value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            parameters.computeIfAbsent(name, k -> new ArrayList<>()).add(value);
        }
        return parameters;
    }

    private static void respond(HttpExchange exchange, int status, String json) throws IOException {
        byte[] body = json.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }
}
