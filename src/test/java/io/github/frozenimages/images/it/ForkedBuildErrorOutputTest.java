package io.github.frozenimages.images.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import io.github.frozenimages.images.testing.Faults;
import io.github.frozenimages.images.testing.ForkedMaven;
import io.github.frozenimages.images.testing.HttpHeader;
import io.github.frozenimages.images.testing.MediaTypes;
import io.github.frozenimages.images.testing.RegistryPusher;
import io.github.frozenimages.images.testing.Rule;
import io.github.frozenimages.images.testing.Sha256;
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
 * Every {@code [ERROR]} line of a real build that a hostile registry makes fail, compared whole: the plugin's one
 * line, which says what the registry did wrong and what to do, then Maven's own fixed lines, and nothing else (no
 * second line of a parser's location, no parser's configuration names).
 */
@Timeout(300)
class ForkedBuildErrorOutputTest extends ForkedBuildTestSupport {

    private static final String REPOSITORY = StandardFixtures.OCI_IMAGE;
    private static TestImage image;

    @BeforeAll
    static void pushImage() {
        image = StandardFixtures.build().ociImage();
        new RegistryPusher(registry.baseUrl()).push(REPOSITORY, StandardFixtures.TAG, image);
    }

    @Test
    void aManifestWithARepeatedKeyFailsTheBuildWithOneLineNamingTheKeyAndWhereItIs() {
        String manifest = new String(image.manifestBytes(), StandardCharsets.UTF_8);
        String repeated = manifest.replaceFirst("\\}$", ",\"mediaType\":\"" + MediaTypes.OCI_INDEX + "\"}");
        serve("repeated-key", repeated.getBytes(StandardCharsets.UTF_8));
        int column = repeated.lastIndexOf("\"mediaType\"") + 1;

        List<String> errors = failingPull("repeated-key");

        assertEquals(mavenFailure("could not resolve " + reference("repeated-key") + " from " + proxy.address()
                + ": the manifest is not valid JSON: duplicate key \"mediaType\" at line 1, column " + column
                + " (the registry answered in a way the registry protocol does not allow)"), errors);
    }

    @Test
    void aManifestNestedTooDeepFailsTheBuildWithOneLineInThePluginsWords() {
        String deep = "{\"schemaVersion\":2,\"x\":" + "[".repeat(10_000) + "]".repeat(10_000) + "}";
        serve("deep", deep.getBytes(StandardCharsets.UTF_8));
        // the document's own object is the first level, "x" the second: the 65th level opens 63 brackets in
        int column = "{\"schemaVersion\":2,\"x\":".length() + 63 + 1;

        List<String> errors = failingPull("deep");

        assertEquals(mavenFailure("could not resolve " + reference("deep") + " from " + proxy.address()
                + ": the manifest is not valid JSON: nested more than 64 levels deep at line 1, column " + column
                + " (the registry answered in a way the registry protocol does not allow)"), errors);
    }

    @Test
    void aTokenAnswerOverOneMebibyteFailsTheBuildAsTheTokenServicesFaultNotTheNetworks() {
        // the proxy plays the registry's challenge and the token service: the realm is the proxy's own /token
        proxy.add(Rule.onPath("GET", "/v2/").always().then(Faults.answer(401, List.of(new HttpHeader("WWW-Authenticate",
                "Bearer realm=\"" + proxy.baseUrl() + "/token\",service=\"hostile\"")), new byte[0])));
        byte[] huge = ("{\"token\":\"" + "x".repeat(2 * 1024 * 1024) + "\"}").getBytes(StandardCharsets.UTF_8);
        Rule tokens = proxy.add(Rule.onPath("GET", "/token").always().then(Faults.answer(200,
                List.of(new HttpHeader("Content-Type", "application/json")), huge)));

        List<String> errors = failingPull(StandardFixtures.TAG);

        assertEquals(mavenFailure("could not resolve " + reference(StandardFixtures.TAG) + " from " + proxy.address()
                + ": the token service 127.0.0.1 sent a larger answer than any token needs: the response declares " + huge.length
                + " bytes, more than the limit of 1048576 (the registry answered in a way the registry protocol does not allow)"), errors);
        assertEquals(1, tokens.uses(), "a refused answer is final, not retried as a network failure");
    }

    @Test
    void aBrokenLockFileFailsTheBuildWithOneLineSayingWhereItBreaksOff() throws Exception {
        // a lock file cut short, as a failed merge or a full disk leaves it; the reader keeps the parser's failure as a cause
        String cut = "{\"version\":1,\"images\":[";
        Path lockFile = Files.createDirectories(work.resolve("project")).resolve("images.lock.json");
        Files.writeString(lockFile, cut, StandardCharsets.UTF_8);

        List<String> errors = failingPull(StandardFixtures.TAG);

        assertEquals(mavenFailure("could not read the lock file " + lockFile + ": not a valid lock file: the document ends early"
                + " at line 1, column " + (cut.length() + 1) + "; fix it, or write it anew with mvn images:lock", "MojoFailureException"), errors);
    }

    /** Runs the pull of {@code REPOSITORY:tag} through the proxy, which must fail, and returns its [ERROR] lines. */
    private List<String> failingPull(String tag) {
        ForkedMaven.Build build = maven.start(work.resolve("project"), "", List.of(maven.plugin() + ":pull",
                "-Dimages=" + reference(tag), "-Dimages.cacheDirectory=" + work.resolve("cache"),
                "-Dimages.outputDirectory=" + work.resolve("project/target/images"), "-Dimages.platform=linux/amd64"));
        assertNotEquals(0, build.await(Duration.ofSeconds(180)), build.describe());
        return build.log().lines().filter(l -> l.startsWith("[ERROR]")).toList();
    }

    /** What Maven 3.9 prints for a goal that failed with {@code message}: the goal's line, then its fixed advice. */
    private List<String> mavenFailure(String message) {
        return mavenFailure(message, "MojoExecutionException");
    }

    /** @param exception the simple name of the mojo's exception, which Maven's help link names */
    private List<String> mavenFailure(String message, String exception) {
        return List.of(
                "[ERROR] Failed to execute goal " + maven.plugin() + ":pull (default-cli) on project standalone-pom: " + message + " -> [Help 1]",
                "[ERROR] ",
                "[ERROR] To see the full stack trace of the errors, re-run Maven with the -e switch.",
                "[ERROR] Re-run Maven using the -X switch to enable full debug logging.",
                "[ERROR] ",
                "[ERROR] For more information about the errors and possible solutions, please read the following articles:",
                "[ERROR] [Help 1] http://cwiki.apache.org/confluence/display/MAVEN/" + exception);
    }

    private void serve(String tag, byte[] manifest) {
        proxy.add(Rule.onPath("GET", "/v2/" + REPOSITORY + "/manifests/" + tag).always().then(Faults.answer(200, List.of(
                new HttpHeader("Content-Type", MediaTypes.OCI_MANIFEST), new HttpHeader("Docker-Content-Digest", Sha256.digest(manifest))), manifest)));
    }

    private String reference(String tag) {
        return proxy.address() + "/" + REPOSITORY + ":" + tag;
    }
}
