package io.github.frozenimages.images.core.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** DOCKER_HOST as the Docker CLI reads it, and what this client refuses with a reason. */
class EngineEndpointTest {

    /** An empty Docker config folder: no context, so that the real ~/.docker never decides. */
    @TempDir
    Path config;

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', value = {
            "unix:///var/run/docker.sock            | unix:///var/run/docker.sock",
            "  unix:///run/podman/podman.sock       | unix:///run/podman/podman.sock",
            "UNIX:///tmp/x.sock                     | unix:///tmp/x.sock",
            "unix://                                | unix:///var/run/docker.sock",
            "tcp://10.0.0.2:2375                    | tcp://10.0.0.2:2375",
            "tcp://docker.internal                  | tcp://docker.internal:2375",
            "tcp://docker.internal:2375/            | tcp://docker.internal:2375",
            "tcp://:2380                            | tcp://127.0.0.1:2380",
            "http://localhost:2375                  | tcp://localhost:2375",
            "tcp://[::1]:2375                       | tcp://[::1]:2375",
            "tcp://[fd00::2]                        | tcp://[fd00::2]:2375",
    })
    void parsesWhatDockerHostHolds(String value, String normalised) {
        assertEquals(normalised, EngineEndpoint.parse(value).toString());
    }

    @Test
    void unixEndpointsConnectToTheSocketFile() {
        EngineEndpoint endpoint = EngineEndpoint.parse("unix:///run/podman/podman.sock");
        assertTrue(endpoint.isUnix());
        assertEquals(Path.of("/run/podman/podman.sock"), endpoint.socketPath());
        assertNull(endpoint.host());
        assertEquals("docker", endpoint.hostHeader());
    }

    @Test
    void tcpEndpointsConnectToHostAndPort() {
        EngineEndpoint endpoint = EngineEndpoint.parse("tcp://[::1]:2376");
        assertTrue(endpoint.isTcp());
        assertEquals("::1", endpoint.host());
        assertEquals(2376, endpoint.port());
        assertEquals("[::1]:2376", endpoint.hostHeader());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "/var/run/docker.sock          | use unix:///path/to/socket or tcp://host:port",
            "localhost:2375                | use unix:///path/to/socket or tcp://host:port",
            "unix://run/docker.sock        | the socket path must be absolute",
            "tcp://host:0                  | the port must be a number from 1 to 65535",
            "tcp://host:65536              | the port must be a number from 1 to 65535",
            "tcp://host:port               | the port must be a number from 1 to 65535",
            "tcp://host:2375/v1.41         | no path",
            "tcp://user@host:2375          | user information is not supported",
            "tcp://::1:2375                | write an IPv6 address in brackets",
            "tcp://[::1                    | unterminated IPv6 address",
            "https://host:2376             | write tcp://host:port and set DOCKER_TLS_VERIFY=1",
            "ssh://me@host                 | ssh:// is not supported",
            "npipe:////./pipe/docker_engine | Windows named pipes are not supported",
            "fd://                         | unknown scheme fd://",
    })
    void refusesWhatItCannotUseAndSaysWhy(String value, String why) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> EngineEndpoint.parse(value));
        assertTrue(e.getMessage().contains("\"" + value + "\""), e.getMessage());
        assertTrue(e.getMessage().contains(why), e.getMessage());
    }

    @Test
    void refusesASocketPathLongerThanASocketAddressHolds() {
        String path = "/tmp/" + "d".repeat(110) + "/docker.sock";
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> EngineEndpoint.parse("unix://" + path));
        assertTrue(e.getMessage().contains("longer than the 107 bytes"), e.getMessage());
    }

    @Test
    void theConfiguredValueWinsOverDockerHostWhichWinsOverTheDefault() {
        Map<String, String> env = Map.of("DOCKER_HOST", "tcp://from-env:2375");
        assertEquals("unix:///tmp/configured.sock", EngineEndpoint.resolve("unix:///tmp/configured.sock", env, config).toString());
        assertEquals("tcp://from-env:2375", EngineEndpoint.resolve(null, env, config).toString());
        assertEquals("tcp://from-env:2375", EngineEndpoint.resolve("  ", env, config).toString());
        assertEquals(EngineEndpoint.DEFAULT, EngineEndpoint.resolve(null, Map.of(), config).toString());
        assertEquals(EngineEndpoint.DEFAULT, EngineEndpoint.resolve("", Map.of("DOCKER_HOST", ""), config).toString());
    }

    @Test
    void aBadDockerHostIsNamedAsSuch() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> EngineEndpoint.resolve(null, Map.of("DOCKER_HOST", "ssh://me@host"), config));
        assertTrue(e.getMessage().startsWith("DOCKER_HOST \"ssh://me@host\""), e.getMessage());
    }

    @Test
    void dockerTlsVerifyTurnsTcpIntoTlsWithTheCertPathsFilesAndDockersTlsPort() {
        EngineEndpoint endpoint = EngineEndpoint.resolve(null, Map.of("DOCKER_HOST", "tcp://docker", "DOCKER_TLS_VERIFY", "1",
                "DOCKER_CERT_PATH", "/certs/client"), config);
        assertTrue(endpoint.isTls());
        assertEquals("tcp://docker:2376", endpoint.toString());
        assertEquals(Path.of("/certs/client"), endpoint.tlsFiles().directory());
        // without DOCKER_CERT_PATH the files are the config folder's, as for the Docker CLI
        assertEquals(config, EngineEndpoint.resolve("tcp://docker:2376", Map.of("DOCKER_TLS_VERIFY", "1"), config).tlsFiles().directory());
        // a unix socket needs no TLS: the variable does not matter there
        EngineEndpoint socket = EngineEndpoint.resolve("unix:///tmp/d.sock", Map.of("DOCKER_TLS_VERIFY", "1"), config);
        assertEquals("unix:///tmp/d.sock", socket.toString());
        assertFalse(socket.isTls());
        assertFalse(EngineEndpoint.resolve(null, Map.of("DOCKER_HOST", "tcp://docker"), config).isTls());
    }

    @Test
    void tlsWithoutVerifyingTheEngineIsRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> EngineEndpoint.resolve(null, Map.of("DOCKER_HOST", "tcp://host:2376", "DOCKER_TLS", "1"), config));
        assertEquals("DOCKER_TLS without DOCKER_TLS_VERIFY asks for TLS without checking the engine's certificate, which"
                + " this client does not do: set DOCKER_TLS_VERIFY=1 and put the engine's CA as ca.pem into DOCKER_CERT_PATH",
                e.getMessage());
    }
}
