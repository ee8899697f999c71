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
 * and {@code credsStore}; also the same document held by a variable ({@code DOCKER_AUTH_CONFIG}), and the
 * {@code ~/.dockercfg} of Docker before 1.7, whose whole document is what {@code auths} later held. The file holds secrets, so no error says what is in it: a syntax error gives
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

    /** Where it was read, for messages: the file's path, or the variable that held it. */
    private final String file;
    private final String label;
    private final Map<String, JsonNode> auths;
    private final Map<String, String> credHelpers;
    private final String credsStore;

    private DockerConfigFile(String file, String label, Map<String, JsonNode> auths, Map<String, String> credHelpers, String credsStore) {
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
        byte[] bytes = bytes(file);
        return bytes == null ? empty(file.toString(), label) : parse(bytes, file.toString(), label, false);
    }

    /**
     * Reads the old {@code ~/.dockercfg}: a bare map of registries to their {@code auth} (and an {@code email}
     * that is not needed), with no helpers; a missing one holds nothing.
     */
    public static DockerConfigFile readLegacy(Path file, String label) {
        byte[] bytes = bytes(file);
        return bytes == null ? empty(file.toString(), label) : parse(bytes, file.toString(), label, true);
    }

    /**
     * A config.json document held by an environment variable, as GitLab CI's {@code DOCKER_AUTH_CONFIG} holds
     * one. Messages name the variable, never what it holds.
     */
    public static DockerConfigFile ofVariable(String variable, String json) {
        byte[] bytes = json.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        String where = "the " + variable + " variable";
        if (bytes.length > MAX_SIZE) {
            throw new CredentialLookupException("could not read " + where + ": larger than " + MAX_SIZE / 1024 / 1024
                    + " MiB, not a credentials document");
        }
        return parse(bytes, where, variable, false);
    }

    private static DockerConfigFile empty(String file, String label) {
        return new DockerConfigFile(file, label, Map.of(), Map.of(), null);
    }

    /** The file's bytes, or null when there is no such file. */
    private static byte[] bytes(Path file) {
        byte[] bytes;
        try (InputStream in = Files.newInputStream(file)) {
            bytes = in.readNBytes((int) MAX_SIZE + 1);
        } catch (NoSuchFileException e) {
            return null;
        } catch (IOException e) {
            throw new CredentialLookupException("could not read " + file + ": " + e.getClass().getSimpleName(), e);
        }
        if (bytes.length > MAX_SIZE) {
            throw new CredentialLookupException("could not read " + file + ": larger than " + MAX_SIZE / 1024 / 1024 + " MiB, not a credentials file");
        }
        return bytes;
    }

    /** @param legacy the document is a bare map of registries (~/.dockercfg), not a config.json */
    static DockerConfigFile parse(byte[] bytes, String file, String label, boolean legacy) {
        if (new String(bytes, java.nio.charset.StandardCharsets.UTF_8).isBlank()) {
            return empty(file, label); // an empty file, as Docker treats it
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
        for (Map.Entry<String, JsonNode> e : fields(legacy ? root : object(root, "auths", file))) {
            if (!e.getValue().isObject()) {
                throw new CredentialLookupException("could not read " + file + ": auths entry '" + e.getKey() + "' is not a JSON object");
            }
            auths.put(e.getKey(), e.getValue());
        }
        if (legacy) {
            return new DockerConfigFile(file, label, auths, Map.of(), null);
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

    private static JsonNode object(JsonNode root, String name, String file) {
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
