package io.github.frozenimages.images.core;

import io.github.frozenimages.images.core.shared.ImagePullException;
import io.github.frozenimages.images.core.output.PulledImage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.frozenimages.images.core.shared.ImagePullException.Reason;

import io.github.frozenimages.images.testing.Faults;
import io.github.frozenimages.images.testing.HttpHeader;
import io.github.frozenimages.images.testing.ProxyResponse;
import io.github.frozenimages.images.testing.RecordedRequest;
import io.github.frozenimages.images.testing.Rule;
import io.github.frozenimages.images.testing.Sha256;
import io.github.frozenimages.images.testing.StandardFixtures;
import io.github.frozenimages.images.testing.TestImage;
import io.github.frozenimages.images.testing.TestLayer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bytes other than the ones the image names, served through a fault proxy in front of the real registry: each
 * pull fails with a message naming the image, the registry and the digest, and keeps nothing of the bad bytes (no
 * output, no blob of that digest, no partial file other than a true prefix kept for resuming). Once the fault's
 * budget is spent, the same pull with the same cache succeeds, so nothing corrupt was kept. A blob that fails
 * verification is fetched once more from zero before the failure is final, so blob faults apply twice.
 */
@Timeout(120)
class VerificationTest extends FaultProxyTestSupport {

    /** More than the loopback socket buffers hold (tcp_rmem allows 32 MiB), so a client that stops reading cannot receive it all. */
    private static final int LOTS_OF_EXTRA_BYTES = 64 * 1024 * 1024;

    @TempDir
    Path work;

    @Test
    void aManifestWithAnotherDockerContentDigestIsRefused() throws Exception {
        TestImage oci = fixtures.ociImage();
        String wrong = Sha256.digest("some other manifest".getBytes(StandardCharsets.UTF_8));
        Rule rule = proxy.add(Rule.onPath("GET", "/v2/test/oci-image/manifests/1.0")
                .then(Faults.replaceHeader("Docker-Content-Digest", wrong)));

        ImagePullException e = pullFails(viaProxy(StandardFixtures.OCI_IMAGE, "1.0"));

        assertEquals(Reason.DIGEST_MISMATCH, e.reason(), e.getMessage());
        assertNames(e, viaProxy(StandardFixtures.OCI_IMAGE, "1.0"), wrong);
        assertMentions(e, "Docker-Content-Digest says " + wrong + " but the content hashes to " + oci.manifestDigest());
        assertEquals(1, rule.uses());
        assertNothingKept(wrong, oci.manifestDigest());
        assertTheSamePullNowSucceeds(viaProxy(StandardFixtures.OCI_IMAGE, "1.0"), oci.manifestDigest());
    }

    @Test
    void aManifestPinnedByDigestWithAFlippedByteIsRefused() throws Exception {
        TestImage oci = fixtures.ociImage();
        String pinned = viaProxy(StandardFixtures.OCI_IMAGE, oci.manifestDigest());
        // the registry's Docker-Content-Digest stays right: only hashing the body can tell
        Rule rule = proxy.add(Rule.onPath("GET", "/v2/test/oci-image/manifests/" + oci.manifestDigest()).then(Faults.flipByte(10)));

        ImagePullException e = pullFails(pinned);

        assertEquals(Reason.DIGEST_MISMATCH, e.reason(), e.getMessage());
        assertNames(e, pinned, oci.manifestDigest());
        assertMentions(e, "served content with digest " + Sha256.digest(Faults.flipped(oci.manifestBytes(), 10)));
        assertEquals(1, rule.uses());
        assertNothingKept(oci.manifestDigest());
        assertTheSamePullNowSucceeds(pinned, oci.manifestDigest());
    }

    @Test
    void aLayerWithAFlippedByteIsRefused() throws Exception {
        TestLayer layer = lastLayerOfTheOciImage();
        // a blob that fails verification is fetched once more from zero: both attempts get the bad byte
        Rule rule = proxy.add(Rule.onPath("GET", blobPath(layer.digest())).times(2).then(Faults.flipByte(100)));

        ImagePullException e = pullFails(viaProxy(StandardFixtures.OCI_IMAGE, "1.0"));

        assertEquals(Reason.DIGEST_MISMATCH, e.reason(), e.getMessage());
        assertNames(e, viaProxy(StandardFixtures.OCI_IMAGE, "1.0"), layer.digest());
        assertMentions(e, "the content hashes to " + Sha256.digest(Faults.flipped(layer.blob(), 100)) + ", expected " + layer.digest());
        assertEquals(2, rule.uses());
        assertEquals(2, requestsFor(blobPath(layer.digest())), "one download and one fresh retry");
        assertNothingKept(layer.digest());
        assertNoPartialOf(layer.digest());
        assertTheSamePullNowSucceeds(viaProxy(StandardFixtures.OCI_IMAGE, "1.0"), layer.digest());
    }

    @Test
    void aLayerWhoseContentLengthDisagreesWithItsDescriptorIsRefusedOnItsHeaders() throws Exception {
        TestLayer layer = lastLayerOfTheOciImage();
        long announced = layer.size() + 1000;
        Rule rule = proxy.add(Rule.onPath("GET", blobPath(layer.digest())).then(Faults.appendBytes(new byte[1000])));

        ImagePullException e = pullFails(viaProxy(StandardFixtures.OCI_IMAGE, "1.0"));

        // BlobFetcher compares Content-Length with the descriptor before reading the body
        assertEquals(Reason.PROTOCOL, e.reason(), e.getMessage());
        assertNames(e, viaProxy(StandardFixtures.OCI_IMAGE, "1.0"), layer.digest());
        assertMentions(e, "the registry announces " + announced + " bytes, the manifest declares " + layer.size());
        assertEquals(1, rule.uses());
        assertNothingKept(layer.digest());
        assertNoByteKeptOf(layer.digest());
        assertTheSamePullNowSucceeds(viaProxy(StandardFixtures.OCI_IMAGE, "1.0"), layer.digest());
    }

    @Test
    void aLayerWithExtraBytesAndNoContentLengthIsCutOffAfterItsDeclaredSize() throws Exception {
        TestLayer layer = lastLayerOfTheOciImage();
        // chunked, so only the store's own count (at most size + 1 bytes read) can notice
        Rule rule = proxy.add(Rule.onPath("GET", blobPath(layer.digest())).times(2)
                .then(Faults.appendBytes(new byte[1000]).andThen(ProxyResponse::chunked)));

        ImagePullException e = pullFails(viaProxy(StandardFixtures.OCI_IMAGE, "1.0"));

        assertEquals(Reason.DIGEST_MISMATCH, e.reason(), e.getMessage());
        assertNames(e, viaProxy(StandardFixtures.OCI_IMAGE, "1.0"), layer.digest());
        assertMentions(e, "received more than the " + layer.size() + " bytes the descriptor declares");
        assertEquals(2, rule.uses());
        assertNothingKept(layer.digest());
        assertNoPartialOf(layer.digest());
        assertTheSamePullNowSucceeds(viaProxy(StandardFixtures.OCI_IMAGE, "1.0"), layer.digest());
    }

    @Test
    void aRefusedLayerIsNotDownloadedToTheEnd() {
        TestLayer layer = lastLayerOfTheOciImage();
        String path = blobPath(layer.digest());
        long longer = layer.size() + LOTS_OF_EXTRA_BYTES;
        // refused for its Content-Length, before the body is read
        proxy.add(Rule.onPath("GET", path).then(Faults.appendBytes(new byte[LOTS_OF_EXTRA_BYTES])));
        assertEquals(Reason.PROTOCOL, pullFails(viaProxy(StandardFixtures.OCI_IMAGE, "1.0")).reason());
        assertClientStoppedReading(path, 0, longer);

        // refused by the store after size + 1 bytes
        long sentBefore = proxy.bytesSent(path);
        proxy.add(Rule.onPath("GET", path).times(2).then(Faults.appendBytes(new byte[LOTS_OF_EXTRA_BYTES]).andThen(ProxyResponse::chunked)));
        assertEquals(Reason.DIGEST_MISMATCH, pullFails(viaProxy(StandardFixtures.OCI_IMAGE, "1.0")).reason());
        assertClientStoppedReading(path, sentBefore, longer);
    }

    @Test
    void aLayerWhoseTransferBreaksOffOnceIsResumedWhereItStopped() throws Exception {
        TestLayer layer = lastLayerOfTheOciImage();
        String path = blobPath(layer.digest());
        int half = (int) layer.size() / 2;
        // the full Content-Length is announced, then the connection closes after half the body
        Rule rule = proxy.add(Rule.onPath("GET", path).then(Faults.truncateBody(half)));

        pull(work, OutputFormat.OCI, image(viaProxy(StandardFixtures.OCI_IMAGE, "1.0")));

        assertEquals(1, rule.uses());
        List<RecordedRequest> gets = proxy.requests().stream().filter(r -> r.path().equals(path)).toList();
        assertEquals(2, gets.size(), gets.toString());
        assertEquals(Optional.empty(), gets.get(0).header("Range"));
        assertEquals(Optional.of("bytes=" + half + "-"), gets.get(1).header("Range"));
        assertEquals(206, gets.get(1).status());
        assertEquals(layer.size(), proxy.bytesSent(path), "no byte of the layer crossed the wire twice");
        assertTrue(blobNamesCheckingContent(work.resolve("out")).contains(layer.digest()));
        assertNoPartialOf(layer.digest());
    }

    @Test
    void aLayerWhoseTransferKeepsBreakingOffFailsAndKeepsOnlyAResumablePrefix() throws Exception {
        TestLayer layer = lastLayerOfTheOciImage();
        String path = blobPath(layer.digest());
        int half = (int) layer.size() / 2;
        Rule first = proxy.add(Rule.onPath("GET", path).then(Faults.truncateBody(half)));
        // every resume gets its headers and then a closed connection: no progress, so the download gives up
        Rule resumes = proxy.add(Rule.onPath("GET", path).times(3).then(Faults.truncateBody(0)));

        // images.retries=3: three attempts in a row without a new byte end the download
        ImagePullException e = assertThrows(ImagePullException.class, () -> new ImagePuller().pull(request(work, OutputFormat.OCI,
                Optional.empty(), List.of(image(viaProxy(StandardFixtures.OCI_IMAGE, "1.0")))).withNetwork(FAST_RETRIES.withAttempts(3))));

        assertEquals(Reason.UNREACHABLE, e.reason(), e.getMessage());
        assertNames(e, viaProxy(StandardFixtures.OCI_IMAGE, "1.0"), layer.digest());
        assertMentions(e, "the download broke off 3 times at byte " + half + " of " + layer.size() + " without progress");
        assertMentions(e, "Premature end of Content-Length delimited message body");
        assertEquals(1, first.uses());
        assertEquals(3, resumes.uses());
        assertNothingKept(layer.digest());
        // kept on purpose, so that the next build continues instead of starting over
        assertEquals(half, Files.size(partialOf(layer.digest())), "the partial file holds what arrived");

        long sentBefore = proxy.bytesSent(path);
        assertTheSamePullNowSucceeds(viaProxy(StandardFixtures.OCI_IMAGE, "1.0"), layer.digest());
        RecordedRequest resumed = proxy.requests().get(proxy.requests().size() - 1);
        assertEquals(path, resumed.path(), "the layer was the last request");
        assertEquals(Optional.of("bytes=" + half + "-"), resumed.header("Range"));
        assertEquals(layer.size() - half, proxy.bytesSent(path) - sentBefore, "the next pull fetched only the missing half");
    }

    @Test
    void aConfigWithAFlippedByteIsRefused() throws Exception {
        TestImage oci = fixtures.ociImage();
        Rule rule = proxy.add(Rule.onPath("GET", blobPath(oci.configDigest())).times(2).then(Faults.flipByte(5)));

        ImagePullException e = pullFails(viaProxy(StandardFixtures.OCI_IMAGE, "1.0"));

        assertEquals(Reason.DIGEST_MISMATCH, e.reason(), e.getMessage());
        assertNames(e, viaProxy(StandardFixtures.OCI_IMAGE, "1.0"), oci.configDigest());
        assertMentions(e, "the content hashes to " + Sha256.digest(Faults.flipped(oci.configBytes(), 5)) + ", expected " + oci.configDigest());
        assertEquals(2, rule.uses());
        assertNothingKept(oci.configDigest());
        assertNoPartialOf(oci.configDigest());
        assertTheSamePullNowSucceeds(viaProxy(StandardFixtures.OCI_IMAGE, "1.0"), oci.configDigest());
    }

    @Test
    void aManifestOverFourMebibytesIsRefusedAsTooLarge() throws Exception {
        TestImage oci = fixtures.ociImage();
        byte[] huge = paddedManifest(oci, 4 * 1024 * 1024 + 1);
        Rule rule = proxy.add(Rule.onPath("GET", "/v2/test/oci-image/manifests/1.0").then(Faults.answer(200, List.of(
                new HttpHeader("Content-Type", oci.manifestMediaType()),
                new HttpHeader("Docker-Content-Digest", Sha256.digest(huge))), huge)));

        ImagePullException e = pullFails(viaProxy(StandardFixtures.OCI_IMAGE, "1.0"));

        assertEquals(Reason.PROTOCOL, e.reason(), e.getMessage());
        assertTrue(e.getMessage().startsWith("could not resolve " + viaProxy(StandardFixtures.OCI_IMAGE, "1.0") + " from "
                + proxy.address() + ": "), e.getMessage());
        assertMentions(e, "too large");
        assertMentions(e, String.valueOf(huge.length));
        assertEquals(1, rule.uses());
        assertNothingKept(Sha256.digest(huge), oci.manifestDigest());
        assertTheSamePullNowSucceeds(viaProxy(StandardFixtures.OCI_IMAGE, "1.0"), oci.manifestDigest());
    }

    @Test
    void anIndexEntryWhoseManifestWasReplacedIsRefused() throws Exception {
        TestImage amd64 = fixtures.multiOci().image("linux/amd64");
        TestImage arm64 = fixtures.multiOci().image("linux/arm64");
        // a valid manifest, and the registry's Docker-Content-Digest for the amd64 one: only the index descriptor tells
        Rule rule = proxy.add(Rule.onPath("GET", "/v2/test/multi-oci/manifests/" + amd64.manifestDigest())
                .then(Faults.replaceBody(arm64.manifestBytes())));

        ImagePullException e = pullFails(viaProxy(StandardFixtures.MULTI_OCI, "1.0"));

        assertEquals(Reason.DIGEST_MISMATCH, e.reason(), e.getMessage());
        assertNames(e, viaProxy(StandardFixtures.MULTI_OCI, "1.0"), amd64.manifestDigest());
        assertMentions(e, "served content with digest " + arm64.manifestDigest());
        assertEquals(1, rule.uses());
        // the index itself verified and may be cached; the child it pointed at must not be, nor the substitute
        assertNothingKept(amd64.manifestDigest(), arm64.manifestDigest());
        assertTheSamePullNowSucceeds(viaProxy(StandardFixtures.MULTI_OCI, "1.0"), amd64.manifestDigest());
    }

    /** The last layer: its failure is awaited after the others have finished, so no download is still writing to the cache. */
    private static TestLayer lastLayerOfTheOciImage() {
        List<TestLayer> layers = fixtures.ociImage().layers();
        return layers.get(layers.size() - 1);
    }

    private String viaProxy(String repository, String tagOrDigest) {
        return proxy.address() + "/" + repository + (tagOrDigest.startsWith("sha256:") ? "@" : ":") + tagOrDigest;
    }

    private static String blobPath(String digest) {
        return "/v2/" + StandardFixtures.OCI_IMAGE + "/blobs/" + digest;
    }

    private ImagePullException pullFails(String reference) {
        return assertThrows(ImagePullException.class, () -> pull(work, OutputFormat.OCI, image(reference)));
    }

    /** The message names the image as given, the registry the client talked to (the proxy) and the digest. */
    private void assertNames(ImagePullException e, String reference, String digest) {
        assertMentions(e, " " + reference + " ");
        assertMentions(e, " from " + proxy.address() + ": ");
        assertMentions(e, "(" + digest + ")");
    }

    private static void assertMentions(ImagePullException e, String text) {
        assertTrue(e.getMessage().contains(text), "expected \"" + text + "\" in: " + e.getMessage());
    }

    /**
     * The proxy could not deliver all {@code bodyLength} bytes of the last answer for {@code path}: the client closed
     * the connection instead of reading to the end (the extra bytes are more than the socket buffers hold).
     */
    private void assertClientStoppedReading(String path, long sentBefore, long bodyLength) {
        long sent = proxy.bytesSent(path) - sentBefore;
        assertTrue(sent < bodyLength, "the proxy delivered " + sent + " of " + bodyLength + " bytes: the client read them all");
    }

    /**
     * No output (nor a staging folder for it), no blob of these digests in the cache, and every partial download
     * in it a true prefix of its blob: the only thing a failure may keep is what a later pull can resume from.
     */
    private void assertNothingKept(String... digests) throws IOException {
        assertFalse(Files.exists(work.resolve("out")), "a failed pull leaves no output");
        try (Stream<Path> siblings = Files.list(work)) {
            List<String> staging = siblings.map(p -> p.getFileName().toString()).filter(n -> n.startsWith(".out")).toList();
            assertEquals(List.of(), staging, "no staging folder of the output is left");
        }
        for (String digest : digests) {
            assertFalse(Files.exists(cache().resolve("blobs/sha256").resolve(Sha256.hexOf(digest))), "the cache kept " + digest);
        }
        if (Files.exists(cache())) {
            try (Stream<Path> files = Files.walk(cache())) {
                for (Path partial : files.filter(p -> p.getFileName().toString().endsWith(".partial")).toList()) {
                    String name = partial.getFileName().toString();
                    byte[] blob = fixtureBlob("sha256:" + name.substring(1, name.length() - ".partial".length()));
                    byte[] held = Files.readAllBytes(partial);
                    assertTrue(held.length <= blob.length && Arrays.equals(held, 0, held.length, blob, 0, held.length),
                            partial + " is not a prefix of its blob");
                }
            }
        }
    }

    /** Bytes that failed verification are thrown away, not kept to resume from. */
    private void assertNoPartialOf(String digest) {
        assertFalse(Files.exists(partialOf(digest)), "a partial download of " + digest + " was kept");
    }

    /** A body refused for its headers leaves no byte of it behind (at most an empty partial file). */
    private void assertNoByteKeptOf(String digest) throws IOException {
        Path partial = partialOf(digest);
        assertEquals(0, Files.exists(partial) ? Files.size(partial) : 0, "bytes of the refused body were kept");
    }

    private Path cache() {
        return work.resolve("cache");
    }

    private Path partialOf(String digest) {
        return cache().resolve("blobs/sha256").resolve("." + Sha256.hexOf(digest) + ".partial");
    }

    private long requestsFor(String path) {
        return proxy.requests().stream().filter(r -> r.path().equals(path)).count();
    }

    /** The content of a blob of the oci-image fixture, the only image whose blobs these tests break. */
    private static byte[] fixtureBlob(String digest) {
        TestImage oci = fixtures.ociImage();
        if (oci.configDigest().equals(digest)) {
            return oci.configBytes();
        }
        return oci.layers().stream().filter(l -> l.digest().equals(digest)).findFirst()
                .orElseThrow(() -> new AssertionError("a partial download of " + digest + ", which no test breaks"))
                .blob();
    }

    /** Without the fault (its budget is spent) the same pull into the same cache works, and every blob is what its name says. */
    private void assertTheSamePullNowSucceeds(String reference, String... expectedBlobs) throws IOException {
        List<PulledImage> pulled = pull(work, OutputFormat.OCI, image(reference));
        assertEquals(1, pulled.size());
        List<String> written = blobNamesCheckingContent(work.resolve("out"));
        for (String digest : expectedBlobs) {
            assertTrue(written.contains(digest), digest + " missing from the output: " + written);
        }
        blobNamesCheckingContent(work.resolve("cache"));
    }

    /** A valid manifest of {@code image}, made at least {@code minimumBytes} long by a large annotation. */
    private static byte[] paddedManifest(TestImage image, int minimumBytes) {
        String manifest = new String(image.manifestBytes(), StandardCharsets.UTF_8);
        String padded = manifest.substring(0, manifest.lastIndexOf('}'))
                + ",\"annotations\":{\"padding\":\"" + "x".repeat(minimumBytes) + "\"}}";
        return padded.getBytes(StandardCharsets.UTF_8);
    }
}
