package io.github.frozenimages.images.core.registry;

import io.github.frozenimages.images.core.http.Hosts;
import java.net.URI;
import java.util.Locale;
import java.util.Set;

/**
 * Where a registry is reached: scheme, host and port. HTTPS always, except for the registries the user
 * listed as insecure and loopback hosts without TLS settings of their own; there is never a silent
 * fallback from https to http.
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
        if (scheme.equals("http") && !Hosts.isLoopback(Hosts.hostOf(authority)) && !insecureRegistries.contains(authority)
                && !insecureRegistries.contains(Hosts.hostOf(authority))) {
            throw new IllegalArgumentException("mirror \"" + url + "\" uses plain http; list " + authority
                    + " in insecureRegistries to allow it");
        }
        return new RegistryEndpoint(authority, URI.create(scheme + "://" + authority), true);
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

    public URI resolve(String path) {
        return base.resolve(path);
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
