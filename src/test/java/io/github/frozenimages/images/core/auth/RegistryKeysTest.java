package io.github.frozenimages.images.core.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The spellings of a registry in config files, and the names it is looked up under. */
class RegistryKeysTest {

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({
            "https://index.docker.io/v1/,   docker.io",
            "index.docker.io,               docker.io",
            "registry-1.docker.io,          docker.io",
            "docker.io,                     docker.io",
            "https://registry-1.docker.io/v2/, docker.io",
            "ghcr.io,                       ghcr.io",
            "https://ghcr.io,               ghcr.io",
            "http://reg.example:5000/v1/,   reg.example:5000",
            "HTTPS://Reg.Example:5000,      reg.example:5000",
            "quay.io/org/repo,              quay.io",
            "localhost:5000,                localhost:5000",
            "'[::1]:5000',                  '[::1]:5000'",
    })
    void registryOf(String key, String registry) {
        assertEquals(registry, RegistryKeys.registryOf(key));
    }

    @Test
    void namespacedKeysAreThoseWithAPathButNoScheme() {
        assertEquals(true, RegistryKeys.isNamespaced("quay.io/org"));
        assertEquals(false, RegistryKeys.isNamespaced("https://quay.io/v1/"));
        assertEquals(false, RegistryKeys.isNamespaced("quay.io:443"));
    }

    @Test
    void helperServerUrls() {
        assertEquals("https://index.docker.io/v1/", RegistryKeys.helperServerUrl("docker.io"));
        assertEquals("reg.example:5000", RegistryKeys.helperServerUrl("reg.example:5000"));
    }

    @Test
    void serverIdsMostSpecificFirst() {
        assertEquals(List.of("reg.example:5000", "reg.example"), RegistryKeys.serverIds("reg.example:5000"));
        assertEquals(List.of("ghcr.io"), RegistryKeys.serverIds("ghcr.io"));
        assertEquals(List.of("[::1]:5000", "[::1]"), RegistryKeys.serverIds("[::1]:5000"));
        assertEquals(List.of("[::1]"), RegistryKeys.serverIds("[::1]"));
        assertEquals(List.of("docker.io", "index.docker.io", "registry-1.docker.io"), RegistryKeys.serverIds("docker.io"));
    }
}
