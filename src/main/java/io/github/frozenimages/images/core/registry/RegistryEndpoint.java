package io.github.frozenimages.images.core.registry;

import io.github.frozenimages.images.core.http.Hosts;
import java.net.URI;
import java.util.Locale;
import java.util.Set;

/**
 * Where a registry is reached: scheme, host and port, and for a mirror the path its API is served under. HTTPS
 * always, except for the registries the user listed as insecure and loopback hosts without TLS settings of their
 * own; there is never a silent fallback from https to http.
 *
 * <p>A mirror's path is read as containerd reads a {@code hosts.toml} host: {@code /v2} is placed after it
 * ({@code https://nexus.corp/repository/docker-proxy} serves {@code .../repository/docker-proxy/v2/<repository>/...}),
 * unless it holds a {@code /v2} segment itself, which makes it the API root as written, like containerd's
 * {@code override_path} ({@code https://harbor.corp/v2/dockerhub-proxy} serves {@code /v2/dockerhub-proxy/<repository>/...}).
 * What follows {@code /v2} is then part of every repository's name there, as its requests and tokens name it.
 *
 * @param base the scheme and authority, and a mirror's path as given (without a trailing slash)
 */
public record RegistryEndpoint(String registry, URI base, boolean mirror) {

    public RegistryEndpoint(String registry, URI base) {
        this(registry, base, false);
    }

    /**
     * A mirror given by URL. Plain http is allowed only where it would be for a registry: loopback hosts and
     * the insecure list, so a typo cannot silently downgrade traffic.
     */
    public static RegistryEndpoint mirror(URI url, Set<String> insecureRegistries) {
        String scheme = url.getScheme() == null ? "" : url.getScheme().toLowerCase(Locale.ROOT);
        String authority = url.getRawAuthority();
        if (authority == null || !(scheme.equals("https") || scheme.equals("http"))) {
            throw new IllegalArgumentException("mirror \"" + url + "\" is not an http(s) URL with a host");
        }
        if (url.getRawQuery() != null || url.getRawFragment() != null) {
            throw new IllegalArgumentException("mirror \"" + url + "\" has a query or fragment; a mirror is a URL with at most a path");
        }
        if (scheme.equals("http") && !Hosts.isLoopback(Hosts.hostOf(authority)) && !insecureRegistries.contains(authority)
                && !insecureRegistries.contains(Hosts.hostOf(authority))) {
            throw new IllegalArgumentException("mirror \"" + url + "\" uses plain http; list " + authority
                    + " in insecureRegistries to allow it");
        }
        String path = url.getRawPath() == null ? "" : url.getRawPath().replaceAll("/+$", "");
        if (path.contains("//") || path.contains("/./") || path.contains("/../") || path.endsWith("/.") || path.endsWith("/..")) {
            throw new IllegalArgumentException("mirror \"" + url + "\" has an empty, . or .. segment in its path");
        }
        return new RegistryEndpoint(authority, URI.create(scheme + "://" + authority + path), true);
    }

    public static RegistryEndpoint of(String registry, String hostAndPort, Set<String> insecureRegistries) {
        return of(registry, hostAndPort, insecureRegistries, false);
    }

    /**
     * @param tlsConfigured whether the TLS settings name this host (a {@code certs.d/<host:port>} folder): a
     *                      loopback registry is then reached over https, as a local registry with its own CA or
     *                      client certificates needs; otherwise loopback means plain http, like a test registry
     */
    public static RegistryEndpoint of(String registry, String hostAndPort, Set<String> insecureRegistries, boolean tlsConfigured) {
        boolean insecure = insecureRegistries.contains(registry) || insecureRegistries.contains(hostAndPort);
        boolean plain = insecure || (Hosts.isLoopback(Hosts.hostOf(hostAndPort)) && !tlsConfigured);
        return new RegistryEndpoint(registry, URI.create((plain ? "http://" : "https://") + hostAndPort), false);
    }

    /** The registry API's version check ({@code GET .../v2/}): the path up to and including its {@code /v2} segment. */
    public URI ping() {
        return URI.create(v2Root());
    }

    /**
     * A request under {@code .../v2/}: {@code api("library/alpine/manifests/3.20")}, where the repository is
     * named as {@link #repository} names it.
     */
    public URI api(String pathUnderV2) {
        return URI.create(v2Root() + pathUnderV2);
    }

    private String v2Root() {
        String path = base.getRawPath();
        int v2 = v2Segment(path);
        String upToV2 = v2 < 0 ? path + "/v2" : path.substring(0, v2 + "/v2".length());
        return base.getScheme() + "://" + base.getRawAuthority() + upToV2 + "/";
    }

    /**
     * The repository as this endpoint's API names it: an image's own repository, after what a mirror's path holds
     * past its {@code /v2} segment ({@code dockerhub-proxy/library/alpine} under {@code /v2/dockerhub-proxy}).
     */
    public String repository(String imageRepository) {
        String path = base.getRawPath();
        int v2 = v2Segment(path);
        String prefix = v2 < 0 ? "" : path.substring(v2 + "/v2".length());
        return prefix.isEmpty() ? imageRepository : prefix.substring(1) + "/" + imageRepository;
    }

    /** Where the first {@code /v2} segment of a path starts, or -1. */
    private static int v2Segment(String path) {
        for (int at = path.indexOf("/v2"); at >= 0; at = path.indexOf("/v2", at + 1)) {
            int end = at + "/v2".length();
            if (end == path.length() || path.charAt(end) == '/') {
                return at;
            }
        }
        return -1;
    }

    /** Whether a URI has this endpoint's origin (scheme, host and port), the only place credentials may go. */
    public boolean sameOrigin(URI uri) {
        return base.getScheme().equalsIgnoreCase(uri.getScheme())
                && base.getHost().equalsIgnoreCase(uri.getHost())
                && effectivePort(base) == effectivePort(uri);
    }

    static int effectivePort(URI uri) {
        if (uri.getPort() >= 0) {
            return uri.getPort();
        }
        return "https".equalsIgnoreCase(uri.getScheme()) ? 443 : 80;
    }

    @Override
    public String toString() {
        return base.toString();
    }
}
