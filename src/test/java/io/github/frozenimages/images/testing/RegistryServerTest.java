package io.github.frozenimages.images.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(60)
class RegistryServerTest {

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @Test
    void startsOnAFreeLoopbackPortAndAnswersTheV2Endpoint() throws Exception {
        try (RegistryServer server = RegistryServer.start()) {
            assertTrue(server.address().matches("127\\.0\\.0\\.1:\\d{2,5}"), server.address());
            assertEquals("http://" + server.address(), server.baseUrl());
            HttpResponse<String> response = get(server.baseUrl() + "/v2/");
            assertEquals(200, response.statusCode(), response::body);
            assertEquals("registry/2.0",
                    response.headers().firstValue("Docker-Distribution-Api-Version").orElse(null));
            assertTrue(Files.isDirectory(server.storageRoot()));
            assertTrue(Files.readString(server.directory().resolve("config.yml"))
                    .contains("rootdirectory: \"" + server.storageRoot() + "\""));
        }
    }

    @Test
    void closeStopsTheProcessFreesThePortAndDeletesTheTempDir() throws Exception {
        RegistryServer server = RegistryServer.start();
        long pid = server.pid();
        int port = server.port();
        Path directory = server.directory();

        server.close();

        assertFalse(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false), "registry still alive");
        assertFalse(Files.exists(directory), directory + " still exists");
        try (ServerSocket socket = new ServerSocket(port, 1, InetAddress.getByName("127.0.0.1"))) {
            assertEquals(port, socket.getLocalPort());
        }
        server.close(); // a second close is a no-op
    }

    @Test
    void listensOnAFixedPortWhenAsked() throws Exception {
        int port = freePort();
        try (RegistryServer server = RegistryServer.start(RegistryConfig.plain().port(port))) {
            assertEquals("127.0.0.1:" + port, server.address());
            assertEquals(200, get(server.baseUrl() + "/v2/").statusCode());
        }
    }

    @Test
    void appendsExtraYamlToTheConfig() throws Exception {
        RegistryConfig config = RegistryConfig.plain()
                .extraYaml("health:\n  storagedriver:\n    enabled: false\n");
        try (RegistryServer server = RegistryServer.start(config)) {
            assertTrue(Files.readString(server.directory().resolve("config.yml"))
                    .endsWith("health:\n  storagedriver:\n    enabled: false\n"));
            assertEquals(200, get(server.baseUrl() + "/v2/").statusCode());
        }
    }

    @Test
    void aRegistryThatCannotStartFailsWithItsLogAndLeavesNothingBehind() {
        RegistryConfig config = RegistryConfig.plain().set("http.addr", "127.0.0.1:not-a-port");
        AssertionError failure = assertThrows(AssertionError.class, () -> RegistryServer.start(config));
        assertTrue(failure.getMessage().contains("the registry exited with code"), failure::getMessage);
        assertTrue(failure.getMessage().contains("not-a-port"), failure::getMessage);
        assertTrue(failure.getMessage().contains("--- last lines of "), failure::getMessage);
    }

    @Test
    void aMissingBinaryFailsWithAnInstallHint() {
        AssertionError failure = assertThrows(AssertionError.class,
                () -> RegistryServer.start(RegistryConfig.plain(), Path.of("/nonexistent/docker-registry")));
        assertEquals("the Distribution registry binary /nonexistent/docker-registry is missing: install it"
                + " with `apt-get install -y docker-registry` (the project's .ci/run does this)",
                failure.getMessage());
    }

    private static HttpResponse<String> get(String url) throws IOException, InterruptedException {
        return HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            return socket.getLocalPort();
        }
    }
}
