package io.github.frozenimages.images.core.engine;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.frozenimages.images.core.model.Json;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * A Docker context as the Docker CLI stores it (Colima, Rancher Desktop and Docker Desktop install their own):
 * {@code <config>/contexts/meta/<sha256 hex of the name>/meta.json} holds its engine address
 * ({@code Endpoints.docker.Host}), {@code <config>/contexts/tls/<same hex>/docker/} its TLS files. The one in use
 * is named by {@code DOCKER_CONTEXT}, else by {@code currentContext} in {@code config.json}; {@code default} is no
 * folder but the CLI's name for "no context".
 *
 * @param name          the context's name
 * @param chosenBy      what named it, for messages: {@code DOCKER_CONTEXT} or the config file
 * @param host          its engine address as written, e.g. {@code unix:///Users/me/.colima/default/docker.sock}
 * @param skipTlsVerify whether it asks for TLS without checking the engine's certificate
 * @param metaFile      where it was read, for messages
 * @param tlsDirectory  where its TLS files would be
 */
record DockerContext(String name, String chosenBy, String host, boolean skipTlsVerify, Path metaFile, Path tlsDirectory) {

    static final String DEFAULT_NAME = "default";
    /** A meta.json or config.json larger than this is not one, and is not read into memory. */
    static final int MAX_FILE = 1024 * 1024;
    /** The names {@code docker context create} accepts. */
    private static final Pattern NAME = Pattern.compile("[a-zA-Z0-9][a-zA-Z0-9_.+-]*");

    /** The context the environment or {@code config.json} names, or null when it is none or {@code default}. */
    static DockerContext current(Map<String, String> environment, Path configDir) {
        String name = environment.get("DOCKER_CONTEXT");
        String chosenBy = "DOCKER_CONTEXT";
        if (name == null || name.isBlank()) {
            Path config = configDir.resolve("config.json");
            name = currentContext(config);
            chosenBy = "currentContext of " + config;
        }
        if (name == null || name.isBlank() || name.trim().equals(DEFAULT_NAME)) {
            return null;
        }
        return read(configDir, name.trim(), chosenBy);
    }

    static DockerContext read(Path configDir, String name, String chosenBy) {
        if (!NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("the Docker context name \"" + name + "\" (" + chosenBy + ") is not one"
                    + " docker context create accepts");
        }
        String hex = sha256Hex(name);
        Path meta = configDir.resolve("contexts").resolve("meta").resolve(hex).resolve("meta.json");
        byte[] bytes = readBounded(meta);
        if (bytes == null) {
            throw new IllegalArgumentException("the Docker context \"" + name + "\" named by " + chosenBy
                    + " does not exist: there is no " + meta + " (docker context ls lists the contexts there are)");
        }
        JsonNode docker;
        try {
            docker = Json.readObjectLenient(bytes).path("Endpoints").path("docker");
        } catch (IOException e) {
            throw new IllegalArgumentException("the Docker context \"" + name + "\" named by " + chosenBy
                    + " cannot be read: " + meta + " is not a JSON object");
        }
        JsonNode host = docker.path("Host");
        if (!host.isTextual() || host.asText().isBlank()) {
            throw new IllegalArgumentException("the Docker context \"" + name + "\" named by " + chosenBy
                    + " has no engine address: " + meta + " holds no Endpoints.docker.Host");
        }
        Path tls = configDir.resolve("contexts").resolve("tls").resolve(hex).resolve("docker");
        return new DockerContext(name, chosenBy, host.asText().trim(), docker.path("SkipTLSVerify").asBoolean(false), meta, tls);
    }

    /** The context's TLS files when its TLS folder holds any, else null: the engine is then spoken to in plain. */
    EngineTlsFiles tlsFiles() {
        for (String file : new String[] {EngineTlsFiles.CA, EngineTlsFiles.CERT, EngineTlsFiles.KEY}) {
            if (Files.exists(tlsDirectory.resolve(file))) {
                return EngineTlsFiles.in(tlsDirectory, "the TLS files of Docker context \"" + name + "\" in " + tlsDirectory);
            }
        }
        return null;
    }

    /** How messages name the context: where it is, and what chose it. */
    String description() {
        return "Docker context \"" + name + "\", chosen by " + chosenBy;
    }

    /** How parse errors name the context's address. */
    String describeHost() {
        return "the engine address of Docker context \"" + name + "\" (" + metaFile + ")";
    }

    /** The {@code currentContext} of a config.json, or null; the file holds secrets, so no error quotes it. */
    static String currentContext(Path config) {
        byte[] bytes = readBounded(config);
        if (bytes == null || new String(bytes, StandardCharsets.UTF_8).isBlank()) {
            return null;
        }
        try {
            JsonNode current = Json.readObjectLenient(bytes).path("currentContext");
            return current.isTextual() ? current.asText() : null;
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read currentContext from " + config + ": the file is not a JSON object");
        }
    }

    /** The file's bytes, or null when it does not exist. */
    private static byte[] readBounded(Path file) {
        byte[] bytes;
        try (InputStream in = Files.newInputStream(file)) {
            bytes = in.readNBytes(MAX_FILE + 1);
        } catch (NoSuchFileException e) {
            return null;
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read " + file + ": " + e.getClass().getSimpleName(), e);
        }
        if (bytes.length > MAX_FILE) {
            throw new IllegalArgumentException("cannot read " + file + ": larger than " + MAX_FILE / 1024 + " KiB");
        }
        return bytes;
    }

    static String sha256Hex(String name) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(name.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }
}
