package io.github.frozenimages.images.core;

import io.github.frozenimages.images.core.shared.ImagePullException;
import io.github.frozenimages.images.core.output.PulledImage;
import io.github.frozenimages.images.core.registry.NetworkOptions;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.frozenimages.images.core.shared.ImagePullException.Reason;
import io.github.frozenimages.images.core.auth.CredentialProvider;
import io.github.frozenimages.images.testing.Deliveries;

import io.github.frozenimages.images.testing.Faults;
import io.github.frozenimages.images.testing.HttpHeader;
import io.github.frozenimages.images.testing.ProxyResponse;
import io.github.frozenimages.images.testing.RecordedRequest;
import io.github.frozenimages.images.testing.RecordingListener;
import io.github.frozenimages.images.testing.RegistryPusher;
import io.github.frozenimages.images.testing.Rule;
import io.github.frozenimages.images.testing.Sha256;
import io.github.frozenimages.images.testing.StandardFixtures;
import io.github.frozenimages.images.testing.TestImage;
import io.github.frozenimages.images.testing.TestLayer;
import io.github.frozenimages.images.testing.WireFaults;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.BeforeAll;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The transport faults of the reliability catalogue (§3.3), each injected by the fault proxy in front of the real
 * registry: connection refused, no answer, a body that stalls, is reset, closes early or crawls, ranges ignored or
 * answered wrongly, rate limits with every form of {@code Retry-After}, bursts of 5xx, a persistent 500 with a huge
 * body, statuses that must not be retried, a Content-Length at odds with the descriptor and a corrupted resumed
 * body. Each test asserts the outcome, the WARN lines of the retries, and where it matters what crossed the wire:
 * a resumed 20 MiB layer is never downloaded twice.
 */
@Timeout(120)
class TransportFaultsTest extends FaultProxyTestSupport {

    private static final String BIG = "test/big";
    /** An uncompressed layer of a little over 20 MiB: large enough that a resume visibly saves bytes. */
    private static TestImage big;
    private static TestLayer bigLayer;

    @TempDir
    Path work;

    private final RecordingListener log = new RecordingListener();

    @BeforeAll
    static void pushBigImage() {
        bigLayer = TestLayer.plain("transport-faults/big", 20 * 1024 * 1024);
        big = TestImage.builder().oci(true).layer(bigLayer).build();
        new RegistryPusher(registry.baseUrl()).push(BIG, "1.0", big);
    }

    // ---- connection level ------------------------------------------------------------------------------------

    @Test
    void aRefusedConnectionIsRetriedThenNamesTheRegistryAndTheAttempts() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        String reference = "127.0.0.1:" + port + "/test/oci-image:1.0";

        ImagePullException e = assertThrows(ImagePullException.class, () -> pull(reference, FAST_RETRIES.withAttempts(3)));

        assertEquals(Reason.UNREACHABLE, e.reason(), e.getMessage());
        assertTrue(e.getMessage().startsWith("could not resolve " + reference + " from 127.0.0.1:" + port + ": "), e.getMessage());
        assertMentions(e, "Connect");
        assertTrue(e.getMessage().endsWith("(3 attempts)"), e.getMessage());
        List<String> retries = warningsWith(log, "to resolve " + reference + " from 127.0.0.1:" + port + " failed");
        assertEquals(2, retries.size(), log.lines().toString());
        assertTrue(retries.get(0).contains("attempt 1 of 3 "), retries.get(0));
        assertTrue(retries.get(1).contains("attempt 2 of 3 "), retries.get(1));
        CacheInvariants.assertNoOutput(work.resolve("out"));
    }

    @Test
    void aRegistryThatNeverAnswersTimesOutPerAttemptAndGivesUp() throws Exception {
        Rule silent = proxy.add(Rule.onPath("GET", "/v2/test/oci-image/manifests/1.0").always()
                .then(WireFaults.noAnswer(Duration.ofSeconds(30))));
        long start = System.nanoTime();

        ImagePullException e = assertThrows(ImagePullException.class,
                () -> pull(viaProxy(StandardFixtures.OCI_IMAGE, "1.0"), FAST_RETRIES.withAttempts(2).withTimeout(Duration.ofSeconds(1))));

        long seconds = (System.nanoTime() - start) / 1_000_000_000;
        assertEquals(Reason.UNREACHABLE, e.reason(), e.getMessage());
        assertMentions(e, "could not resolve " + viaProxy(StandardFixtures.OCI_IMAGE, "1.0") + " from " + proxy.address());
        assertMentions(e, "timed out");
        assertTrue(e.getMessage().endsWith("(2 attempts)"), e.getMessage());
        assertEquals(2, silent.uses());
        assertEquals(1, warningsWith(log, "attempt 1 of 2 to resolve").size(), log.lines().toString());
        assertTrue(seconds < 15, "two 1 s timeouts took " + seconds + " s");
        CacheInvariants.assertNoOutput(work.resolve("out"));
    }

    @Test
    void aManifestBodyThatStallsIsFetchedAgainWhole() throws Exception {
        String manifest = "/v2/test/oci-image/manifests/1.0";
        Rule stall = proxy.add(Rule.onPath("GET", manifest).then(WireFaults.stallAfter(100)));

        pull(viaProxy(StandardFixtures.OCI_IMAGE, "1.0"), FAST_RETRIES.withTimeout(Duration.ofSeconds(1)));

        assertEquals(1, stall.uses());
        assertEquals(2, requestsFor(manifest).size());
        List<String> retries = warningsWith(log, "reading the manifest of " + viaProxy(StandardFixtures.OCI_IMAGE, "1.0") + " broke off");
        assertEquals(1, retries.size(), log.lines().toString());
        assertTrue(retries.get(0).contains("timed out"), retries.get(0));
        assertPulledIntact(fixtures.ociImage().manifestDigest());
    }

    // ---- broken bodies and resume ------------------------------------------------------------------------------

    @Test
    void aBodyStalledMidwayTimesOutAndResumesWhereItStoppedWithoutFetchingAByteTwice() throws Exception {
        long stallAt = 8L * 1024 * 1024;
        Rule stall = proxy.add(Rule.onPath("GET", bigBlob()).then(WireFaults.stallAfter(stallAt)));

        pull(viaProxy(BIG, "1.0"), FAST_RETRIES.withTimeout(Duration.ofSeconds(2)));

        assertEquals(1, stall.uses());
        List<RecordedRequest> gets = requestsFor(bigBlob());
        assertEquals(2, gets.size(), gets.toString());
        assertEquals(Optional.empty(), gets.get(0).header("Range"));
        assertEquals(Optional.of("bytes=" + stallAt + "-"), gets.get(1).header("Range"));
        assertEquals(206, gets.get(1).status());
        assertEquals(bigLayer.size(), proxy.bytesSent(bigBlob()), "the resumed 20 MiB layer crossed the wire once");
        List<String> resumes = warningsWith(log, "broke off at byte " + stallAt + " of " + bigLayer.size());
        assertEquals(1, resumes.size(), log.lines().toString());
        assertTrue(resumes.get(0).contains("timed out"), resumes.get(0));
        assertPulledIntact(bigLayer.digest());
    }

    @Test
    void aSlowButMovingDownloadNeverHitsTheIdleTimeout() throws Exception {
        // 20 MiB at 8 MiB/s: about 2.5 s, more than twice the 1 s idle timeout, but never 1 s without a byte
        Rule slow = proxy.add(Rule.onPath("GET", bigBlob()).then(WireFaults.throttled(8 * 1024 * 1024, 64 * 1024)));
        long start = System.nanoTime();

        pull(viaProxy(BIG, "1.0"), FAST_RETRIES.withTimeout(Duration.ofSeconds(1)));

        long millis = (System.nanoTime() - start) / 1_000_000;
        assertEquals(1, slow.uses());
        assertEquals(1, requestsFor(bigBlob()).size(), "no retry: " + requestsFor(bigBlob()));
        assertEquals(List.of(), log.warnings(), "nothing was retried or resumed");
        assertTrue(millis >= 2_000, "the throttled download took only " + millis + " ms, so it proves nothing");
        assertEquals(bigLayer.size(), proxy.bytesSent(bigBlob()));
        assertPulledIntact(bigLayer.digest());
    }

    @Test
    void aBodyCutByAResetIsResumedFromTheBytesThatArrived() throws Exception {
        long cut = 6L * 1024 * 1024;
        Rule reset = proxy.add(Rule.onPath("GET", bigBlob()).then(WireFaults.resetAfter(cut)));

        pull(viaProxy(BIG, "1.0"), FAST_RETRIES);

        assertEquals(1, reset.uses());
        List<RecordedRequest> gets = requestsFor(bigBlob());
        assertEquals(2, gets.size(), gets.toString());
        long resumedAt = rangeStart(gets.get(1));
        assertTrue(resumedAt > 0 && resumedAt <= cut, "resumed at " + resumedAt);
        assertEquals(206, gets.get(1).status());
        assertEquals(cut + bigLayer.size() - resumedAt, proxy.bytesSent(bigBlob()),
                "the reset body, then exactly the missing part");
        assertEquals(1, warningsWith(log, "broke off at byte " + resumedAt + " of " + bigLayer.size()).size(), log.lines().toString());
        assertPulledIntact(bigLayer.digest());
    }

    @Test
    void aBodyEndingEarlyOnACleanCloseIsResumed() throws Exception {
        int cut = 5 * 1024 * 1024;
        Rule close = proxy.add(Rule.onPath("GET", bigBlob()).then(Faults.truncateBody(cut)));

        pull(viaProxy(BIG, "1.0"), FAST_RETRIES);

        assertEquals(1, close.uses());
        List<RecordedRequest> gets = requestsFor(bigBlob());
        assertEquals(List.of(Optional.<String>empty(), Optional.of("bytes=" + cut + "-")), gets.stream().map(r -> r.header("Range")).toList());
        assertEquals(bigLayer.size(), proxy.bytesSent(bigBlob()), "not a byte twice");
        List<String> resumes = warningsWith(log, "broke off at byte " + cut + " of " + bigLayer.size());
        assertEquals(1, resumes.size(), log.lines().toString());
        assertTrue(resumes.get(0).contains("Premature end of Content-Length delimited message body"), resumes.get(0));
        assertPulledIntact(bigLayer.digest());
    }

    @Test
    void aConnectionDyingAlwaysAtTheSamePlaceEndsAfterThreeAttemptsWithoutProgress() throws Exception {
        long place = 3L * 1024 * 1024;
        // every answer, whole or ranged, is reset when the download reaches byte 3 MiB of the blob
        Rule dies = proxy.add(Rule.onPath("GET", bigBlob()).always().then((request, upstream) -> {
            long start = request.header("Range").map(r -> Long.parseLong(r.replaceAll("[^0-9]", ""))).orElse(0L);
            return upstream.forward(request).withDelivery(Deliveries.resetAfter(Math.max(0, place - start)));
        }));
        long start = System.nanoTime();

        // images.retries=3: three attempts in a row without a new byte end the download
        ImagePullException e = assertThrows(ImagePullException.class, () -> pull(viaProxy(BIG, "1.0"), FAST_RETRIES.withAttempts(3)));

        assertEquals(Reason.UNREACHABLE, e.reason(), e.getMessage());
        assertMentions(e, "(" + bigLayer.digest() + ")");
        assertMentions(e, " from " + proxy.address() + ": ");
        assertMentions(e, "the download broke off 3 times at byte " + place + " of " + bigLayer.size() + " without progress");
        // the first download and three resumes that brought nothing (one more if the reset swallowed bytes in flight)
        assertTrue(dies.uses() >= 4 && dies.uses() <= 6, "requests: " + dies.uses());
        assertTrue((System.nanoTime() - start) / 1_000_000_000 < 30, "no endless loop");
        CacheInvariants.assertNoOutput(work.resolve("out"));
        CacheInvariants.assertCacheSound(work.resolve("cache"), this::contentOf);
    }

    @Test
    void aServerIgnoringRangeGetsTheWholeBodyTakenFromZeroNeverAppended() throws Exception {
        int cut = 5 * 1024 * 1024;
        proxy.add(Rule.onPath("GET", bigBlob()).then(Faults.truncateBody(cut)));
        Rule noRanges = proxy.add(Rule.onPath("GET", bigBlob()).then(WireFaults.ignoreRange()));

        pull(viaProxy(BIG, "1.0"), FAST_RETRIES);

        assertEquals(1, noRanges.uses());
        List<RecordedRequest> gets = requestsFor(bigBlob());
        assertEquals(2, gets.size(), gets.toString());
        assertEquals(Optional.of("bytes=" + cut + "-"), gets.get(1).header("Range"), "the client asked for the rest");
        assertEquals(200, gets.get(1).status(), "and got the whole blob");
        assertEquals(cut + bigLayer.size(), proxy.bytesSent(bigBlob()));
        assertPulledIntact(bigLayer.digest());
    }

    static Stream<Arguments> wrongContentRanges() {
        long n = 5L * 1024 * 1024;
        long size = bigLayerSize();
        return Stream.of(
                Arguments.of("a range starting elsewhere", (UnaryOperator<String>) real -> "bytes " + (n + 1) + "-" + (size - 1) + "/" + size),
                Arguments.of("an unsatisfied-range form", (UnaryOperator<String>) real -> "bytes */" + size),
                Arguments.of("a range ending before the blob does", (UnaryOperator<String>) real -> "bytes " + n + "-" + (size - 2) + "/" + size),
                Arguments.of("another total size", (UnaryOperator<String>) real -> "bytes " + n + "-" + (size - 1) + "/" + (size + 1)),
                Arguments.of("non-numeric values", (UnaryOperator<String>) real -> "bytes " + n + "-end/all"),
                Arguments.of("another unit", (UnaryOperator<String>) real -> real.replace("bytes", "items")),
                Arguments.of("no Content-Range at all", null));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("wrongContentRanges")
    void aResumeAnsweredWithAWrongContentRangeIsNotSplicedButRestartedFromZero(String what, UnaryOperator<String> contentRange)
            throws Exception {
        int cut = 5 * 1024 * 1024;
        proxy.add(Rule.onPath("GET", bigBlob()).then(Faults.truncateBody(cut)));
        Rule wrong = proxy.add(Rule.onPath("GET", bigBlob()).then(contentRange == null
                ? Faults.rewrite(r -> r.withoutHeader("Content-Range")) : WireFaults.rewriteContentRange(contentRange)));

        pull(viaProxy(BIG, "1.0"), FAST_RETRIES);

        assertEquals(1, wrong.uses());
        List<RecordedRequest> gets = requestsFor(bigBlob());
        assertEquals(3, gets.size(), "the cut body, the refused range, then the whole blob again: " + gets);
        assertEquals(Optional.of("bytes=" + cut + "-"), gets.get(1).header("Range"));
        assertEquals(Optional.empty(), gets.get(2).header("Range"), "the restart asks for the whole blob");
        List<String> restarts = warningsWith(log, "fetching it again from the start: the registry answered a request for bytes " + cut + "-");
        assertEquals(1, restarts.size(), log.lines().toString());
        assertPulledIntact(bigLayer.digest());
    }

    @Test
    void aCorruptedResumedBodyIsDiscardedAndFetchedOnceMoreFromZero() throws Exception {
        int cut = 5 * 1024 * 1024;
        proxy.add(Rule.onPath("GET", bigBlob()).then(Faults.truncateBody(cut)));
        Rule corrupt = proxy.add(Rule.onPath("GET", bigBlob()).then(Faults.flipByte(1000)));

        pull(viaProxy(BIG, "1.0"), FAST_RETRIES);

        assertEquals(1, corrupt.uses());
        List<RecordedRequest> gets = requestsFor(bigBlob());
        assertEquals(3, gets.size(), gets.toString());
        assertEquals(Optional.empty(), gets.get(2).header("Range"), "after a mismatch the download starts from zero");
        assertEquals(2 * bigLayer.size(), proxy.bytesSent(bigBlob()), "the broken download once, then the blob once");
        byte[] served = bigLayer.blob();
        served[cut + 1000] = (byte) ~served[cut + 1000];
        List<String> restarts = warningsWith(log, "the content hashes to " + Sha256.digest(served) + ", expected " + bigLayer.digest());
        assertEquals(1, restarts.size(), log.lines().toString());
        assertPulledIntact(bigLayer.digest());
    }

    @Test
    void aChunkedBlobWithoutContentLengthIsTakenAndCheckedAtItsEnd() throws Exception {
        Rule chunked = proxy.add(Rule.onPath("GET", bigBlob()).then(Faults.rewrite(ProxyResponse::chunked)));

        pull(viaProxy(BIG, "1.0"), FAST_RETRIES);

        assertEquals(1, chunked.uses());
        assertEquals(1, requestsFor(bigBlob()).size());
        assertEquals(bigLayer.size(), proxy.bytesSent(bigBlob()));
        assertEquals(List.of(), log.warnings());
        assertPulledIntact(bigLayer.digest());
    }

    @Test
    void aContentLengthShorterThanTheDescriptorIsRefusedBeforeTheBodyIsRead() throws Exception {
        TestLayer layer = fixtures.ociImage().layers().get(1);
        String path = "/v2/test/oci-image/blobs/" + layer.digest();
        byte[] shorter = java.util.Arrays.copyOf(layer.blob(), (int) layer.size() - 10);
        Rule rule = proxy.add(Rule.onPath("GET", path).then(Faults.replaceBody(shorter)));

        ImagePullException e = assertThrows(ImagePullException.class, () -> pull(viaProxy(StandardFixtures.OCI_IMAGE, "1.0"), FAST_RETRIES));

        assertEquals(Reason.PROTOCOL, e.reason(), e.getMessage());
        assertMentions(e, "(" + layer.digest() + ")");
        assertMentions(e, "the registry announces " + (layer.size() - 10) + " bytes, the manifest declares " + layer.size());
        assertEquals(1, rule.uses());
        assertEquals(1, requestsFor(path).size(), "a refusal is final, not retried");
        CacheInvariants.assertNoOutput(work.resolve("out"));
        CacheInvariants.assertCacheSound(work.resolve("cache"));
    }

    // ---- statuses ------------------------------------------------------------------------------------------------

    @ParameterizedTest(name = "HTTP {0}")
    @ValueSource(ints = {408, 429, 500, 502, 503, 504})
    void aTransientStatusIsRetriedWithGrowingBackoffAndLoggedAtWarn(int status) throws Exception {
        List<Long> arrivals = new CopyOnWriteArrayList<>();
        String manifest = "/v2/test/oci-image/manifests/1.0";
        Rule burst = proxy.add(Rule.onPath("GET", manifest).times(2)
                .then(WireFaults.timed(WireFaults.status(status, "INJECTED", null), arrivals)));
        proxy.add(Rule.onPath("GET", manifest).then(WireFaults.timed(Faults.passThrough(), arrivals)));

        pull(viaProxy(StandardFixtures.OCI_IMAGE, "1.0"), FAST_RETRIES.withRetryDelays(Duration.ofMillis(150), Duration.ofSeconds(5)));

        assertEquals(2, burst.uses());
        assertEquals(3, arrivals.size());
        List<String> retries = warningsWith(log, "to resolve " + viaProxy(StandardFixtures.OCI_IMAGE, "1.0") + " from " + proxy.address() + " failed");
        assertEquals(2, retries.size(), log.lines().toString());
        assertTrue(retries.get(0).contains("attempt 1 of 5 ") && retries.get(0).contains("INJECTED: injected by the fault proxy (HTTP " + status + ")"),
                retries.get(0));
        assertTrue(retries.get(1).contains("attempt 2 of 5 "), retries.get(1));
        long first = arrivals.get(1) - arrivals.get(0);
        long second = arrivals.get(2) - arrivals.get(1);
        // 150 ms then 300 ms, each +-20 % jitter: the second wait is always the longer
        assertTrue(first >= 100_000_000L, "first wait " + first / 1_000_000 + " ms");
        assertTrue(second > first, "backoff grows: " + first / 1_000_000 + " ms then " + second / 1_000_000 + " ms");
        assertPulledIntact(fixtures.ociImage().manifestDigest());
    }

    @Test
    void aBlobAnswering502OnceIsFetchedOnTheSecondAttempt() throws Exception {
        TestLayer layer = fixtures.ociImage().layers().get(0);
        String path = "/v2/test/oci-image/blobs/" + layer.digest();
        Rule once = proxy.add(Rule.onPath("GET", path).then(WireFaults.status(502, "BAD_GATEWAY", null)));

        pull(viaProxy(StandardFixtures.OCI_IMAGE, "1.0"), FAST_RETRIES);

        assertEquals(1, once.uses());
        assertEquals(List.of(502, 200), requestsFor(path).stream().map(RecordedRequest::status).toList());
        assertEquals(1, warningsWith(log, "attempt 1 of 5 to fetch layer").size(), log.lines().toString());
        assertPulledIntact(layer.digest());
    }

    static Stream<Arguments> retryAfterValues() {
        return Stream.of(
                Arguments.of("1 second", "1", 900, 2_500, "retrying in 1.0 s"),
                Arguments.of("an HTTP date 2 s ahead", null, 900, 3_000, "retrying in "),
                Arguments.of("an absurd 86400 s, capped", "86400", 1_900, 4_000, "retrying in 2.0 s"),
                Arguments.of("garbage, so the backoff", "soon-ish", 0, 900, "retrying in 0.0 s"),
                Arguments.of("a date in the past, so the backoff", "Thu, 01 Jan 1970 00:00:00 GMT", 0, 900, "retrying in 0.0 s"));
    }

    @ParameterizedTest(name = "Retry-After: {0}")
    @MethodSource("retryAfterValues")
    void a429IsRetriedAfterTheRegistrysRetryAfterUpToTheCap(String what, String retryAfter, long minMillis, long maxMillis,
                                                           String logged) throws Exception {
        List<Long> arrivals = new CopyOnWriteArrayList<>();
        String manifest = "/v2/test/oci-image/manifests/1.0";
        String value = retryAfter != null ? retryAfter : WireFaults.httpDate(Duration.ofSeconds(2));
        proxy.add(Rule.onPath("GET", manifest).then(WireFaults.timed(WireFaults.status(429, "TOOMANYREQUESTS", value), arrivals)));
        proxy.add(Rule.onPath("GET", manifest).then(WireFaults.timed(Faults.passThrough(), arrivals)));

        // the cap on a registry's wait is retryMaxDelay: 2 s here
        pull(viaProxy(StandardFixtures.OCI_IMAGE, "1.0"), FAST_RETRIES.withRetryDelays(Duration.ofMillis(10), Duration.ofSeconds(2)));

        assertEquals(2, arrivals.size());
        long waited = (arrivals.get(1) - arrivals.get(0)) / 1_000_000;
        assertTrue(waited >= minMillis && waited <= maxMillis, "waited " + waited + " ms for Retry-After: " + value);
        List<String> retries = warningsWith(log, "attempt 1 of 5 to resolve");
        assertEquals(1, retries.size(), log.lines().toString());
        assertTrue(retries.get(0).contains("TOOMANYREQUESTS") && retries.get(0).contains("(HTTP 429)") && retries.get(0).contains(logged),
                retries.get(0));
        assertPulledIntact(fixtures.ociImage().manifestDigest());
    }

    @Test
    void aRateLimitThatNeverLiftsEndsWithTheStatusAndTheNumberOfAttempts() throws Exception {
        Rule limited = proxy.add(Rule.onPath("GET", "/v2/test/oci-image/manifests/1.0").always()
                .then(WireFaults.status(429, "TOOMANYREQUESTS", "0")));

        ImagePullException e = assertThrows(ImagePullException.class, () -> pull(viaProxy(StandardFixtures.OCI_IMAGE, "1.0"), FAST_RETRIES));

        assertEquals(5, limited.uses());
        assertMentions(e, "could not resolve " + viaProxy(StandardFixtures.OCI_IMAGE, "1.0") + " from " + proxy.address());
        assertMentions(e, "TOOMANYREQUESTS: injected by the fault proxy (HTTP 429) after 5 attempts");
        assertEquals(4, warningsWith(log, "to resolve").size(), log.lines().toString());
        CacheInvariants.assertNoOutput(work.resolve("out"));
    }

    @Test
    void aPersistent500WithAHugeBodyIsReadOnlyAsFarAsTheMessageNeeds() throws Exception {
        long huge = 50L * 1024 * 1024;
        String manifest = "/v2/test/oci-image/manifests/1.0";
        Rule failing = proxy.add(Rule.onPath("GET", manifest).always().then(WireFaults.statusWithHugeBody(500, huge)));
        long start = System.nanoTime();

        ImagePullException e = assertThrows(ImagePullException.class, () -> pull(viaProxy(StandardFixtures.OCI_IMAGE, "1.0"), FAST_RETRIES));

        assertEquals(5, failing.uses());
        assertEquals(Reason.PROTOCOL, e.reason(), e.getMessage());
        assertMentions(e, "internal error, please try again later");
        assertMentions(e, "(HTTP 500) after 5 attempts");
        assertTrue(e.getMessage().length() < 600, "the body is quoted in a short excerpt: " + e.getMessage().length() + " chars");
        assertTrue(proxy.bytesSent(manifest) < huge, "five 50 MiB bodies, of which the client took " + proxy.bytesSent(manifest) + " bytes");
        assertTrue((System.nanoTime() - start) / 1_000_000_000 < 20, "bounded time");
        CacheInvariants.assertNoOutput(work.resolve("out"));
    }

    static Stream<Arguments> finalStatuses() {
        return Stream.of(
                Arguments.of(400, "MANIFEST_INVALID", Reason.PROTOCOL),
                Arguments.of(401, "UNAUTHORIZED", Reason.DENIED),
                Arguments.of(403, "DENIED", Reason.DENIED),
                Arguments.of(404, "MANIFEST_UNKNOWN", Reason.NOT_FOUND),
                Arguments.of(404, "NAME_UNKNOWN", Reason.NOT_FOUND),
                Arguments.of(405, "UNSUPPORTED", Reason.PROTOCOL));
    }

    @ParameterizedTest(name = "HTTP {0} {1}")
    @MethodSource("finalStatuses")
    void aFinalStatusIsNotRetriedAndItsCodeIsQuoted(int status, String code, Reason reason) throws Exception {
        String manifest = "/v2/test/oci-image/manifests/1.0";
        Rule rule = proxy.add(Rule.onPath("GET", manifest).always().then(WireFaults.status(status, code, "0")));

        ImagePullException e = assertThrows(ImagePullException.class, () -> pull(viaProxy(StandardFixtures.OCI_IMAGE, "1.0"), FAST_RETRIES));

        assertEquals(1, rule.uses(), "one attempt only");
        assertEquals(reason, e.reason(), e.getMessage());
        assertMentions(e, "could not resolve " + viaProxy(StandardFixtures.OCI_IMAGE, "1.0") + " from " + proxy.address() + ": ");
        assertMentions(e, code + ": injected by the fault proxy (HTTP " + status + ")");
        assertFalse(e.getMessage().contains("attempts"), e.getMessage());
        assertEquals(List.of(), log.warnings());
        CacheInvariants.assertNoOutput(work.resolve("out"));
    }

    @Test
    void aMissingBlobIsNotRetried() throws Exception {
        TestLayer layer = fixtures.ociImage().layers().get(1);
        String path = "/v2/test/oci-image/blobs/" + layer.digest();
        Rule rule = proxy.add(Rule.onPath("GET", path).always().then(WireFaults.status(404, "BLOB_UNKNOWN", null)));

        ImagePullException e = assertThrows(ImagePullException.class, () -> pull(viaProxy(StandardFixtures.OCI_IMAGE, "1.0"), FAST_RETRIES));

        assertEquals(1, rule.uses());
        assertEquals(Reason.NOT_FOUND, e.reason(), e.getMessage());
        assertMentions(e, "(" + layer.digest() + ")");
        assertMentions(e, "BLOB_UNKNOWN: injected by the fault proxy (HTTP 404)");
        CacheInvariants.assertNoOutput(work.resolve("out"));
        CacheInvariants.assertCacheSound(work.resolve("cache"));
    }

    @Test
    void a401AfterAFreshTokenIsFinal() throws Exception {
        try (StubTokenService tokens = new StubTokenService(300)) {
            String manifest = "/v2/test/oci-image/manifests/1.0";
            Rule refused = proxy.add(Rule.onPath("GET", manifest).always().then(Faults.answer(401, List.of(
                    new HttpHeader("Content-Type", "application/json"),
                    new HttpHeader("WWW-Authenticate", "Bearer realm=\"" + tokens.realm() + "\",service=\"test\"")),
                    "{\"errors\":[{\"code\":\"UNAUTHORIZED\",\"message\":\"token refused\"}]}".getBytes(java.nio.charset.StandardCharsets.UTF_8))));

            ImagePullException e = assertThrows(ImagePullException.class, () -> pull(viaProxy(StandardFixtures.OCI_IMAGE, "1.0"), FAST_RETRIES));

            assertEquals(Reason.DENIED, e.reason(), e.getMessage());
            assertMentions(e, "UNAUTHORIZED: token refused (HTTP 401)");
            assertEquals(2, refused.uses(), "the anonymous request, then one with a fresh token, and no more");
            assertEquals(1, tokens.requests().size(), "one token fetched");
            List<RecordedRequest> gets = requestsFor(manifest);
            assertTrue(gets.get(1).hasAuthorization(), "the second request carried the token");
            CacheInvariants.assertNoOutput(work.resolve("out"));
        }
    }

    // ---- helpers ---------------------------------------------------------------------------------------------

    private List<PulledImage> pull(String reference, NetworkOptions network) {
        return new ImagePuller().pull(new PullRequest(List.of(image(reference)), work.resolve("out"), OutputFormat.OCI, Optional.empty(), 4,
                work.resolve("cache"), Set.of(), CredentialProvider.ANONYMOUS, log).withNetwork(network));
    }

    private String viaProxy(String repository, String tag) {
        return proxy.address() + "/" + repository + ":" + tag;
    }

    private static String bigBlob() {
        return "/v2/" + BIG + "/blobs/" + bigLayer.digest();
    }

    private static long bigLayerSize() {
        return bigLayer.size();
    }

    private List<RecordedRequest> requestsFor(String path) {
        return proxy.requests().stream().filter(r -> r.path().equals(path)).toList();
    }

    private static long rangeStart(RecordedRequest request) {
        Matcher m = Pattern.compile("bytes=(\\d+)-").matcher(request.header("Range").orElse(""));
        assertTrue(m.matches(), "not a resume: " + request.header("Range"));
        return Long.parseLong(m.group(1));
    }

    private byte[] contentOf(String digest) {
        return bigLayer.digest().equals(digest) ? bigLayer.blob() : null;
    }

    /** The output holds the blob, every blob in it and in the cache is what its name says, and the cache is sound. */
    private void assertPulledIntact(String digest) throws Exception {
        List<String> written = blobNamesCheckingContent(work.resolve("out"));
        assertTrue(written.contains(digest), digest + " missing from " + written);
        CacheInvariants.assertNoTempSiblings(work.resolve("out"));
        CacheInvariants.assertCacheSound(work.resolve("cache"));
    }

    /** The WARN lines containing {@code text}. */
    static List<String> warningsWith(RecordingListener log, String text) {
        return log.warnings().stream().filter(w -> w.contains(text)).toList();
    }

    private static void assertMentions(Exception e, String text) {
        assertTrue(e.getMessage().contains(text), "expected \"" + text + "\" in: " + e.getMessage());
    }
}
