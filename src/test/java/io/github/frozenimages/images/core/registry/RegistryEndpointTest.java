package io.github.frozenimages.images.core.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * https everywhere except loopback and what the user listed; credentials only to the same origin; a mirror's path
 * placed as containerd places it.
 */
class RegistryEndpointTest {

    @ParameterizedTest(name = "{0} loopback={1}")
    @CsvSource({
            "localhost, true",
            "LocalHost, true",
            "127.0.0.1, true",
            "127.1.2.3, true",
            "127.255.255.254, true",
            "[::1], true",
            "::1, true",
            "0:0:0:0:0:0:0:1, true",
            // look-alikes that resolve elsewhere
            "128.0.0.1, false",
            "10.0.0.1, false",
            "1127.0.0.1, false",
            "127.0.0.1.example.com, false",
            "localhost.example.com, false",
            "mylocalhost, false",
            "::2, false",
            "registry.example.com, false",
    })
    void loopbackDetection(String host, boolean loopback) {
        assertEquals(loopback, io.github.frozenimages.images.core.http.Hosts.isLoopback(host));
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({
            // loopback registries speak plain http, as `registry:3` in a test does
            "localhost:5000, http://localhost:5000",
            "localhost, http://localhost",
            "127.0.0.1:5000, http://127.0.0.1:5000",
            "127.1.2.3:8080, http://127.1.2.3:8080",
            "[::1]:5000, http://[::1]:5000",
            // everything else is https, port or not, even what looks local
            "registry.example.com, https://registry.example.com",
            "registry.example.com:5000, https://registry.example.com:5000",
            "128.0.0.1:5000, https://128.0.0.1:5000",
            "localhost.example.com:5000, https://localhost.example.com:5000",
            "192.168.1.10:5000, https://192.168.1.10:5000",
    })
    void schemeByHost(String hostAndPort, String expected) {
        RegistryEndpoint endpoint = RegistryEndpoint.of(hostAndPort, hostAndPort, Set.of());
        assertEquals(URI.create(expected), endpoint.base());
        assertEquals(hostAndPort, endpoint.registry());
    }

    @ParameterizedTest(name = "{0} with TLS configured -> {1}")
    @CsvSource({
            // a certs.d folder for a loopback registry says it serves TLS
            "127.0.0.1:5000, https://127.0.0.1:5000",
            "localhost, https://localhost",
            "[::1]:5000, https://[::1]:5000",
            // other hosts are https anyway
            "registry.example.com:5000, https://registry.example.com:5000",
    })
    void loopbackIsHttpsWhenTlsIsConfiguredForIt(String hostAndPort, String expected) {
        assertEquals(URI.create(expected), RegistryEndpoint.of(hostAndPort, hostAndPort, Set.of(), true).base());
    }

    @Test
    void theInsecureListWinsOverTlsSettings() {
        assertEquals(URI.create("http://127.0.0.1:5000"), RegistryEndpoint.of("127.0.0.1:5000", "127.0.0.1:5000", Set.of("127.0.0.1:5000"), true).base());
    }

    @ParameterizedTest(name = "insecure {2}: {0} via {1} -> {3}")
    @CsvSource({
            // listed by registry name
            "docker.io, registry-1.docker.io, docker.io, http://registry-1.docker.io",
            "myreg.lan:5000, myreg.lan:5000, myreg.lan:5000, http://myreg.lan:5000",
            // listed by the host:port actually connected to
            "docker.io, registry-1.docker.io, registry-1.docker.io, http://registry-1.docker.io",
            // another registry's entry does not apply
            "myreg.lan:5000, myreg.lan:5000, other.lan:5000, https://myreg.lan:5000",
    })
    void insecureRegistriesAreHonoured(String registry, String hostAndPort, String insecure, String expected) {
        assertEquals(URI.create(expected), RegistryEndpoint.of(registry, hostAndPort, Set.of(insecure)).base());
    }

    @ParameterizedTest(name = "{0} vs {1} -> {2}")
    @CsvSource({
            "https://reg.example.com, https://reg.example.com/v2/library/a/blobs/sha256:00, true",
            // default ports are the same origin as explicit ones
            "https://reg.example.com, https://reg.example.com:443/v2/, true",
            "https://reg.example.com:443, https://reg.example.com/v2/, true",
            "http://localhost, http://localhost:80/v2/, true",
            "http://localhost:5000, http://localhost:5000/v2/, true",
            // host names compare without case, schemes too
            "https://reg.example.com, HTTPS://REG.Example.COM/v2/, true",
            // a redirect to a CDN or a downgrade must not carry the registry's Authorization
            "https://reg.example.com, http://reg.example.com/v2/, false",
            "https://reg.example.com, http://reg.example.com:443/v2/, false",
            "https://reg.example.com, https://reg.example.com:5000/v2/, false",
            "https://reg.example.com, https://cdn.example.com/blob, false",
            "https://reg.example.com, https://reg.example.com.evil.test/v2/, false",
            "http://localhost:5000, http://localhost/v2/, false",
            "http://localhost:5000, http://127.0.0.1:5000/v2/, false",
            "https://reg.example.com, /v2/relative, false",
    })
    void sameOrigin(String base, String uri, boolean same) {
        RegistryEndpoint endpoint = new RegistryEndpoint("r", URI.create(base));
        assertEquals(same, endpoint.sameOrigin(URI.create(uri)));
    }

    @Test
    void aRegistryServesTheApiAtTheRootOfItsHost() {
        RegistryEndpoint endpoint = RegistryEndpoint.of("localhost:5000", "localhost:5000", Set.of());
        assertEquals(URI.create("http://localhost:5000/v2/library/alpine/manifests/3.20"),
                endpoint.api("library/alpine/manifests/3.20"));
        assertEquals(URI.create("http://localhost:5000/v2/"), endpoint.ping());
        assertEquals("library/alpine", endpoint.repository("library/alpine"));
        assertEquals("http://localhost:5000", endpoint.toString());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({
            // no path: the API at the host's root
            "https://mirror.corp, https://mirror.corp/v2/, https://mirror.corp/v2/library/alpine/manifests/3.20, library/alpine",
            // a path goes before /v2, as containerd's hosts.toml reads it (Nexus, Artifactory's API path)
            "https://nexus.corp/repository/docker-proxy, https://nexus.corp/repository/docker-proxy/v2/,"
                    + " https://nexus.corp/repository/docker-proxy/v2/library/alpine/manifests/3.20, library/alpine",
            "https://nexus.corp/repository/docker-proxy/, https://nexus.corp/repository/docker-proxy/v2/,"
                    + " https://nexus.corp/repository/docker-proxy/v2/library/alpine/manifests/3.20, library/alpine",
            // a path with a /v2 segment is the API root as written (override_path): the rest names repositories
            "https://harbor.corp/v2/dockerhub-proxy, https://harbor.corp/v2/,"
                    + " https://harbor.corp/v2/dockerhub-proxy/library/alpine/manifests/3.20, dockerhub-proxy/library/alpine",
            "https://harbor.corp/v2/dockerhub-proxy/, https://harbor.corp/v2/,"
                    + " https://harbor.corp/v2/dockerhub-proxy/library/alpine/manifests/3.20, dockerhub-proxy/library/alpine",
            "https://gitlab.corp/v2/group/dependency_proxy/containers, https://gitlab.corp/v2/,"
                    + " https://gitlab.corp/v2/group/dependency_proxy/containers/library/alpine/manifests/3.20,"
                    + " group/dependency_proxy/containers/library/alpine",
            "https://proxy.corp/registry/v2, https://proxy.corp/registry/v2/, https://proxy.corp/registry/v2/library/alpine/manifests/3.20, library/alpine",
            // only a whole segment counts: /v2x and /xv2 are ordinary path segments
            "https://proxy.corp/v2x/mirror, https://proxy.corp/v2x/mirror/v2/, https://proxy.corp/v2x/mirror/v2/library/alpine/manifests/3.20, library/alpine",
            "https://proxy.corp/xv2, https://proxy.corp/xv2/v2/, https://proxy.corp/xv2/v2/library/alpine/manifests/3.20, library/alpine",
            "http://127.0.0.1:8080/v2/p, http://127.0.0.1:8080/v2/, http://127.0.0.1:8080/v2/p/library/alpine/manifests/3.20, p/library/alpine",
    })
    void aMirrorPathIsReadAsContainerdReadsIt(String mirror, String ping, String manifest, String repository) {
        RegistryEndpoint endpoint = RegistryEndpoint.mirror(URI.create(mirror), Set.of());
        assertEquals(URI.create(ping), endpoint.ping());
        assertEquals(repository, endpoint.repository("library/alpine"));
        assertEquals(URI.create(manifest), endpoint.api(endpoint.repository("library/alpine") + "/manifests/3.20"));
        assertEquals(URI.create(mirror).getRawAuthority(), endpoint.registry(), "credentials are looked up by the mirror's host");
        assertEquals(mirror.replaceAll("/$", ""), endpoint.toString(), "messages name the mirror as configured");
    }

    @Test
    void aMirrorPathKeepsCredentialsToItsOrigin() {
        RegistryEndpoint endpoint = RegistryEndpoint.mirror(URI.create("https://harbor.corp/v2/dockerhub-proxy"), Set.of());
        assertTrue(endpoint.sameOrigin(URI.create("https://harbor.corp/v2/")));
        assertTrue(endpoint.sameOrigin(URI.create("https://harbor.corp/v2/dockerhub-proxy/library/alpine/blobs/sha256:00")));
        assertFalse(endpoint.sameOrigin(URI.create("https://cdn.corp/v2/dockerhub-proxy/library/alpine/blobs/sha256:00")));
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {
            "https://mirror.corp/path?x=1",
            "https://mirror.corp/path#top",
            "https://mirror.corp//path",
            "https://mirror.corp/a/../b",
            "https://mirror.corp/a/./b",
            "ftp://mirror.corp/path",
            "mirror.corp/path",
    })
    void aMirrorUrlIsAnHttpUrlWithAtMostAPath(String url) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> RegistryEndpoint.mirror(URI.create(url), Set.of()));
        assertTrue(e.getMessage().contains(url), e.getMessage());
    }
}
