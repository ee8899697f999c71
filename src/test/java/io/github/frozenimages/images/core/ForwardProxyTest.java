package io.github.frozenimages.images.core;

import io.github.frozenimages.images.core.shared.ImagePullException;
import io.github.frozenimages.images.core.shared.PullListener;
import io.github.frozenimages.images.core.ref.ImageRequest;
import io.github.frozenimages.images.core.output.PulledImage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import io.github.frozenimages.images.core.auth.CredentialProvider;
import io.github.frozenimages.images.core.http.ProxySettings;
import io.github.frozenimages.images.testing.TestLayer;
import io.github.frozenimages.images.testing.TinyProxy;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Pulls through a real forward proxy (tinyproxy on 127.0.0.2). The proxies of settings.xml apply to loopback
 * registries too: unlike the JVM's defaults ({@code http.nonProxyHosts=localhost|127.*|[::1]}), only the
 * configured {@code nonProxyHosts} exempt a host, so what the proxy logs is exactly what the client sent it.
 */
class ForwardProxyTest extends RegistryTestSupport {

    private static final String USER = "proxy-user";
    private static final String PASSWORD = "proxy-pass";

    @TempDir
    Path work;

    @Test
    void everyRequestOfThePullGoesThroughTheProxy() {
        try (TinyProxy proxy = TinyProxy.start(registry.port(), null, null)) {
            PulledImage pulled = pull(new ProxySettings.Proxy("http", TinyProxy.HOST, proxy.port(), null, null, null)).get(0);

            assertEquals(fixtures.ociImage().manifestDigest(), pulled.manifestDigest().toString());
            List<String> seen = proxy.requestLines();
            String base = "GET " + registry.baseUrl() + "/v2/";
            assertTrue(seen.contains(base + " HTTP/1.1"), "the ping went through the proxy: " + seen);
            assertTrue(seen.contains(base + "test/oci-image/manifests/1.0 HTTP/1.1"), seen.toString());
            assertTrue(seen.contains(base + "test/oci-image/blobs/" + fixtures.ociImage().configDigest() + " HTTP/1.1"), seen.toString());
            for (TestLayer layer : fixtures.ociImage().layers()) {
                assertTrue(seen.contains(base + "test/oci-image/blobs/" + layer.digest() + " HTTP/1.1"), layer + " not in " + seen);
            }
        }
    }

    @Test
    void theProxyCredentialsOfTheSettingsAnswerItsChallenge() {
        try (TinyProxy proxy = TinyProxy.start(registry.port(), USER, PASSWORD)) {
            PulledImage pulled = pull(new ProxySettings.Proxy("http", TinyProxy.HOST, proxy.port(), USER, PASSWORD, null)).get(0);

            assertEquals(fixtures.ociImage().manifestDigest(), pulled.manifestDigest().toString());
            assertTrue(proxy.requestLines().contains("GET " + registry.baseUrl() + "/v2/test/oci-image/manifests/1.0 HTTP/1.1"),
                    proxy.requestLines().toString());
        }
    }

    @Test
    void aProxyThatWantsCredentialsAndGetsNoneFailsNamingTheProxy() {
        try (TinyProxy proxy = TinyProxy.start(registry.port(), USER, PASSWORD)) {
            ImagePullException e = assertThrows(ImagePullException.class,
                    () -> pull(new ProxySettings.Proxy("http", TinyProxy.HOST, proxy.port(), null, null, null)));

            assertTrue(e.getMessage().contains("407"), e.getMessage());
            assertTrue(e.getMessage().contains(TinyProxy.HOST + ":" + proxy.port()), "names the proxy: " + e.getMessage());
            assertEquals(ImagePullException.Reason.UNREACHABLE, e.reason(), e.getMessage());
        }
    }

    @Test
    void aProxyThatRejectsTheConfiguredCredentialsFailsNamingTheProxyUserButNotThePassword() throws IOException {
        // tinyproxy 1.11 answers wrong proxy credentials with 401 instead of 407, like a registry would; a proxy
        // that keeps the protocol is stood in for by one that refuses every Proxy-Authorization
        HttpServer refusing = HttpServer.create(new InetSocketAddress(TinyProxy.HOST, 0), 0);
        List<String> proxyAuthorizations = new CopyOnWriteArrayList<>();
        refusing.createContext("/", exchange -> {
            try (exchange) {
                proxyAuthorizations.add(String.valueOf(exchange.getRequestHeaders().getFirst("Proxy-Authorization")));
                exchange.getResponseHeaders().add("Proxy-Authenticate", "Basic realm=\"test proxy\"");
                exchange.sendResponseHeaders(407, -1);
            }
        });
        refusing.start();
        try {
            String wrong = "wrong-proxy-pass";
            int port = refusing.getAddress().getPort();
            ImagePullException e = assertThrows(ImagePullException.class,
                    () -> pull(new ProxySettings.Proxy("http", TinyProxy.HOST, port, USER, wrong, null)));

            assertEquals(ImagePullException.Reason.UNREACHABLE, e.reason(), e.getMessage());
            assertTrue(e.getMessage().contains("the http proxy " + TinyProxy.HOST + ":" + port + " rejected the credentials of " + USER),
                    e.getMessage());
            assertFalse(e.getMessage().contains(wrong), "the secret must never appear: " + e.getMessage());
            assertTrue(proxyAuthorizations.stream().anyMatch(a -> a.startsWith("Basic ")), "the credentials were offered: " + proxyAuthorizations);
        } finally {
            refusing.stop(0);
        }
    }

    @Test
    void aRegistryListedInNonProxyHostsIsReachedDirectly() {
        try (TinyProxy proxy = TinyProxy.start(registry.port(), null, null)) {
            PulledImage pulled = pull(new ProxySettings.Proxy("http", TinyProxy.HOST, proxy.port(), null, null, "localhost|127.0.0.*")).get(0);

            assertEquals(fixtures.ociImage().manifestDigest(), pulled.manifestDigest().toString());
            assertEquals(List.of(), proxy.requestLines(), "the proxy saw nothing");
        }
    }

    @Test
    void withoutSettingsProxiesTheJvmProxyPropertiesApply() {
        String[] keys = {"http.proxyHost", "http.proxyPort", "http.nonProxyHosts"};
        java.util.Map<String, String> before = new java.util.HashMap<>();
        for (String k : keys) {
            before.put(k, System.getProperty(k));
        }
        try (TinyProxy proxy = TinyProxy.start(registry.port(), null, null)) {
            System.setProperty("http.proxyHost", TinyProxy.HOST);
            System.setProperty("http.proxyPort", String.valueOf(proxy.port()));
            // the JVM adds localhost and 127.* to any non-empty list; only an empty one lets loopback through
            System.setProperty("http.nonProxyHosts", "");
            ImageRequest image = RegistryTestSupport.image(registry.address() + "/test/oci-image:1.0");
            new ImagePuller().pull(new PullRequest(List.of(image), work.resolve("out"), OutputFormat.OCI, Optional.empty(), 2,
                    work.resolve("cache"), Set.of(), CredentialProvider.ANONYMOUS, PullListener.SILENT)
                    .withNetwork(FAST_RETRIES));
            assertTrue(proxy.requestLines().contains("GET " + registry.baseUrl() + "/v2/ HTTP/1.1"), proxy.requestLines().toString());

            System.setProperty("http.nonProxyHosts", "127.0.0.*");
            int seen = proxy.requestLines().size();
            new ImagePuller().pull(new PullRequest(List.of(image), work.resolve("out2"), OutputFormat.OCI, Optional.empty(), 2,
                    work.resolve("cache2"), Set.of(), CredentialProvider.ANONYMOUS, PullListener.SILENT)
                    .withNetwork(FAST_RETRIES));
            assertEquals(seen, proxy.requestLines().size(), "http.nonProxyHosts sends the registry past the proxy");
        } finally {
            before.forEach((k, v) -> {
                if (v == null) {
                    System.clearProperty(k);
                } else {
                    System.setProperty(k, v);
                }
            });
        }
    }

    private List<PulledImage> pull(ProxySettings.Proxy proxy) {
        ImageRequest image = RegistryTestSupport.image(registry.address() + "/test/oci-image:1.0");
        return new ImagePuller().pull(new PullRequest(List.of(image), work.resolve("out"), OutputFormat.OCI, Optional.empty(), 2,
                work.resolve("cache"), Set.of(), CredentialProvider.ANONYMOUS, PullListener.SILENT)
                .withNetwork(FAST_RETRIES.withProxies(new ProxySettings(List.of(proxy)))));
    }
}
