package io.github.frozenimages.images.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.frozenimages.images.core.auth.CredentialProvider;
import io.github.frozenimages.images.core.auth.Credentials;
import io.github.frozenimages.images.core.output.PulledImage;
import io.github.frozenimages.images.core.push.ImagePusher;
import io.github.frozenimages.images.core.push.PushRequest;
import io.github.frozenimages.images.core.push.PushedImage;
import io.github.frozenimages.images.core.ref.ImageRequest;
import io.github.frozenimages.images.core.ref.Platform;
import io.github.frozenimages.images.core.shared.ImagePullException;
import io.github.frozenimages.images.core.shared.PullListener;
import io.github.frozenimages.images.testing.Consumers;
import io.github.frozenimages.images.testing.CuttingRelay;
import io.github.frozenimages.images.testing.RecordingListener;
import io.github.frozenimages.images.testing.RegistryConfig;
import io.github.frozenimages.images.testing.RegistryPusher;
import io.github.frozenimages.images.testing.RegistryServer;
import io.github.frozenimages.images.testing.StandardFixtures;
import io.github.frozenimages.images.testing.TestImage;
import io.github.frozenimages.images.testing.TestLayer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code images:push}'s core against two real registries: what a pull wrote from the test registry is pushed into
 * a second one, read back there by skopeo and by the plugin, and compared byte for byte. The target's own access
 * log says which uploads, mounts and chunks it saw.
 */
class PushTest extends RegistryTestSupport {

    private static final Pattern LOGGED = Pattern.compile("http\\.request\\.method=(\\w+).*?http\\.request\\.uri=\"([^\"]+)\"");
    private static final Pattern STATUS = Pattern.compile("http\\.response\\.status=(\\d+)");

    @TempDir
    Path work;

    private RegistryServer target;
    private final RecordingListener log = new RecordingListener();

    @BeforeEach
    void startTarget() {
        target = RegistryServer.start();
    }

    @AfterEach
    void stopTarget() {
        if (target != null) {
            target.close();
        }
    }

    @Test
    void whatAPullWroteIsPushedByteForByteAndReadBackBySkopeoAndThePlugin() throws Exception {
        List<PulledImage> pulled = pull(work, OutputFormat.DOCKER, image(ref(StandardFixtures.OCI_IMAGE, "1.0")),
                image(ref(StandardFixtures.DOCKER_IMAGE, "1.0")));

        List<PushedImage> pushed = push(work.resolve("out"), Optional.empty(), target.address() + "/mirror");

        assertEquals(2, pushed.size());
        for (int i = 0; i < 2; i++) {
            String at = target.address() + "/mirror/" + pulled.get(i).reference().repository() + ":1.0";
            assertEquals(at, pushed.get(i).target().toString());
            assertEquals(pulled.get(i).manifestDigest(), pushed.get(i).digest());
            JsonNode inspected = new ObjectMapper().readTree(Consumers.skopeoInspect("docker://" + at));
            assertEquals(pulled.get(i).manifestDigest().toString(), inspected.get("Digest").asText(), "skopeo sees the same digest");
        }
        // pulled back by the plugin, every blob is the bytes the first pull wrote
        Path back = work.resolve("back");
        new ImagePuller().pull(new PullRequest(List.of(RegistryTestSupport.image(target.address() + "/mirror/test/oci-image:1.0")),
                back.resolve("out"), OutputFormat.DOCKER, Optional.empty(), 4, back.resolve("cache"), Set.of(),
                CredentialProvider.ANONYMOUS, PullListener.SILENT).withNetwork(FAST_RETRIES));
        for (String blob : blobNamesCheckingContent(back.resolve("out"))) {
            assertTrue(java.util.Arrays.equals(Files.readAllBytes(blobFile(work.resolve("out"), blob)), Files.readAllBytes(blobFile(back.resolve("out"), blob))), blob);
        }
        JsonNode report = new ObjectMapper().readTree(work.resolve("push-report.json").toFile());
        assertEquals(pulled.get(0).manifestDigest().toString(), report.path("images").get(0).path("digest").asText());
    }

    @Test
    void pushingTheSameBundleAgainUploadsNoBlobAtAll() throws Exception {
        pull(work, OutputFormat.OCI, image(ref(StandardFixtures.OCI_IMAGE, "1.0")));
        push(work.resolve("out"), Optional.empty(), target.address());
        int before = targetRequests().size();

        List<PushedImage> again = push(work.resolve("out"), Optional.empty(), target.address());

        List<String> second = targetRequests().subList(before, targetRequests().size());
        assertEquals(0, again.get(0).uploaded(), second.toString());
        assertTrue(second.stream().noneMatch(r -> r.startsWith("POST ") || r.startsWith("PATCH ")), "no upload opened: " + second);
        assertEquals(0, again.get(0).bytesSent());
    }

    @Test
    void imagesSharingLayersMountWhatAnotherRepositoryOfTheTargetGotInThisRun() throws Exception {
        pull(work, OutputFormat.DOCKER, image(ref(StandardFixtures.SHARED_BASE, "1.0")), image(ref(StandardFixtures.SHARED_BASE, "2.0")));
        // the two tags go to two repositories of the target, so the second mounts the shared base from the first
        Map<String, String> pushAs = Map.of(
                registry.address() + "/" + StandardFixtures.SHARED_BASE + ":1.0", target.address() + "/one/base:1.0",
                registry.address() + "/" + StandardFixtures.SHARED_BASE + ":2.0", target.address() + "/two/base:2.0");

        List<PushedImage> pushed = new ImagePusher().push(new PushRequest(work.resolve("out"), Optional.empty(), null, pushAs, 4,
                Set.of(), CredentialProvider.ANONYMOUS, FAST_RETRIES, log, work.resolve("push-report.json")));

        assertTrue(pushed.get(1).mounted() >= 1, "mounted: " + pushed);
        assertTrue(targetRequests().stream().anyMatch(r -> r.startsWith("POST /v2/two/base/blobs/uploads/?") && r.contains("from=one")
                && r.endsWith(" 201")), "the registry saw the mount: " + targetRequests());
        assertEquals(Consumers.skopeoInspectRaw("docker://" + registry.address() + "/" + StandardFixtures.SHARED_BASE + ":2.0"),
                Consumers.skopeoInspectRaw("docker://" + target.address() + "/two/base:2.0"), "the manifest's exact bytes");
    }

    @Test
    void aMultiPlatformIndexIsPushedWithAllItsChildrenUnderItsOwnDigest() throws Exception {
        ImageRequest all = new ImageRequest(io.github.frozenimages.images.core.ref.ImageReference.parse(ref(StandardFixtures.MULTI_OCI, "1.0")),
                Platform.parse("linux/amd64"), List.of(), true);
        List<PulledImage> pulled = pull(work, OutputFormat.OCI, all);

        List<PushedImage> pushed = push(work.resolve("out"), Optional.empty(), target.address());

        String at = target.address() + "/" + StandardFixtures.MULTI_OCI + ":1.0";
        String raw = Consumers.skopeoInspectRaw("docker://" + at);
        assertEquals(Consumers.skopeoInspectRaw("docker://" + registry.address() + "/" + StandardFixtures.MULTI_OCI + ":1.0"), raw,
                "the index's exact bytes");
        Path copied = work.resolve("copied");
        Consumers.skopeoCopyAll("docker://" + at, "oci:" + copied + ":x");
        assertEquals(pushed.get(0).digest().toString(), new ObjectMapper().readTree(copied.resolve("index.json").toFile())
                .path("manifests").get(0).path("digest").asText(), "skopeo copies every child: the index is whole");
        assertTrue(pulled.size() >= 2);
    }

    @Test
    void anImagePulledByDigestAloneIsPushedByDigest() throws Exception {
        String digest = fixtures.ociImage().manifestDigest();
        pull(work, OutputFormat.OCI, image(registry.address() + "/" + StandardFixtures.OCI_IMAGE + "@" + digest));

        List<PushedImage> pushed = push(work.resolve("out"), Optional.empty(), target.address());

        assertEquals(target.address() + "/" + StandardFixtures.OCI_IMAGE + "@" + digest, pushed.get(0).target().toString());
        // no tag to list: skopeo reads the manifest by its digest, the same bytes as at the source
        assertEquals(Consumers.skopeoInspectRaw("docker://" + registry.address() + "/" + StandardFixtures.OCI_IMAGE + "@" + digest),
                Consumers.skopeoInspectRaw("docker://" + pushed.get(0).target()));
    }

    @Test
    void anArchiveIsPushedFromItselfWithNoTreeBesideIt() throws Exception {
        new ImagePuller().pull(request(work, OutputFormat.DOCKER, Optional.of(work.resolve("bundle.tar.gz")),
                List.of(image(ref(StandardFixtures.OCI_IMAGE, "1.0")))));
        deleteTree(work.resolve("out"));

        List<PushedImage> pushed = push(work.resolve("staging"), Optional.of(work.resolve("bundle.tar.gz")), target.address());

        assertEquals(fixtures.ociImage().manifestDigest(), pushed.get(0).digest().toString());
        assertTrue(!Files.exists(work.resolve("staging")), "the unpacked bundle is removed");
    }

    @Test
    void anUploadLostBetweenTwoChunksGoesOnFromWhatTheRegistryHolds() throws Exception {
        TestLayer big = bigImagePulled();

        try (CuttingRelay relay = CuttingRelay.cuttingAtRequest(target.baseUrl(), "PATCH", 2)) {
            List<PushedImage> pushed = push(work.resolve("out"), Optional.empty(), relay.address());

            assertTrue(relay.hasCut(), "the relay dropped the connection of the second chunk");
            assertTrue(relay.requestLines().stream().anyMatch(l -> l.startsWith("GET /v2/test/push-big/blobs/uploads/")),
                    "the upload's status was asked: " + relay.requestLines());
            // 32 MiB chunks; the second is sent once more from where the registry's status said: no byte twice
            assertEquals(List.of("0-33554431", "33554432-" + (big.size() - 1), "33554432-" + (big.size() - 1)), relay.contentRanges(),
                    "the second chunk's range, before and after the cut");
            assertEquals(2, pushed.get(0).uploaded(), "the config and the layer were uploaded: " + pushed);
            assertTrue(log.warnings().stream().anyMatch(w -> w.contains("the registry holds 33554432 of " + big.size() + " bytes, going on from there")),
                    log.lines().toString());
        }
        assertTargetHolds(big);
    }

    @Test
    void anUploadCutInTheMiddleOfAChunkStartsTheBlobOverWhenTheRegistryDropsTheSession() throws Exception {
        TestLayer big = bigImagePulled();

        try (CuttingRelay relay = CuttingRelay.cuttingUploads(target.baseUrl(), 20L * 1024 * 1024)) {
            List<PushedImage> pushed = push(work.resolve("out"), Optional.empty(), relay.address());

            assertTrue(relay.hasCut(), "the relay cut the upload");
            assertTrue(relay.requestLines().stream().anyMatch(l -> l.startsWith("GET /v2/test/push-big/blobs/uploads/")),
                    "the upload's status was asked: " + relay.requestLines());
            // Distribution cancels a session whose bytes disagree with the state signed into its URL: a new session, from 0
            assertEquals(List.of("0-33554431", "0-33554431", "33554432-" + (big.size() - 1)), relay.contentRanges());
            assertEquals(2, pushed.get(0).uploaded());
            assertTrue(log.warnings().stream().anyMatch(w -> w.contains("the registry dropped the session")
                    && w.contains("sending the blob again in a new one")), log.lines().toString());
        }
        assertTargetHolds(big);
    }

    /** An image with a 40 MiB layer, pushed to the source registry and pulled: its upload takes two chunks. */
    private TestLayer bigImagePulled() {
        TestLayer big = TestLayer.plain("push/big", 40 * 1024 * 1024);
        new RegistryPusher(registry.baseUrl()).push("test/push-big", "1", TestImage.builder().oci(true).layer(big).build());
        pull(work, OutputFormat.OCI, image(ref("test/push-big", "1")));
        return big;
    }

    /** The target serves the pushed image under the digest the pull recorded, with the layer's own digest. */
    private void assertTargetHolds(TestLayer big) throws Exception {
        JsonNode inspected = new ObjectMapper().readTree(Consumers.skopeoInspect("docker://" + target.address() + "/test/push-big:1"));
        assertEquals(pulledDigest("test/push-big:1"), inspected.get("Digest").asText());
        assertEquals(big.digest(), inspected.get("Layers").get(0).asText(), "the registry checked and kept the layer's digest");
    }

    @Test
    void aTargetThatRefusesThePushNamesTheImageTheRepositoryAndWhatItSaid() throws Exception {
        Path htpasswd = work.resolve("htpasswd");
        Process p = new ProcessBuilder("htpasswd", "-Bbn", "-C", "4", "alice", "s3cret-pass").start();
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        Files.write(htpasswd, p.getInputStream().readAllBytes());
        pull(work, OutputFormat.OCI, image(ref(StandardFixtures.OCI_IMAGE, "1.0")));
        try (RegistryServer guarded = RegistryServer.start(RegistryConfig.plain()
                .set("auth.htpasswd.realm", "test").set("auth.htpasswd.path", htpasswd.toString()))) {
            ImagePullException e = assertThrows(ImagePullException.class, () -> push(work.resolve("out"), Optional.empty(), guarded.address()));

            assertEquals(ImagePullException.Reason.DENIED, e.reason(), e.getMessage());
            assertTrue(e.getMessage().startsWith("could not push a blob of " + guarded.address() + "/test/oci-image:1.0 (sha256:"), e.getMessage());
            assertTrue(e.getMessage().contains(") to " + guarded.address() + ": the registry requires credentials (Basic authentication)"
                    + " and none are configured"), e.getMessage());

            // with the right credentials the same push goes through
            List<PushedImage> pushed = new ImagePusher().push(new PushRequest(work.resolve("out"), Optional.empty(), guarded.address(),
                    Map.of(), 4, Set.of(), r -> Optional.of(new Credentials("alice", "s3cret-pass", "test")), FAST_RETRIES, log,
                    work.resolve("push-report.json")));
            assertEquals(fixtures.ociImage().manifestDigest(), pushed.get(0).digest().toString());
            assertTrue(log.lines().stream().noneMatch(l -> l.contains("s3cret-pass")), "no secret in any line");
        }
    }

    @Test
    void aTokenRegistryGivesAPushTokenForThePullAndPushScope() throws Exception {
        pull(work, OutputFormat.OCI, image(ref(StandardFixtures.OCI_IMAGE, "1.0")));
        try (StubTokenService tokens = new StubTokenService(300);
             RegistryServer guarded = RegistryServer.start(RegistryConfig.plain()
                     .set("auth.silly.realm", tokens.realm()).set("auth.silly.service", "push-target"))) {
            List<PushedImage> pushed = push(work.resolve("out"), Optional.empty(), guarded.address() + "/team");

            assertEquals(fixtures.ociImage().manifestDigest(), pushed.get(0).digest().toString());
            List<String> scopes = tokens.requests().stream().map(StubTokenService.Request::query).toList();
            assertTrue(scopes.stream().anyMatch(q -> q.contains("scope=repository%3Ateam%2Ftest%2Foci-image%3Apull%2Cpush")),
                    "the push asked for pull,push on its repository: " + scopes);
        }
    }

    @Test
    void aTlsRegistryTrustedThroughTheTrustStoreIsPushedTo(@TempDir Path pki) throws Exception {
        io.github.frozenimages.images.testing.TestCertificates certificates = io.github.frozenimages.images.testing.TestCertificates.createIn(pki);
        pull(work, OutputFormat.OCI, image(ref(StandardFixtures.OCI_IMAGE, "1.0")));
        try (RegistryServer tls = RegistryServer.start(RegistryConfig.plain()
                .set("http.tls.certificate", certificates.serverCertificate().toString())
                .set("http.tls.key", certificates.serverKey().toString()))) {
            io.github.frozenimages.images.core.http.TlsSettings trust = new io.github.frozenimages.images.core.http.TlsSettings(
                    Optional.of(certificates.caCertificate()), Optional.empty(), List.of());

            List<PushedImage> pushed = new ImagePusher().push(new PushRequest(work.resolve("out"), Optional.empty(), tls.address(), Map.of(),
                    4, Set.of(), CredentialProvider.ANONYMOUS, FAST_RETRIES.withTls(trust), log, work.resolve("push-report.json")));

            assertEquals(fixtures.ociImage().manifestDigest(), pushed.get(0).digest().toString());
            JsonNode inspected = new ObjectMapper().readTree(Consumers.skopeoInspect("docker://" + tls.address() + "/test/oci-image:1.0"));
            assertEquals(fixtures.ociImage().manifestDigest(), inspected.get("Digest").asText());
        }
    }

    private List<PushedImage> push(Path layout, Optional<Path> archive, String to) {
        return new ImagePusher().push(new PushRequest(layout, archive, to, Map.of(), 4, Set.of(), CredentialProvider.ANONYMOUS,
                FAST_RETRIES, log, work.resolve("push-report.json")));
    }

    /** What the target registry logged it answered, as "METHOD uri status". */
    private List<String> targetRequests() throws Exception {
        List<String> seen = new ArrayList<>();
        for (String line : Files.readAllLines(target.logFile())) {
            if (!line.contains("response completed")) {
                continue;
            }
            Matcher m = LOGGED.matcher(line);
            Matcher s = STATUS.matcher(line);
            if (m.find() && s.find()) {
                seen.add(m.group(1) + " " + m.group(2) + " " + s.group(1));
            }
        }
        return seen;
    }

    /** The digest the first pull recorded for an image, from its report. */
    private String pulledDigest(String repositoryAndTag) throws Exception {
        for (JsonNode image : new ObjectMapper().readTree(work.resolve("out-report.json").toFile()).path("images")) {
            if (image.path("reference").asText().endsWith("/" + repositoryAndTag)) {
                return image.path("digest").asText();
            }
        }
        throw new AssertionError("no " + repositoryAndTag + " in the pull's report");
    }

    private static Path blobFile(Path layout, String digest) {
        String[] parts = digest.split(":");
        return layout.resolve("blobs").resolve(parts[0]).resolve(parts[1]);
    }

    private static void deleteTree(Path folder) throws Exception {
        try (var walk = Files.walk(folder)) {
            walk.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        }
    }
}
