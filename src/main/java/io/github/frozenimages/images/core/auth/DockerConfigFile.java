package io.github.frozenimages.images.core.auth;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * One Docker {@code config.json} or Podman {@code auth.json}: its {@code auths} entries, {@code credHelpers}
 * and {@code credsStore}. The file holds secrets, so no error says what is in it: a syntax error gives
 * the line and column only (Kubernetes logged such a file's content, CVE-2020-8564), and the parser's own
 * exception, whose message quotes the offending text, is not kept as the cause.
 */
public final class DockerConfigFile {

    /** Far above any real config; a bigger file is not one, and is not read into memory. */
    static final long MAX_SIZE = 4L * 1024 * 1024;

    /** A helper is run as {@code docker-credential-<name>}; a name is never a path. */
    private static final Pattern HELPER_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]*");

    /** Where a registry's credential helper is configured: {@code credHelpers} or {@code credsStore}. */
    public record Helper(String name, String configuredBy) {
    }

    private final Path file;
    private final String label;
    private final Map<String, JsonNode> auths;
    private final Map<String, String> credHelpers;
    private final String credsStore;

    private DockerConfigFile(Path file, String label, Map<String, JsonNode> auths, Map<String, String> credHelpers, String credsStore) {
        this.file = file;
        this.label = label;
        this.auths = auths;
        this.credHelpers = credHelpers;
        this.credsStore = credsStore;
    }

    /**
     * Reads a config file; a missing or empty one holds nothing, as for Docker.
     *
     * @param label how log lines and {@link Credentials#source()} name the file, e.g. {@code ~/.docker/config.json}
     */
    public static DockerConfigFile read(Path file, String label) {
        byte[] bytes;
        try (InputStream in = Files.newInputStream(file)) {
            bytes = in.readNBytes((int) MAX_SIZE + 1);
        } catch (NoSuchFileException e) {
            return new DockerConfigFile(file, label, Map.of(), Map.of(), null);
        } catch (IOException e) {
            throw new CredentialLookupException("could not read " + file + ": " + e.getClass().getSimpleName(), e);
        }
        if (bytes.length > MAX_SIZE) {
            throw new CredentialLookupException("could not read " + file + ": larger than " + MAX_SIZE / 1024 / 1024 + " MiB, not a credentials file");
        }
        return parse(bytes, file, label);
    }

    static DockerConfigFile parse(byte[] bytes, Path file, String label) {
        if (new String(bytes, java.nio.charset.StandardCharsets.UTF_8).isBlank()) {
            return new DockerConfigFile(file, label, Map.of(), Map.of(), null); // an empty file, as Docker treats it
        }
        JsonNode root;
        try {
            // always a JSON object: any other value is an IOException
            root = io.github.frozenimages.images.core.model.Json.readObjectLenient(bytes);
        } catch (JsonProcessingException e) {
            JsonLocation at = e.getLocation();
            String where = at == null ? "" : " at line " + at.getLineNr() + ", column " + at.getColumnNr();
            throw new CredentialLookupException("could not read " + file + ": not valid JSON" + where);
        } catch (IOException e) {
            throw new CredentialLookupException("could not read " + file + ": " + e.getClass().getSimpleName());
        }
        Map<String, JsonNode> auths = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> e : fields(object(root, "auths", file))) {
            if (!e.getValue().isObject()) {
                throw new CredentialLookupException("could not read " + file + ": auths entry '" + e.getKey() + "' is not a JSON object");
            }
            auths.put(e.getKey(), e.getValue());
        }
        Map<String, String> credHelpers = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> e : fields(object(root, "credHelpers", file))) {
            if (!e.getValue().isTextual()) {
                throw new CredentialLookupException("could not read " + file + ": credHelpers entry '" + e.getKey() + "' is not a string");
            }
            credHelpers.put(e.getKey(), e.getValue().asText());
        }
        JsonNode store = AuthsEntry.field(root, "credsStore");
        if (store != null && !store.isNull() && !store.isTextual()) {
            throw new CredentialLookupException("could not read " + file + ": credsStore is not a string");
        }
        return new DockerConfigFile(file, label, auths, credHelpers, store == null || store.isNull() ? null : store.asText());
    }

    /**
     * Credentials written into the file itself for a registry: the first matching {@code auths} entry that
     * carries any, trying {@code host[:port]} (Docker Hub: its v1 URL) before legacy URL-shaped keys.
     *
     * @param namespacedKeys whether {@code host/namespace} keys count for their registry (Docker strips the
     *                       path; Podman means the namespace only, so its provider passes false)
     */
    public Optional<Credentials> inlineCredentials(String registry, boolean namespacedKeys) {
        for (String key : matchingKeys(auths.keySet(), registry, namespacedKeys)) {
            Optional<Credentials> found = AuthsEntry.decode(auths.get(key), key, file, label);
            if (found.isPresent()) {
                return found;
            }
        }
        return Optional.empty();
    }

    /** The helper for a registry: its {@code credHelpers} entry, else the {@code credsStore} default. */
    public Optional<Helper> helperFor(String registry) {
        for (String key : matchingKeys(credHelpers.keySet(), registry, true)) {
            String name = credHelpers.get(key);
            if (!name.isBlank()) {
                return Optional.of(new Helper(checkedName(name.trim(), "credHelpers entry '" + key + "'"), "credHelpers of " + label));
            }
        }
        if (credsStore != null && !credsStore.isBlank()) {
            return Optional.of(new Helper(checkedName(credsStore.trim(), "credsStore"), "credsStore of " + label));
        }
        return Optional.empty();
    }

    private String checkedName(String name, String what) {
        if (!HELPER_NAME.matcher(name).matches()) {
            throw new CredentialLookupException("could not use " + file + ": its " + what + " is not a credential helper name");
        }
        return name;
    }

    /** The keys naming a registry, best first: the preferred spelling, then others, namespaced ones last. */
    private static List<String> matchingKeys(Iterable<String> keys, String registry, boolean namespacedKeys) {
        String canonical = RegistryKeys.registryOf(registry);
        List<String> preferred = new ArrayList<>();
        List<String> others = new ArrayList<>();
        List<String> namespaced = new ArrayList<>();
        List<String> preferredKeys = RegistryKeys.preferredKeys(canonical);
        for (String key : keys) {
            if (preferredKeys.contains(key)) {
                preferred.add(key);
            } else if (RegistryKeys.registryOf(key).equals(canonical)) {
                if (!RegistryKeys.isNamespaced(key)) {
                    others.add(key);
                } else if (namespacedKeys) {
                    namespaced.add(key);
                }
            }
        }
        preferred.sort((a, b) -> preferredKeys.indexOf(a) - preferredKeys.indexOf(b));
        preferred.addAll(others);
        preferred.addAll(namespaced);
        return preferred;
    }

    private static JsonNode object(JsonNode root, String name, Path file) {
        JsonNode node = AuthsEntry.field(root, name);
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isObject()) {
            throw new CredentialLookupException("could not read " + file + ": " + name + " is not a JSON object");
        }
        return node;
    }

    private static Iterable<Map.Entry<String, JsonNode>> fields(JsonNode object) {
        if (object == null) {
            return List.of();
        }
        List<Map.Entry<String, JsonNode>> list = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = object.fields(); it.hasNext(); ) {
            list.add(it.next());
        }
        return list;
    }
}
