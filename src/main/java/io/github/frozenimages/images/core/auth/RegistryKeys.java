package io.github.frozenimages.images.core.auth;

import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * How the keys of Docker's config.json and Podman's auth.json name a registry. Docker writes Docker Hub
 * under its old v1 URL and older clients wrote other registries URL-shaped too ({@code https://host:port/v1/}),
 * so a key matches a registry once scheme and path are stripped, as docker/cli's {@code ConvertToHostname} does.
 */
public final class RegistryKeys {

    /** The key {@code docker login} uses for Docker Hub, and the server URL its credential helpers know it by. */
    public static final String DOCKER_HUB_KEY = "https://index.docker.io/v1/";

    /** The canonical name of Docker Hub, as image references name it. */
    public static final String DOCKER_HUB = "docker.io";

    /** Other names of Docker Hub seen in config files; all of them mean docker.io. */
    private static final Set<String> DOCKER_HUB_ALIASES = Set.of("docker.io", "index.docker.io", "registry-1.docker.io",
            "registry.hub.docker.com");

    private RegistryKeys() {
    }

    /**
     * The registry a key names: {@code host[:port]}, lower case, with Docker Hub's aliases folded into
     * {@code docker.io}. Scheme and any path are dropped, so {@code https://index.docker.io/v1/} is
     * {@code docker.io} and {@code http://host:5000} is {@code host:5000}.
     */
    public static String registryOf(String key) {
        String k = key.trim();
        String lower = k.toLowerCase(Locale.ROOT);
        if (lower.startsWith("https://")) {
            k = k.substring("https://".length());
        } else if (lower.startsWith("http://")) {
            k = k.substring("http://".length());
        }
        int slash = k.indexOf('/');
        if (slash >= 0) {
            k = k.substring(0, slash);
        }
        k = k.toLowerCase(Locale.ROOT);
        return DOCKER_HUB_ALIASES.contains(k) ? DOCKER_HUB : k;
    }

    /**
     * Whether a key names a namespace of a registry rather than all of it: Podman's {@code quay.io/org}
     * holds credentials for that organisation only, so using them for the whole registry would be wrong.
     * URL-shaped keys are Docker's legacy form and always mean the whole registry.
     */
    public static boolean isNamespaced(String key) {
        String lower = key.trim().toLowerCase(Locale.ROOT);
        return !lower.startsWith("https://") && !lower.startsWith("http://") && lower.contains("/");
    }

    /** The keys to try first for a registry, in order, before matching the others by {@link #registryOf}. */
    static List<String> preferredKeys(String registry) {
        String canonical = registryOf(registry);
        return canonical.equals(DOCKER_HUB) ? List.of(DOCKER_HUB_KEY, DOCKER_HUB) : List.of(canonical);
    }

    /** What to send a credential helper: Docker Hub's v1 URL, otherwise the registry's {@code host[:port]}, as {@code docker login} stores them. */
    public static String helperServerUrl(String registry) {
        String canonical = registryOf(registry);
        return canonical.equals(DOCKER_HUB) ? DOCKER_HUB_KEY : canonical;
    }

    /**
     * The Maven {@code <server>} ids that name a registry, most specific first: {@code host:port}, then
     * {@code host}; Docker Hub also under the host names its API and old clients use.
     */
    public static List<String> serverIds(String registry) {
        String canonical = registryOf(registry);
        if (canonical.equals(DOCKER_HUB)) {
            return List.of(DOCKER_HUB, "index.docker.io", "registry-1.docker.io");
        }
        int colon = canonical.lastIndexOf(':');
        // a bracketed IPv6 literal without port ends in ']' and has colons of its own
        boolean hasPort = colon > canonical.lastIndexOf(']');
        return hasPort ? List.of(canonical, canonical.substring(0, colon)) : List.of(canonical);
    }
}
