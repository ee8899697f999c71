package io.github.frozenimages.images.testing;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Builds the YAML configuration of a test registry. The settings live in a tree of maps addressed by
 * dotted paths ({@link #set}), which is the extension point for auth, TLS, proxy, middleware or
 * schema1 options: add a named method that calls {@code set(...)}. {@link #extraYaml} appends raw
 * top-level YAML for anything the tree cannot express; it must not repeat a top-level key of the tree.
 */
public final class RegistryConfig {

    static final String STORAGE_ROOT_KEY = "storage.filesystem.rootdirectory";

    private final Map<String, Object> tree = new LinkedHashMap<>();
    private final List<String> extraYaml = new ArrayList<>();

    private RegistryConfig() {
        set("version", "0.1");
        // The port is only logged at info level, and startup waits for that log line.
        set("log.level", "info");
        set("log.formatter", "text");
        set(STORAGE_ROOT_KEY, "<set at start>");
        // Lets tests DELETE blobs and manifests by digest.
        set("storage.delete.enabled", true);
        set("http.addr", "127.0.0.1:0");
        // A fixed secret silences the "No HTTP secret provided" warning at every start.
        set("http.secret", "images-maven-plugin-tests");
        // No storage.cache on purpose: a cached size would hide tampering with the storage tree.
    }

    /** Plain http, no auth, a free port on 127.0.0.1, filesystem storage in the server's temp dir. */
    public static RegistryConfig plain() {
        return new RegistryConfig();
    }

    /** Listens on a fixed port of 127.0.0.1 instead of a free one. */
    public RegistryConfig port(int port) {
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("not a TCP port: " + port);
        }
        return set("http.addr", "127.0.0.1:" + port);
    }

    /**
     * Sets one setting by its dotted path, e.g. {@code set("auth.htpasswd.realm", "test")}. Values may be
     * strings, numbers, booleans, lists and maps (rendered as nested YAML). Intermediate maps are
     * created as needed; a {@code null} value removes the setting.
     */
    public RegistryConfig set(String dottedPath, Object value) {
        String[] keys = dottedPath.split("\\.");
        Map<String, Object> parent = tree;
        for (int i = 0; i < keys.length - 1; i++) {
            parent = childMap(parent, keys[i], dottedPath);
        }
        String last = keys[keys.length - 1];
        if (value == null) {
            parent.remove(last);
        } else {
            parent.put(last, deepCopy(value));
        }
        return this;
    }

    /** The value at a dotted path, or {@code null}. */
    public Object get(String dottedPath) {
        Object node = tree;
        for (String key : dottedPath.split("\\.")) {
            if (!(node instanceof Map<?, ?> map)) {
                return null;
            }
            node = map.get(key);
        }
        return node;
    }

    /** Appends raw top-level YAML after the generated settings (the escape hatch). */
    public RegistryConfig extraYaml(String yaml) {
        extraYaml.add(Objects.requireNonNull(yaml, "yaml"));
        return this;
    }

    /** {@code https} once a TLS certificate is configured, else {@code http}. */
    String scheme() {
        return get("http.tls.certificate") == null ? "http" : "https";
    }

    /** The YAML for a server whose storage lives at {@code storageRoot}. */
    String render(Path storageRoot) {
        RegistryConfig copy = new RegistryConfig();
        copy.tree.clear();
        copy.tree.putAll(deepCopy(tree));
        copy.set(STORAGE_ROOT_KEY, storageRoot.toAbsolutePath().toString());
        StringBuilder yaml = new StringBuilder(YamlWriter.write(copy.tree));
        for (String extra : extraYaml) {
            yaml.append(extra.endsWith("\n") ? extra : extra + "\n");
        }
        return yaml.toString();
    }

    /** Copies maps and lists into mutable ones, so later {@link #set} calls can descend into them. */
    @SuppressWarnings("unchecked")
    private static <T> T deepCopy(T value) {
        if (value instanceof Map<?, ?> map) {
            Map<String, Object> copy = new LinkedHashMap<>();
            map.forEach((k, v) -> copy.put(String.valueOf(k), deepCopy(v)));
            return (T) copy;
        }
        if (value instanceof List<?> list) {
            List<Object> copy = new ArrayList<>();
            list.forEach(item -> copy.add(deepCopy(item)));
            return (T) copy;
        }
        return value;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> childMap(Map<String, Object> parent, String key, String path) {
        Object child = parent.computeIfAbsent(key, k -> new LinkedHashMap<String, Object>());
        if (!(child instanceof Map<?, ?>)) {
            throw new IllegalArgumentException(path + ": " + key + " already holds the value " + child);
        }
        return (Map<String, Object>) child;
    }

    @Override
    public String toString() {
        return render(Path.of("<storage root>"));
    }
}
