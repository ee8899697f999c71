package io.github.frozenimages.images.core.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Which engine the Docker CLI's rules choose, from contexts in a config folder made by the test. */
class DockerContextTest {

    @TempDir
    Path config;

    /** What {@code docker context create} leaves; the folder name is the name's SHA-256, as the CLI computes it. */
    private Path context(String name, String host) throws IOException {
        // sha256("colima"), computed once with sha256sum: the folder name must not depend on the code under test
        String hex = name.equals("colima") ? "f24fd3749c1368328e2b149bec149cb6795619f244c5b584e844961215dadd16"
                : DockerContext.sha256Hex(name);
        Path meta = Files.createDirectories(config.resolve("contexts/meta").resolve(hex));
        Files.writeString(meta.resolve("meta.json"), "{\"Name\":\"" + name + "\",\"Metadata\":{},"
                + "\"Endpoints\":{\"docker\":{\"Host\":\"" + host + "\",\"SkipTLSVerify\":false}}}");
        return config.resolve("contexts/tls").resolve(hex).resolve("docker");
    }

    private void currentContext(String name) throws IOException {
        Files.writeString(config.resolve("config.json"), "{\"auths\":{\"reg.example\":{\"auth\":\"c2VjcmV0\"}},"
                + "\"currentContext\":\"" + name + "\"}");
    }

    @Test
    void theCurrentContextOfConfigJsonNamesTheEngine() throws IOException {
        context("colima", "unix:///home/me/.colima/default/docker.sock");
        currentContext("colima");

        EngineEndpoint endpoint = EngineEndpoint.resolve(null, Map.of(), config);

        assertEquals(Path.of("/home/me/.colima/default/docker.sock"), endpoint.socketPath());
        assertEquals("unix:///home/me/.colima/default/docker.sock (Docker context \"colima\", chosen by currentContext of "
                + config.resolve("config.json") + ")", endpoint.toString());
    }

    @Test
    void theCliPrecedenceHolds() throws IOException {
        context("colima", "unix:///run/colima.sock");
        context("ci", "tcp://127.0.0.1:2380");
        currentContext("colima");
        Map<String, String> contextOnly = Map.of("DOCKER_CONTEXT", "ci");
        Map<String, String> hostAndContext = Map.of("DOCKER_CONTEXT", "ci", "DOCKER_HOST", "unix:///run/from-env.sock");

        assertEquals("tcp://127.0.0.1:2380", address(EngineEndpoint.resolve(null, contextOnly, config)));
        assertEquals("unix:///run/from-env.sock", address(EngineEndpoint.resolve(null, hostAndContext, config)));
        assertEquals("unix:///run/configured.sock", address(EngineEndpoint.resolve("unix:///run/configured.sock", hostAndContext, config)));
        // "default" is the CLI's name for no context at all: the default socket, not a folder
        assertEquals(EngineEndpoint.DEFAULT, EngineEndpoint.resolve(null, Map.of("DOCKER_CONTEXT", "default"), config).toString());
    }

    @Test
    void aContextWithoutTlsFilesIsPlainAndOneWithThemIsTls() throws IOException {
        context("plain", "tcp://127.0.0.1:2375");
        Path tls = context("secure", "tcp://127.0.0.1");
        Files.createDirectories(tls);
        Files.writeString(tls.resolve("ca.pem"), "not read until a client is made");

        assertFalse(EngineEndpoint.resolve(null, Map.of("DOCKER_CONTEXT", "plain"), config).isTls());
        EngineEndpoint secure = EngineEndpoint.resolve(null, Map.of("DOCKER_CONTEXT", "secure"), config);
        assertTrue(secure.isTls());
        assertEquals(2376, secure.port(), "Docker's TLS port when the address names none");
        assertEquals(tls, secure.tlsFiles().directory());
        // DOCKER_TLS_VERIFY belongs to DOCKER_HOST: a context's own TLS files decide
        assertFalse(EngineEndpoint.resolve(null, Map.of("DOCKER_CONTEXT", "plain", "DOCKER_TLS_VERIFY", "1"), config).isTls());
    }

    @Test
    void aContextThatDoesNotExistIsNamedWithWhatChoseIt() throws IOException {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> EngineEndpoint.resolve(null, Map.of("DOCKER_CONTEXT", "colima"), config));
        assertEquals("the Docker context \"colima\" named by DOCKER_CONTEXT does not exist: there is no "
                + config.resolve("contexts/meta/f24fd3749c1368328e2b149bec149cb6795619f244c5b584e844961215dadd16/meta.json")
                + " (docker context ls lists the contexts there are)", e.getMessage());
    }

    @Test
    void aContextThatSkipsVerifyingTheEngineIsRefused() throws IOException {
        Path hex = context("insecure", "tcp://10.0.0.9:2376").getParent();
        Path meta = config.resolve("contexts/meta").resolve(hex.getFileName()).resolve("meta.json");
        Files.writeString(meta, Files.readString(meta).replace("\"SkipTLSVerify\":false", "\"SkipTLSVerify\":true"));

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> EngineEndpoint.resolve(null, Map.of("DOCKER_CONTEXT", "insecure"), config));
        assertTrue(e.getMessage().startsWith("Docker context \"insecure\", chosen by DOCKER_CONTEXT sets SkipTLSVerify"), e.getMessage());
    }

    @Test
    void anUnreadableConfigJsonNeverQuotesItsSecrets() throws IOException {
        Files.writeString(config.resolve("config.json"), "{\"auths\":{\"reg\":{\"auth\":\"c2VjcmV0\"}}, broken");

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> EngineEndpoint.resolve(null, Map.of(), config));
        assertEquals("cannot read currentContext from " + config.resolve("config.json") + ": the file is not a JSON object", e.getMessage());
    }

    private static String address(EngineEndpoint endpoint) {
        String shown = endpoint.toString();
        int context = shown.indexOf(" (Docker context");
        return context < 0 ? shown : shown.substring(0, context);
    }
}
