package io.github.frozenimages.images.maven;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.frozenimages.images.core.http.ProxySettings;
import java.net.URI;
import java.util.List;
import java.util.Map;
import org.apache.maven.settings.Proxy;
import org.apache.maven.settings.Settings;
import org.junit.jupiter.api.Test;

class NetworkConfigurationTest {

    private static MirrorSpec cli(String value) {
        MirrorSpec m = new MirrorSpec();
        m.set(value);
        return m;
    }

    @Test
    void commandLineMirrorsAreParsedAndGroupedByNormalisedRegistry() {
        Map<String, List<URI>> mirrors = NetworkConfiguration.mirrors(List.of(
                cli("docker.io=https://mirror-a:5000"), cli("index.docker.io=https://mirror-b"), cli("quay.io=https://q.example")));
        assertEquals(Map.of("docker.io", List.of(URI.create("https://mirror-a:5000"), URI.create("https://mirror-b")),
                "quay.io", List.of(URI.create("https://q.example"))), mirrors);
    }

    @Test
    void aMirrorWithoutUrlIsAConfigurationError() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> cli("docker.io"));
        assertTrue(e.getMessage().contains("registry=url"), e.getMessage());
    }

    @Test
    void onlyActiveProxiesOfSettingsAreUsed() {
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
    void withoutProxiesTheJvmSettingsApply() {
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
