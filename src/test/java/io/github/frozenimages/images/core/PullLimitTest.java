package io.github.frozenimages.images.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.frozenimages.images.core.auth.CredentialProvider;
import io.github.frozenimages.images.core.output.PullReport;
import io.github.frozenimages.images.core.output.PulledImage;
import io.github.frozenimages.images.core.ref.ImageRequest;
import io.github.frozenimages.images.core.shared.ImagePullException;
import io.github.frozenimages.images.core.shared.ImagePullException.Reason;
import io.github.frozenimages.images.testing.Faults;
import io.github.frozenimages.images.testing.HttpHeader;
import io.github.frozenimages.images.testing.RecordingListener;
import io.github.frozenimages.images.testing.RegistryPusher;
import io.github.frozenimages.images.testing.Rule;
import io.github.frozenimages.images.testing.StandardFixtures;
import io.github.frozenimages.images.testing.TestImage;
import io.github.frozenimages.images.testing.TestLayer;
import io.github.frozenimages.images.testing.WireFaults;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Docker Hub counts every manifest {@code GET} as a pull and no {@code HEAD}: a build whose tags have not moved
 * must spend none of the limit, and a limit that is used up ends the pull at once with a message that says what to
 * do. The real registry sits behind the fault proxy, which counts the requests and plays Docker Hub's 429.
 */
class PullLimitTest extends FaultProxyTestSupport {

    @TempDir
    Path work;

    private final RecordingListener log = new RecordingListener();

    @Test
    void aColdBuildGetsTheManifestsAWarmAndAnUnchangedBuildOnlyAskWithHead() throws Exception {
        ImageRequest single = image(proxy.address() + "/" + StandardFixtures.OCI_IMAGE + ":1.0");
        ImageRequest multi = image(proxy.address() + "/" + StandardFixtures.MULTI_OCI + ":1.0", "linux/arm64");

        pull(work.resolve("out"), single, multi);
        assertEquals(List.of("GET multi-oci/1.0", "GET multi-oci/" + fixtures.multiOci().image("linux/arm64").manifestDigest(), "GET oci-image/1.0"),
                manifestRequests(0), "cold: the tags and the chosen platform's manifest");
        assertEquals(3, reportedRequests(work.resolve("out"), "GET manifest"));
        assertEquals(0, reportedRequests(work.resolve("out"), "HEAD manifest"));

        int warm = proxy.requests().size();
        pull(work.resolve("out-warm"), single, multi);
        assertEquals(List.of("HEAD multi-oci/1.0", "HEAD oci-image/1.0"), manifestRequests(warm), "warm: cache full, new output");
        assertEquals(0, reportedRequests(work.resolve("out-warm"), "GET manifest"));
        assertEquals(2, reportedRequests(work.resolve("out-warm"), "HEAD manifest"));

        int unchanged = proxy.requests().size();
        pull(work.resolve("out-warm"), single, multi);
        assertEquals(List.of("HEAD multi-oci/1.0", "HEAD oci-image/1.0"), manifestRequests(unchanged), "unchanged: output as it was");
        assertTrue(proxy.requests().stream().skip(warm).noneMatch(r -> r.path().contains("/blobs/")), "no blob request: " + proxy.requests());
    }

    @Test
    void aTagThatMovedIsFetchedAnewAfterItsHead() throws Exception {
        String repository = "test/moving-tag";
        RegistryPusher pusher = new RegistryPusher(registry.baseUrl());
        TestImage first = TestImage.builder().oci(true).layer(TestLayer.plain("moving-tag/one", 1024)).build();
        TestImage second = TestImage.builder().oci(true).layer(TestLayer.plain("moving-tag/two", 1024)).build();
        pusher.push(repository, "1", first);
        ImageRequest tag = image(proxy.address() + "/" + repository + ":1");
        assertEquals(first.manifestDigest(), pull(work.resolve("out"), tag).get(0).manifestDigest().toString());

        pusher.push(repository, "1", second);
        int from = proxy.requests().size();
        List<PulledImage> moved = pull(work.resolve("out"), tag);

        assertEquals(second.manifestDigest(), moved.get(0).manifestDigest().toString());
        assertEquals(List.of("GET moving-tag/1", "HEAD moving-tag/1"), manifestRequests(from), "one HEAD, which named another digest, and one GET");
    }

    @Test
    void aUsedUpPullLimitEndsAtOnceSayingWhichLimitAndWhatToDo() {
        Rule limited = proxy.add(Rule.onPath("GET", "/v2/test/oci-image/manifests/1.0").always().then(tooManyRequests(null)));
        String reference = proxy.address() + "/" + StandardFixtures.OCI_IMAGE + ":1.0";

        ImagePullException e = assertThrows(ImagePullException.class, () -> pull(work.resolve("out"), image(reference)));

        assertEquals(1, limited.uses(), "not retried into the same wall");
        assertEquals(Reason.RATE_LIMITED, e.reason());
        assertEquals("could not resolve " + reference + " from " + proxy.address() + ": TOOMANYREQUESTS: You have reached your"
                + " unauthenticated pull rate limit (HTTP 429); the registry's pull limit is used up (ratelimit-limit: 100;w=21600,"
                + " ratelimit-remaining: 0;w=21600, counted for 127.0.0.1); this pull asked anonymously (no credentials are"
                + " configured for " + proxy.address() + "), and was not retried", e.getMessage());
        assertTrue(e.messageWithAdvice().endsWith("(log in for a higher limit (credentials for the registry in a settings.xml <server>"
                + " or ~/.docker/config.json), pull through a mirror (<mirrors>), or wait until the registry's window has passed)"),
                e.messageWithAdvice());
        assertEquals(List.of(), log.warnings(), "no retry was announced");
    }

    @Test
    void aUsedUpLimitWhoseRetryAfterIsWithinTheCapIsWaitedFor() throws Exception {
        Rule once = proxy.add(Rule.onPath("GET", "/v2/test/oci-image/manifests/1.0").then(tooManyRequests("1")));
        String reference = proxy.address() + "/" + StandardFixtures.OCI_IMAGE + ":1.0";

        // the cap on a registry's wait is retryMaxDelay: 2 s here, so the 1 s it asks for is waited
        List<PulledImage> pulled = new ImagePuller().pull(new PullRequest(List.of(image(reference)), work.resolve("out"), OutputFormat.OCI,
                Optional.empty(), 4, work.resolve("cache"), Set.of(), CredentialProvider.ANONYMOUS, log)
                .withNetwork(FAST_RETRIES.withRetryDelays(java.time.Duration.ofMillis(10), java.time.Duration.ofSeconds(2))));

        assertEquals(1, once.uses());
        assertEquals(fixtures.ociImage().manifestDigest(), pulled.get(0).manifestDigest().toString());
        assertEquals(1, log.warnings().stream().filter(w -> w.contains("attempt 1 of 5 to resolve") && w.contains("retrying in 1.0 s")).count(),
                log.lines().toString());
    }

    /** Docker Hub's answer over the limit, as its documentation shows it. */
    private static io.github.frozenimages.images.testing.Fault tooManyRequests(String retryAfter) {
        List<HttpHeader> headers = new java.util.ArrayList<>(List.of(
                new HttpHeader("Content-Type", "application/json"),
                new HttpHeader("ratelimit-limit", "100;w=21600"),
                new HttpHeader("ratelimit-remaining", "0;w=21600"),
                new HttpHeader("docker-ratelimit-source", "127.0.0.1")));
        if (retryAfter != null) {
            headers.add(new HttpHeader("Retry-After", retryAfter));
        }
        return Faults.answer(429, headers, ("{\"errors\":[{\"code\":\"TOOMANYREQUESTS\",\"message\":\"You have reached your"
                + " unauthenticated pull rate limit\"}]}").getBytes(StandardCharsets.UTF_8));
    }

    private List<PulledImage> pull(Path out, ImageRequest... images) {
        return new ImagePuller().pull(new PullRequest(List.of(images), out, OutputFormat.OCI, Optional.empty(), 4,
                work.resolve("cache"), Set.of(), CredentialProvider.ANONYMOUS, log).withNetwork(FAST_RETRIES));
    }

    /** The manifest requests the proxy saw from request {@code from} on, as sorted "METHOD repository/reference" (test/ left off). */
    private List<String> manifestRequests(int from) {
        return proxy.requests().stream().skip(from).filter(r -> r.path().contains("/manifests/"))
                .map(r -> r.method() + " " + r.path().replace("/v2/test/", "").replace("/manifests/", "/")).sorted().toList();
    }

    private static int reportedRequests(Path out, String kind) throws IOException {
        JsonNode requests = new ObjectMapper().readTree(PullReport.pathFor(out).toFile()).path("requests");
        int total = 0;
        for (JsonNode registry : requests) {
            total += registry.path(kind).asInt(0);
        }
        return total;
    }
}
