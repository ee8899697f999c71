package io.github.frozenimages.images.core.auth;

import static io.github.frozenimages.images.core.auth.HelperScripts.base64;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** containers-auth.json(5) files as podman login leaves them. */
class PodmanAuthFileProviderTest {

    private static final String SECRET = "hunter2-podman-secret";

    @TempDir
    Path work;

    private Path authFile(String relative, String user) throws Exception {
        Path file = work.resolve(relative);
        Files.createDirectories(file.getParent());
        Files.writeString(file, "{\"auths\":{\"quay.io\":{\"auth\":\"" + base64(user + ":" + SECRET) + "\"}}}");
        return file;
    }

    @Test
    void registryAuthFileIsTheOnlyFileWhenSet() throws Exception {
        Path explicit = authFile("explicit/auth.json", "explicit");
        authFile("run/containers/auth.json", "runtime");
        PodmanAuthFileProvider p = new PodmanAuthFileProvider(
                Map.of("REGISTRY_AUTH_FILE", explicit.toString(), "XDG_RUNTIME_DIR", work.resolve("run").toString()), work.resolve("home"));
        Credentials c = p.credentialsFor("quay.io").orElseThrow();
        assertEquals("explicit", c.username());
        assertEquals(SECRET, c.secret());
        assertEquals("$REGISTRY_AUTH_FILE", c.source());
    }

    @Test
    void runtimeDirThenConfigDir() throws Exception {
        authFile("run/containers/auth.json", "runtime");
        Path config = work.resolve("home/.config/containers/auth.json");
        Files.createDirectories(config.getParent());
        Files.writeString(config, "{\"auths\":{\"quay.io\":{\"auth\":\"" + base64("config:x") + "\"},"
                + "\"ghcr.io\":{\"auth\":\"" + base64("config:" + SECRET) + "\"}}}");
        PodmanAuthFileProvider p = new PodmanAuthFileProvider(Map.of("XDG_RUNTIME_DIR", work.resolve("run").toString()), work.resolve("home"));
        assertEquals("runtime", p.credentialsFor("quay.io").orElseThrow().username(), "the primary file first");
        assertEquals("$XDG_RUNTIME_DIR/containers/auth.json", p.credentialsFor("quay.io").orElseThrow().source());
        Credentials fallBack = p.credentialsFor("ghcr.io").orElseThrow();
        assertEquals("config", fallBack.username());
        assertEquals("~/.config/containers/auth.json", fallBack.source());

        authFile("xdg-config/containers/auth.json", "xdgconfig");
        PodmanAuthFileProvider xdg = new PodmanAuthFileProvider(Map.of("XDG_CONFIG_HOME", work.resolve("xdg-config").toString()), work.resolve("home"));
        assertEquals("$XDG_CONFIG_HOME/containers/auth.json", xdg.credentialsFor("quay.io").orElseThrow().source());
    }

    @Test
    void namespacedKeysAreNotCredentialsForTheWholeRegistry() throws Exception {
        Path file = work.resolve("auth.json");
        Files.writeString(file, "{\"auths\":{\"quay.io/org\":{\"auth\":\"" + base64("org-robot:" + SECRET) + "\"},"
                + "\"docker.io\":{\"auth\":\"" + base64("hub:" + SECRET) + "\"},"
                + "\"https://legacy.example:5000/v1/\":{\"auth\":\"" + base64("legacy:" + SECRET) + "\"}}}");
        PodmanAuthFileProvider p = new PodmanAuthFileProvider(Map.of("REGISTRY_AUTH_FILE", file.toString()), work);
        assertEquals(Optional.empty(), p.credentialsFor("quay.io"));
        assertEquals("hub", p.credentialsFor("docker.io").orElseThrow().username());
        assertEquals("legacy", p.credentialsFor("legacy.example:5000").orElseThrow().username());
    }

    @Test
    void noFilesIsNoCredentials() {
        assertEquals(Optional.empty(), new PodmanAuthFileProvider(Map.of(), work).credentialsFor("quay.io"));
        assertEquals(Optional.empty(), new PodmanAuthFileProvider(Map.of("REGISTRY_AUTH_FILE", work.resolve("missing.json").toString()), work)
                .credentialsFor("quay.io"));
    }

    @Test
    void aMalformedFileIsAnErrorNamingIt() throws Exception {
        Path file = work.resolve("auth.json");
        Files.writeString(file, "{\"auths\":{\"quay.io\":{\"auth\":" + SECRET + "}}");
        PodmanAuthFileProvider p = new PodmanAuthFileProvider(Map.of("REGISTRY_AUTH_FILE", file.toString()), work);
        CredentialLookupException e = assertThrows(CredentialLookupException.class, () -> p.credentialsFor("quay.io"));
        assertTrue(e.getMessage().startsWith("could not read " + file + ": not valid JSON"), e.getMessage());
        assertFalse(e.getMessage().contains(SECRET), e.getMessage());
    }
}
