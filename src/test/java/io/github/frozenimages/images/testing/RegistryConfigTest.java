package io.github.frozenimages.images.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RegistryConfigTest {

    @Test
    void thePlainConfigHasTheSettingsTheHarnessReliesOn() {
        String yaml = RegistryConfig.plain().render(Path.of("/tmp/r/storage"));
        assertEquals("""
                version: "0.1"
                log:
                  level: "info"
                  formatter: "text"
                storage:
                  filesystem:
                    rootdirectory: "/tmp/r/storage"
                  delete:
                    enabled: true
                http:
                  addr: "127.0.0.1:0"
                  secret: "images-maven-plugin-tests"
                """, yaml);
    }

    @Test
    void nestedSettingsListsAndExtraYamlRender() {
        RegistryConfig config = RegistryConfig.plain()
                .port(5123)
                .set("auth.htpasswd", Map.of("realm", "test"))
                .set("auth.htpasswd.path", "/x/htpasswd")
                .set("middleware.storage", List.of(ordered("name", "redirect",
                        "options", Map.of("baseurl", "http://127.0.0.2:81"))))
                .extraYaml("compatibility:\n  schema1:\n    enabled: true");
        String yaml = config.render(Path.of("/s"));
        assertTrue(yaml.contains("  addr: \"127.0.0.1:5123\"\n"), yaml);
        assertTrue(yaml.contains("auth:\n  htpasswd:\n    realm: \"test\"\n    path: \"/x/htpasswd\"\n"), yaml);
        assertTrue(yaml.contains("middleware:\n  storage:\n    - name: \"redirect\"\n      options:\n"
                + "        baseurl: \"http://127.0.0.2:81\"\n"), yaml);
        assertTrue(yaml.endsWith("compatibility:\n  schema1:\n    enabled: true\n"), yaml);
    }

    private static Map<String, Object> ordered(String key1, Object value1, String key2, Object value2) {
        Map<String, Object> map = new LinkedHashMap<>();
        map.put(key1, value1);
        map.put(key2, value2);
        return map;
    }

    @Test
    void quotesStringsSoYamlKeepsThemStrings() {
        assertEquals("\"a \\\"b\\\" \\\\ c\\n\"", YamlWriter.quote("a \"b\" \\ c\n"));
    }

    @Test
    void rejectsDescendingIntoAScalar() {
        RegistryConfig config = RegistryConfig.plain();
        assertThrows(IllegalArgumentException.class, () -> config.set("http.addr.port", 1));
        assertThrows(IllegalArgumentException.class, () -> config.port(70000));
    }

    @Test
    void nullRemovesASetting() {
        String yaml = RegistryConfig.plain().set("http.secret", null).render(Path.of("/s"));
        assertTrue(!yaml.contains("secret"), yaml);
    }
}
