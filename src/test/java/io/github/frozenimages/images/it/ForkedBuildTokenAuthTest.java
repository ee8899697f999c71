package io.github.frozenimages.images.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.frozenimages.images.testing.ForkedMaven;
import io.github.frozenimages.images.testing.JwtTokenIssuer;
import io.github.frozenimages.images.testing.RegistryConfig;
import io.github.frozenimages.images.testing.RegistryPusher;
import io.github.frozenimages.images.testing.RegistryServer;
import io.github.frozenimages.images.testing.StandardFixtures;
import io.github.frozenimages.images.testing.TestImage;
import io.github.frozenimages.images.testing.TinyProxy;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real Maven build pulling from a registry in token mode with the credentials of a settings.xml server. The
 * registry answers every request without a token with 401 and a Bearer challenge; the plugin's registry client
 * answers it, and HttpClient, which only authenticates proxies, must neither try nor complain. HttpClient logs
 * through Maven's own logger, so only the output of a real build shows what a user would read. Directly, HttpClient
 * has nothing to authenticate; through a proxy of settings.xml it answers the proxy's challenge and only that.
 */
@Timeout(300)
class ForkedBuildTokenAuthTest {

    private static final String PRIVATE = "private/app";
    private static final String USER = "alice";
    private static final String PASSWORD = "forked-token-pass";
    private static final String PROXY_USER = "proxy-user";
    private static final String PROXY_PASSWORD = "proxy-pass";

    @TempDir
    static Path issuerFiles;

    static JwtTokenIssuer issuer;
    static RegistryServer registry;
    static TestImage image;

    @TempDir
    Path work;

    ForkedMaven maven;

    @BeforeAll
    static void startIssuerAndRegistry() {
        issuer = JwtTokenIssuer.start(issuerFiles).user(USER, PASSWORD).privateRepository(PRIVATE);
        registry = RegistryServer.start(issuer.configure(RegistryConfig.plain()));
        image = StandardFixtures.build().ociImage();
        new RegistryPusher(registry.baseUrl(), issuer.bearer(List.of(PRIVATE), "pull", "push")).push(PRIVATE, "1.0", image);
    }

    @AfterAll
    static void stopIssuerAndRegistry() {
        try {
            if (registry != null) {
                registry.close();
            }
        } finally {
            if (issuer != null) {
                issuer.close();
            }
        }
    }

    @BeforeEach
    void installPlugin() {
        maven = ForkedMaven.install(work);
        issuer.clearRequests();
    }

    @AfterEach
    void killBuilds() {
        if (maven != null) {
            maven.close();
        }
    }

    @Test
    void aPullWithCredentialsFromATokenRegistryLogsNoWarning() throws Exception {
        ForkedMaven.Build build = pull(settings(""));

        assertNoWarningBut(build, null);
        assertPulledWithTheUsersToken(build);
    }

    @Test
    void throughAProxyThatWantsCredentialsTooThePullLogsNoWarning() throws Exception {
        // through a proxy HttpClient keeps its authentication, for the proxy's 407: the registry's 401 is still not its
        try (TinyProxy proxy = TinyProxy.start(registry.port(), PROXY_USER, PROXY_PASSWORD)) {
            ForkedMaven.Build build = pull(settings("""
                      <proxies>
                        <proxy>
                          <id>test-proxy</id>
                          <protocol>http</protocol>
                          <host>%s</host>
                          <port>%d</port>
                          <username>%s</username>
                          <password>%s</password>
                        </proxy>
                      </proxies>
                    """.formatted(TinyProxy.HOST, proxy.port(), PROXY_USER, PROXY_PASSWORD)));

            // tinyproxy 1.11 closes each client connection after one response without saying so (no Connection:
            // close), so a request may meet a dead pooled connection and be retried: the plugin's own warning, not
            // HttpClient's, and down to timing, so left out here
            assertNoWarningBut(build, "[WARNING] attempt ");
            assertPulledWithTheUsersToken(build);
            assertTrue(proxy.requestLines().contains("GET " + registry.baseUrl() + "/v2/" + PRIVATE + "/manifests/1.0 HTTP/1.1"),
                    "the pull went through the proxy: " + proxy.requestLines());
        }
    }

    /**
     * A global settings file with the registry's server and {@code more}: the launcher's user settings ({@code -s})
     * hold its no-network mirror, and Maven merges the two.
     */
    private Path settings(String more) throws IOException {
        Path settings = work.resolve("credentials.xml");
        Files.writeString(settings, """
                <settings>
                  <servers>
                    <server>
                      <id>%s</id>
                      <username>%s</username>
                      <password>%s</password>
                    </server>
                  </servers>
                %s</settings>
                """.formatted(registry.address(), USER, PASSWORD, more), StandardCharsets.UTF_8);
        return settings;
    }

    private ForkedMaven.Build pull(Path settings) {
        ForkedMaven.Build build = maven.start(work.resolve("project"), "", List.of(maven.plugin() + ":pull", "-gs", settings.toString(),
                "-Dimages=" + registry.address() + "/" + PRIVATE + ":1.0", "-Dimages.cacheDirectory=" + work.resolve("cache"),
                "-Dimages.outputDirectory=" + out(), "-Dimages.platform=linux/amd64"));
        build.assertSucceeds(Duration.ofSeconds(180));
        return build;
    }

    private Path out() {
        return work.resolve("project/target/images");
    }

    /** @param allowed the start of the warnings left out, or null for none */
    private static void assertNoWarningBut(ForkedMaven.Build build, String allowed) {
        List<String> warnings = build.log().lines().filter(l -> l.startsWith("[WARNING]"))
                .filter(l -> allowed == null || !l.startsWith(allowed)).toList();
        assertEquals(List.of(), warnings, build.describe());
    }

    private void assertPulledWithTheUsersToken(ForkedMaven.Build build) {
        // the pull really went through the token service with the user's credentials, not anonymously
        List<JwtTokenIssuer.Request> tokens = issuer.requestsFor("repository:" + PRIVATE + ":pull");
        assertEquals(List.of(USER), tokens.stream().map(JwtTokenIssuer.Request::user).distinct().toList(), issuer.requests().toString());
        assertEquals(List.of(200), tokens.stream().map(JwtTokenIssuer.Request::status).distinct().toList(), issuer.requests().toString());
        assertTrue(Files.isRegularFile(out().resolve("blobs/sha256/" + image.manifestDigest().substring("sha256:".length()))), build.describe());
    }
}
