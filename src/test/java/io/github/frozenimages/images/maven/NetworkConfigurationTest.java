package io.github.frozenimages.images.maven;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.frozenimages.images.core.http.ProxySettings;
import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.maven.plugin.MojoFailureException;
import org.apache.maven.settings.Proxy;
import org.apache.maven.settings.Settings;
import org.junit.jupiter.api.Test;

class NetworkConfigurationTest {

    private static MirrorSpec cli(String value) {
        MirrorSpec m = new MirrorSpec();
        m.set(value);
        return m;
    }

    private static String refused(List<MirrorSpec> mirrors, Set<String> insecureRegistries) {
        return assertThrows(MojoFailureException.class, () -> NetworkConfiguration.mirrors(mirrors, insecureRegistries)).getMessage();
    }

    @Test
    void commandLineMirrorsAreParsedAndGroupedByNormalisedRegistry() throws Exception {
        Map<String, List<URI>> mirrors = NetworkConfiguration.mirrors(List.of(
                cli("docker.io=https://mirror-a:5000"), cli("index.docker.io=https://mirror-b"), cli("quay.io=https://q.example")), Set.of());
        assertEquals(Map.of("docker.io", List.of(URI.create("https://mirror-a:5000"), URI.create("https://mirror-b")),
                "quay.io", List.of(URI.create("https://q.example"))), mirrors);
    }

    @Test
    void aMirrorWithoutUrlIsAConfigurationError() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> cli("docker.io"));
        assertTrue(e.getMessage().contains("registry=url"), e.getMessage());
    }

    @Test
    void plainHttpReachesAMirrorOnlyOnLoopbackOrWhenItIsListedInsecure() throws Exception {
        String message = refused(List.of(cli("docker.io=http://mirror.example:5000")), Set.of());
        assertTrue(message.contains("\"http://mirror.example:5000\""), message);
        assertTrue(message.endsWith(" (check <mirrors> or -Dimages.mirrors)"), message);

        assertEquals(Map.of("docker.io", List.of(URI.create("http://mirror.example:5000"))),
                NetworkConfiguration.mirrors(List.of(cli("docker.io=http://mirror.example:5000")), Set.of("mirror.example:5000")));
        assertEquals(Map.of("docker.io", List.of(URI.create("http://127.0.0.1:5000"))),
                NetworkConfiguration.mirrors(List.of(cli("docker.io=http://127.0.0.1:5000")), Set.of()));
    }

    @Test
    void aMirrorUrlNeedsAnHttpSchemeAndAHost() {
        for (String url : List.of("mirror.example:5000", "ftp://mirror.example", "https:///v2/", "https://mirror example")) {
            String message = refused(List.of(cli("docker.io=" + url)), Set.of());
            assertTrue(message.contains(url), message);
            assertTrue(message.endsWith(" (check <mirrors> or -Dimages.mirrors)"), message);
        }
    }

    @Test
    void aMirrorUrlMayCarryAPathButNoQuery() throws Exception {
        assertEquals(Map.of("docker.io", List.of(URI.create("https://nexus.corp/repository/docker-proxy"),
                        URI.create("https://harbor.corp/v2/dockerhub-proxy"))),
                NetworkConfiguration.mirrors(List.of(cli("docker.io=https://nexus.corp/repository/docker-proxy"),
                        cli("docker.io=https://harbor.corp/v2/dockerhub-proxy")), Set.of()));

        String message = refused(List.of(cli("docker.io=https://nexus.corp/repository/docker-proxy?token=x")), Set.of());
        assertTrue(message.contains("has a query or fragment"), message);
        assertTrue(message.endsWith(" (check <mirrors> or -Dimages.mirrors)"), message);
    }

    @Test
    void aMirrorOfAnInvalidRegistryNameIsRefused() {
        String message = refused(List.of(cli("my_registry.example=https://mirror.example")), Set.of());
        assertTrue(message.startsWith("the mirrored registry \"my_registry.example\" is not a registry name"), message);
        assertTrue(message.endsWith(" (check <mirrors> or -Dimages.mirrors)"), message);
    }

    @Test
    void retriesAndTimeoutAreCheckedAsTheyAreRead() {
        MojoFailureException retries = assertThrows(MojoFailureException.class,
                () -> NetworkConfiguration.build(0, 30, null, null, null, Set.of(), null, null));
        assertTrue(retries.getMessage().endsWith(" (check <retries> or -Dimages.retries)"), retries.getMessage());
        MojoFailureException timeout = assertThrows(MojoFailureException.class,
                () -> NetworkConfiguration.build(5, 0, null, null, null, Set.of(), null, null));
        assertEquals("the timeout must be a positive number of seconds, not 0 (check <timeout> or -Dimages.timeout)", timeout.getMessage());
    }

    @Test
    void anActiveProxyWithoutHostOrWithAnImpossiblePortIsRefused() {
        Settings settings = new Settings();
        Proxy noHost = proxy(null, true);
        noHost.setId("corporate");
        settings.setProxies(List.of(noHost));
        MojoFailureException e = assertThrows(MojoFailureException.class, () -> NetworkConfiguration.proxies(settings, null));
        assertEquals("the proxy 'corporate' of settings.xml has no <host> (check the active <proxy> entries of settings.xml)", e.getMessage());

        Proxy badPort = proxy("proxy.example", true);
        badPort.setPort(0);
        settings.setProxies(List.of(badPort));
        e = assertThrows(MojoFailureException.class, () -> NetworkConfiguration.proxies(settings, null));
        assertTrue(e.getMessage().contains("has the port 0"), e.getMessage());

        settings.setProxies(List.of(proxy(null, false)));
        assertDoesNotThrow(() -> NetworkConfiguration.proxies(settings, null), "an inactive proxy is not used, so not checked");
    }

    @Test
    void onlyActiveProxiesOfSettingsAreUsed() throws Exception {
        Settings settings = new Settings();
        Proxy inactive = proxy("inactive.example", false);
        Proxy active = proxy("proxy.example", true);
        active.setUsername("bob");
        active.setPassword("pw");
        active.setNonProxyHosts("*.internal|localhost");
        settings.setProxies(List.of(inactive, active));

        ProxySettings proxies = NetworkConfiguration.proxies(settings, null);
        assertEquals(1, proxies.proxies().size());
        ProxySettings.Proxy p = proxies.proxies().get(0);
        assertEquals("proxy.example", p.host());
        assertEquals("bob", p.username());
        assertTrue(proxies.forTarget("https", "registry.example").isPresent(), "an http proxy also serves https targets");
        assertTrue(proxies.forTarget("https", "reg.internal").isEmpty(), "nonProxyHosts are reached directly");
    }

    @Test
    void withoutProxiesTheJvmSettingsApply() throws Exception {
        assertSame(ProxySettings.SYSTEM, NetworkConfiguration.proxies(new Settings(), null));
        assertSame(ProxySettings.SYSTEM, NetworkConfiguration.proxies(null, null));
    }

    private static Proxy proxy(String host, boolean active) {
        Proxy p = new Proxy();
        p.setHost(host);
        p.setPort(3128);
        p.setProtocol("http");
        p.setActive(active);
        return p;
    }
}
