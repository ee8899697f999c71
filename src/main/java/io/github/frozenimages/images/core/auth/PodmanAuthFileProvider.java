package io.github.frozenimages.images.core.auth;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Credentials as {@code podman login} (and buildah, skopeo) left them, in containers-auth.json(5) files:
 * {@code $REGISTRY_AUTH_FILE} alone when set; otherwise {@code $XDG_RUNTIME_DIR/containers/auth.json},
 * then {@code $XDG_CONFIG_HOME/containers/auth.json} (default {@code ~/.config/containers/auth.json}),
 * the first file holding credentials for the registry winning. Only the {@code auths} section is read;
 * keys naming a namespace ({@code quay.io/org}) hold credentials for that namespace only and are skipped,
 * since lookups here are per registry. (Podman's fall-back to Docker's config.json is the Docker provider's job.)
 */
public final class PodmanAuthFileProvider implements CredentialProvider {

    private final Map<String, String> env;
    private final Path home;
    private List<DockerConfigFile> files;

    /**
     * @param env  the environment: {@code REGISTRY_AUTH_FILE}, {@code XDG_RUNTIME_DIR}, {@code XDG_CONFIG_HOME}
     * @param home the user's home directory
     */
    public PodmanAuthFileProvider(Map<String, String> env, Path home) {
        this.env = Map.copyOf(env);
        this.home = home;
    }

    /** The process's own environment and home directory. */
    public static PodmanAuthFileProvider ofThisUser() {
        return new PodmanAuthFileProvider(System.getenv(), Path.of(System.getProperty("user.home")));
    }

    @Override
    public Optional<Credentials> credentialsFor(String registry) {
        for (DockerConfigFile file : files()) {
            Optional<Credentials> found = file.inlineCredentials(registry, false);
            if (found.isPresent()) {
                return found;
            }
        }
        return Optional.empty();
    }

    private synchronized List<DockerConfigFile> files() {
        if (files == null) {
            List<DockerConfigFile> read = new ArrayList<>();
            String explicit = env.get("REGISTRY_AUTH_FILE");
            if (set(explicit)) {
                read.add(DockerConfigFile.read(Path.of(explicit), "$REGISTRY_AUTH_FILE"));
            } else {
                String runtime = env.get("XDG_RUNTIME_DIR");
                if (set(runtime)) {
                    read.add(DockerConfigFile.read(Path.of(runtime, "containers", "auth.json"), "$XDG_RUNTIME_DIR/containers/auth.json"));
                }
                String config = env.get("XDG_CONFIG_HOME");
                read.add(set(config)
                        ? DockerConfigFile.read(Path.of(config, "containers", "auth.json"), "$XDG_CONFIG_HOME/containers/auth.json")
                        : DockerConfigFile.read(home.resolve(".config").resolve("containers").resolve("auth.json"), "~/.config/containers/auth.json"));
            }
            files = List.copyOf(read);
        }
        return files;
    }

    private static boolean set(String value) {
        return value != null && !value.isBlank();
    }

    @Override
    public String toString() {
        return "Podman auth.json";
    }
}
