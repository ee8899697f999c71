package io.github.frozenimages.images.core.auth;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Credentials as Docker's tools and CI leave them, in this order: the {@code DOCKER_AUTH_CONFIG} variable
 * (GitLab CI's, which Testcontainers reads too), a config.json document; then what {@code docker login} left,
 * {@code $DOCKER_CONFIG/config.json}, else {@code ~/.docker/config.json}; then {@code ~/.dockercfg}, the
 * format of Docker before 1.7. In each, a secret written into its {@code auths} is used first, then the
 * registry's {@code credHelpers} entry, else the {@code credsStore} helper. (Docker itself asks a
 * configured helper before the file; the file is taken first here because a secret someone wrote in
 * explicitly is what they mean, and it spares a helper process and a possible keychain prompt.)
 * Credentials name their source by the variable or file, never by what it holds. The documents are read
 * once, on the first lookup, so a build that needs no credentials never touches them.
 */
public final class DockerConfigCredentialProvider implements CredentialProvider {

    /** GitLab CI's variable for a config.json document, which Testcontainers reads as well. */
    public static final String AUTH_CONFIG_VARIABLE = "DOCKER_AUTH_CONFIG";

    private final Map<String, String> env;
    private final Path home;
    private final Duration helperTimeout;
    private List<DockerConfigFile> documents;

    /**
     * @param env  the environment: {@code DOCKER_AUTH_CONFIG}, {@code DOCKER_CONFIG}, and the PATH helpers
     *             are found on and run with
     * @param home the user's home directory
     */
    public DockerConfigCredentialProvider(Map<String, String> env, Path home) {
        this(env, home, CredentialHelper.DEFAULT_TIMEOUT);
    }

    public DockerConfigCredentialProvider(Map<String, String> env, Path home, Duration helperTimeout) {
        this.env = Map.copyOf(env);
        this.home = home;
        this.helperTimeout = helperTimeout;
    }

    /** The process's own environment and home directory. */
    public static DockerConfigCredentialProvider ofThisUser() {
        return new DockerConfigCredentialProvider(System.getenv(), Path.of(System.getProperty("user.home")));
    }

    @Override
    public Optional<Credentials> credentialsFor(String registry) {
        for (DockerConfigFile document : documents()) {
            Optional<Credentials> inline = document.inlineCredentials(registry, true);
            if (inline.isPresent()) {
                return inline;
            }
            Optional<Credentials> helped = document.helperFor(registry)
                    .flatMap(helper -> new CredentialHelper(helper.name(), helper.configuredBy(), env, helperTimeout).get(registry));
            if (helped.isPresent()) {
                return helped;
            }
        }
        return Optional.empty();
    }

    private synchronized List<DockerConfigFile> documents() {
        if (documents == null) {
            List<DockerConfigFile> read = new ArrayList<>();
            String variable = env.get(AUTH_CONFIG_VARIABLE);
            if (variable != null && !variable.isBlank()) {
                read.add(DockerConfigFile.ofVariable(AUTH_CONFIG_VARIABLE, variable));
            }
            String dir = env.get("DOCKER_CONFIG");
            read.add(dir == null || dir.isBlank()
                    ? DockerConfigFile.read(home.resolve(".docker").resolve("config.json"), "~/.docker/config.json")
                    : DockerConfigFile.read(Path.of(dir).resolve("config.json"), "$DOCKER_CONFIG/config.json"));
            // Docker reads it only when there is no config.json; after it, it costs nothing and finds what it holds
            read.add(DockerConfigFile.readLegacy(home.resolve(".dockercfg"), "~/.dockercfg"));
            documents = List.copyOf(read);
        }
        return documents;
    }

    @Override
    public String toString() {
        return "Docker config.json";
    }
}
