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
 * through Maven's own logger, so only the output of a real build shows what a user would read.
 */
@Timeout(300)
class ForkedBuildTokenAuthTest {

    private static final String PRIVATE = "private/app";
    private static final String USER = "alice";
    private static final String PASSWORD = "forked-token-pass";

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
        // the server goes into global settings: the launcher's user settings (-s) hold its no-network mirror
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
                </settings>
                """.formatted(registry.address(), USER, PASSWORD), StandardCharsets.UTF_8);
        Path out = work.resolve("project/target/images");

        ForkedMaven.Build build = maven.start(work.resolve("project"), "", List.of(maven.plugin() + ":pull", "-gs", settings.toString(),
                "-Dimages=" + registry.address() + "/" + PRIVATE + ":1.0", "-Dimages.cacheDirectory=" + work.resolve("cache"),
                "-Dimages.outputDirectory=" + out, "-Dimages.platform=linux/amd64"));
        build.assertSucceeds(Duration.ofSeconds(180));

        List<String> warnings = build.log().lines().filter(l -> l.startsWith("[WARNING]")).toList();
        assertEquals(List.of(), warnings, build.describe());
        // the pull really went through the token service with the user's credentials, not anonymously
        List<JwtTokenIssuer.Request> tokens = issuer.requestsFor("repository:" + PRIVATE + ":pull");
        assertEquals(List.of(USER), tokens.stream().map(JwtTokenIssuer.Request::user).distinct().toList(), issuer.requests().toString());
        assertEquals(List.of(200), tokens.stream().map(JwtTokenIssuer.Request::status).distinct().toList(), issuer.requests().toString());
        assertTrue(Files.isRegularFile(out.resolve("blobs/sha256/" + image.manifestDigest().substring("sha256:".length()))), build.describe());
    }
}
