package io.github.frozenimages.images.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.frozenimages.images.testing.Faults;
import io.github.frozenimages.images.testing.ForkedMaven;
import io.github.frozenimages.images.testing.HttpHeader;
import io.github.frozenimages.images.testing.RegistryPusher;
import io.github.frozenimages.images.testing.Rule;
import io.github.frozenimages.images.testing.StandardFixtures;
import io.github.frozenimages.images.testing.TestImage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A registry's challenge is read by the plugin's registry client alone. One that HttpClient's own parser refuses
 * (a stray comma after the last parameter, which the registry client skips as Docker's does) must not reach
 * HttpClient, which would log "[WARNING] ex-0000000001 Malformed challenge" into the build.
 */
@Timeout(300)
class ForkedBuildHostileChallengeTest extends ForkedBuildTestSupport {

    private static TestImage image;

    @BeforeAll
    static void pushImage() {
        image = StandardFixtures.build().ociImage();
        new RegistryPusher(registry.baseUrl()).push(StandardFixtures.OCI_IMAGE, StandardFixtures.TAG, image);
    }

    @Test
    void aChallengeHttpClientCannotParseLeavesNoWarningInTheBuild() {
        // the proxy challenges in the registry's stead and serves the token; the registry itself wants none
        proxy.add(Rule.onPath("GET", "/v2/").always().then(Faults.answer(401, List.of(new HttpHeader("WWW-Authenticate",
                "Bearer realm=\"" + proxy.baseUrl() + "/token\",service=\"odd\", ,")), new byte[0])));
        Rule tokens = proxy.add(Rule.onPath("GET", "/token").always().then(Faults.answer(200,
                List.of(new HttpHeader("Content-Type", "application/json")), "{\"token\":\"odd-token\"}".getBytes(StandardCharsets.UTF_8))));
        Path out = work.resolve("project/target/images");

        ForkedMaven.Build build = maven.start(work.resolve("project"), "", List.of(maven.plugin() + ":pull",
                "-Dimages=" + proxy.address() + "/" + StandardFixtures.OCI_IMAGE + ":" + StandardFixtures.TAG,
                "-Dimages.cacheDirectory=" + work.resolve("cache"), "-Dimages.outputDirectory=" + out, "-Dimages.platform=linux/amd64"));
        build.assertSucceeds(Duration.ofSeconds(180));

        assertEquals(List.of(), build.log().lines().filter(l -> l.startsWith("[WARNING]")).toList(), build.describe());
        assertEquals(1, tokens.uses(), "the registry client answered the challenge with a token");
        assertTrue(Files.isRegularFile(out.resolve("blobs/sha256/" + image.manifestDigest().substring("sha256:".length()))), build.describe());
    }
}
