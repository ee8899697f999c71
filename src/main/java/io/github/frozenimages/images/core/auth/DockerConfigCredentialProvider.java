package io.github.frozenimages.images.core.auth;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/**
 * Credentials as {@code docker login} left them: {@code $DOCKER_CONFIG/config.json}, else
 * {@code ~/.docker/config.json}. A secret written into the file's {@code auths} is used first, then the
 * registry's {@code credHelpers} entry, else the {@code credsStore} helper. (Docker itself asks a
 * configured helper before the file; the file is taken first here because a secret someone wrote in
 * explicitly is what they mean, and it spares a helper process and a possible keychain prompt.)
 * The file is read once, on the first lookup, so a build that needs no credentials never touches it.
 */
public final class DockerConfigCredentialProvider implements CredentialProvider {

    private final Map<String, String> env;
    private final Path home;
    private final Duration helperTimeout;
    private DockerConfigFile config;

    /**
     * @param env  the environment: {@code DOCKER_CONFIG}, and the PATH helpers are found on and run with
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
        DockerConfigFile file = config();
        Optional<Credentials> inline = file.inlineCredentials(registry, true);
        if (inline.isPresent()) {
            return inline;
        }
        return file.helperFor(registry)
                .flatMap(helper -> new CredentialHelper(helper.name(), helper.configuredBy(), env, helperTimeout).get(registry));
    }

    private synchronized DockerConfigFile config() {
        if (config == null) {
            String dir = env.get("DOCKER_CONFIG");
            config = dir == null || dir.isBlank()
                    ? DockerConfigFile.read(home.resolve(".docker").resolve("config.json"), "~/.docker/config.json")
                    : DockerConfigFile.read(Path.of(dir).resolve("config.json"), "$DOCKER_CONFIG/config.json");
        }
        return config;
    }

    @Override
    public String toString() {
        return "Docker config.json";
    }
}
