package io.github.frozenimages.images.core.auth;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeoutException;

/**
 * A Docker credential helper, {@code docker-credential-<name>}, asked with the documented protocol:
 * {@code get} as the argument, the server URL on stdin, {@code {"ServerURL","Username","Secret"}} on
 * stdout, or a failing exit with {@code credentials not found in native keychain} when it holds nothing.
 * The helper is found on the PATH of the environment given, never in a relative PATH entry (Go's
 * exec.LookPath refuses those too, so a checkout cannot plant a helper).
 */
public final class CredentialHelper {

    public static final String PREFIX = "docker-credential-";

    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);

    /** A real answer is a few hundred bytes; more than this is not one. */
    static final int MAX_OUTPUT = 64 * 1024;

    /** What docker-credential-helpers print on stdout when they hold nothing for the server. */
    static final String NOT_FOUND = "credentials not found in native keychain";

    private final String name;
    private final String configuredBy;
    private final Map<String, String> env;
    private final Duration timeout;

    /**
     * @param name         the helper's suffix, e.g. {@code pass} for {@code docker-credential-pass}
     * @param configuredBy where it was configured, for error messages, e.g. {@code credsStore of ~/.docker/config.json}
     * @param env          the environment to find it in (PATH) and to run it with
     */
    public CredentialHelper(String name, String configuredBy, Map<String, String> env, Duration timeout) {
        this.name = name;
        this.configuredBy = configuredBy;
        this.env = Map.copyOf(env);
        this.timeout = timeout;
    }

    /** The executable's name, which is also the {@link Credentials#source()} of what it answers. */
    public String command() {
        return PREFIX + name;
    }

    /** The helper's credentials for a registry; empty when it holds none. */
    public Optional<Credentials> get(String registry) {
        Path executable = locate().orElseThrow(() -> failure(registry, "it is not on the PATH"));
        HelperProcess.Outcome outcome;
        try {
            byte[] serverUrl = RegistryKeys.helperServerUrl(registry).getBytes(StandardCharsets.UTF_8);
            outcome = HelperProcess.run(List.of(executable.toString(), "get"), env, serverUrl, timeout, MAX_OUTPUT);
        } catch (TimeoutException e) {
            throw failure(registry, "it did not answer within " + timeout.toSeconds() + " s (waiting for a keychain prompt?)");
        } catch (IOException e) {
            throw failure(registry, "it could not be run: " + e.getClass().getSimpleName() + " " + e.getMessage());
        }
        if (outcome.overflowed()) {
            throw failure(registry, "it answered with more than " + MAX_OUTPUT / 1024 + " KiB");
        }
        if (outcome.exitCode() != 0) {
            String said = firstLine(outcome.stdout());
            if (said.isEmpty()) {
                said = firstLine(outcome.stderr());
            }
            if (said.contains(NOT_FOUND)) {
                return Optional.empty();
            }
            // a failing helper's message is what lets the user act ("pass store not initialised"), so it is kept
            throw failure(registry, "it failed (exit " + outcome.exitCode() + ")" + (said.isEmpty() ? "" : ": " + said));
        }
        return parse(outcome.stdout(), registry);
    }

    private Optional<Credentials> parse(byte[] stdout, String registry) {
        JsonNode username = null;
        JsonNode secret = null;
        try {
            JsonNode answer = io.github.frozenimages.images.core.model.Json.readObjectLenient(stdout); // always an object
            username = AuthsEntry.field(answer, "Username");
            secret = AuthsEntry.field(answer, "Secret");
        } catch (IOException e) {
            // not JSON, or not an object: refused below like an answer without the fields
        }
        if (username == null || secret == null || !username.isTextual() || !secret.isTextual()) {
            // what it printed is not quoted: it may be the secret in some other shape
            throw failure(registry, "it did not answer with the credential helper JSON {ServerURL, Username, Secret}");
        }
        if (secret.asText().isEmpty()) {
            return Optional.empty();
        }
        boolean token = username.asText().equals(Credentials.TOKEN_USERNAME);
        return Optional.of(new Credentials(username.asText(), secret.asText(), command(),
                token ? Credentials.Kind.IDENTITY_TOKEN : Credentials.Kind.PASSWORD));
    }

    /** The first executable {@code docker-credential-<name>} (with a PATHEXT extension on Windows) on the PATH. */
    Optional<Path> locate() {
        String path = variable("PATH");
        if (path == null) {
            return Optional.empty();
        }
        List<String> names = new ArrayList<>();
        if (File.pathSeparatorChar == ';') {
            String pathext = variable("PATHEXT");
            for (String ext : (pathext == null ? ".COM;.EXE;.BAT;.CMD" : pathext).split(";")) {
                if (!ext.isBlank()) {
                    names.add(command() + ext.trim().toLowerCase(Locale.ROOT));
                }
            }
        }
        names.add(command());
        for (String dir : path.split(File.pathSeparator)) {
            Path directory;
            try {
                directory = Path.of(dir.trim());
            } catch (InvalidPathException e) {
                continue;
            }
            if (dir.isBlank() || !directory.isAbsolute()) {
                continue;
            }
            for (String candidate : names) {
                Path file = directory.resolve(candidate);
                if (Files.isRegularFile(file) && Files.isExecutable(file)) {
                    return Optional.of(file);
                }
            }
        }
        return Optional.empty();
    }

    /** Environment names are case-insensitive on Windows ({@code Path}). */
    private String variable(String key) {
        String value = env.get(key);
        if (value == null) {
            for (Map.Entry<String, String> e : env.entrySet()) {
                if (e.getKey().equalsIgnoreCase(key)) {
                    return e.getValue();
                }
            }
        }
        return value;
    }

    private static String firstLine(byte[] bytes) {
        String line = new String(bytes, StandardCharsets.UTF_8).trim().lines().findFirst().orElse("").trim();
        return line.length() > 200 ? line.substring(0, 200) + "..." : line;
    }

    private CredentialLookupException failure(String registry, String detail) {
        return new CredentialLookupException("could not get the credentials for " + registry + " from " + command()
                + " (" + configuredBy + "): " + detail);
    }
}
