package io.github.frozenimages.images.core;

import io.github.frozenimages.images.core.ref.ImageRequest;
import io.github.frozenimages.images.core.output.PulledImage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.frozenimages.images.core.ref.ImageReference;
import io.github.frozenimages.images.core.ref.Platform;
import io.github.frozenimages.images.testing.BlobHost;
import io.github.frozenimages.images.testing.FaultProxy;
import io.github.frozenimages.images.testing.RecordedRequest;
import io.github.frozenimages.images.testing.RegistryConfig;
import io.github.frozenimages.images.testing.RegistryPusher;
import io.github.frozenimages.images.testing.RegistryServer;
import io.github.frozenimages.images.testing.Sha256;
import io.github.frozenimages.images.testing.StandardFixtures;
import io.github.frozenimages.images.testing.TestImage;
import io.github.frozenimages.images.testing.TestLayer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A registry with Bearer auth whose blobs live on another host, as with S3 or a CDN: the real registry's
 * {@code redirect} storage middleware answers every blob request with a 307 to a blob host on 127.0.0.2, which,
 * like a presigned URL, refuses requests that carry an Authorization header. The registry's token must reach the
 * registry and never the blob host. A fault proxy without rules sits in front of the registry to see the
 * registry's side of the conversation.
 */
@Timeout(60)
class BlobRedirectTest {

    @TempDir
    Path work;

    @Test
    void blobsAreFetchedFromTheRedirectTargetWithoutTheRegistrysToken() throws Exception {
        TestImage image = StandardFixtures.build().ociImage();
        try (StubTokenService tokens = new StubTokenService(300);
             BlobHost blobHost = BlobHost.start();
             RegistryServer registry = RegistryServer.start(RegistryConfig.plain()
                     .set("auth.silly.realm", tokens.realm()).set("auth.silly.service", "test-registry")
                     .set("middleware.storage", List.of(Map.of("name", "redirect", "options", Map.of("baseurl", blobHost.baseUrl())))));
             FaultProxy proxy = FaultProxy.start(registry.baseUrl())) {
            blobHost.serveFrom(registry.storageRoot());
            new RegistryPusher(registry.baseUrl(), "Bearer push").push(StandardFixtures.OCI_IMAGE, StandardFixtures.TAG, image);

            List<PulledImage> pulled = new ImagePuller().pull(new PullRequest(
                    List.of(new ImageRequest(ImageReference.parse(proxy.address() + "/test/oci-image:1.0"), Platform.parse("linux/amd64"))),
                    work.resolve("out"), OutputFormat.OCI, Optional.empty(), 2, work.resolve("cache"), Set.of(), null, null));

            assertEquals(image.manifestDigest(), pulled.get(0).manifestDigest().toString());
            Set<String> blobs = new TreeSet<>();
            blobs.add(image.configDigest());
            image.layers().stream().map(TestLayer::digest).forEach(blobs::add);

            // the registry's side: the token went with every repository request, and every blob was redirected
            assertFalse(tokens.requests().isEmpty(), "the client never asked the token service");
            List<RecordedRequest> toRegistry = proxy.requests().stream().filter(r -> r.path().startsWith("/v2/test/")).toList();
            assertTrue(toRegistry.stream().allMatch(r -> r.header("Authorization").orElse("").startsWith("Bearer stub-token-")),
                    "requests to the registry without its token: " + toRegistry);
            Set<String> redirected = toRegistry.stream().filter(r -> r.status() == 307)
                    .map(r -> r.path().substring("/v2/test/oci-image/blobs/".length())).collect(Collectors.toCollection(TreeSet::new));
            assertEquals(blobs, redirected, "blob requests the registry redirected");

            // the blob host's side: each blob once, by its storage path, and never with an Authorization header
            List<RecordedRequest> toBlobHost = blobHost.requests();
            assertEquals(List.of(), toBlobHost.stream().filter(RecordedRequest::hasAuthorization).toList(),
                    "the registry's token reached " + BlobHost.HOST);
            Set<String> storagePaths = blobs.stream().map(BlobRedirectTest::storagePath).collect(Collectors.toCollection(TreeSet::new));
            Set<String> fetchedPaths = toBlobHost.stream().map(RecordedRequest::path).collect(Collectors.toCollection(TreeSet::new));
            assertEquals(storagePaths, fetchedPaths);
            assertEquals(blobs.size(), toBlobHost.size(), "each blob fetched once: " + toBlobHost);
            assertTrue(toBlobHost.stream().allMatch(r -> r.status() == 200), toBlobHost.toString());
            assertTrue(toBlobHost.stream().allMatch(r -> r.header("Host").orElse("").startsWith(BlobHost.HOST + ":")), toBlobHost.toString());

            List<String> written = RegistryTestSupport.blobNamesCheckingContent(work.resolve("out"));
            assertTrue(written.containsAll(blobs), "output blobs " + written + " lack some of " + blobs);
        }
    }

    @Test
    void theBlobHostRefusesAnAuthorizationHeaderLikeAPresignedUrl() throws Exception {
        TestLayer layer = StandardFixtures.build().ociImage().layers().get(0);
        try (BlobHost blobHost = BlobHost.start();
             RegistryServer registry = RegistryServer.start()) {
            blobHost.serveFrom(registry.storageRoot());
            new RegistryPusher(registry.baseUrl()).pushBlob(StandardFixtures.OCI_IMAGE, layer.blob());
            HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).version(HttpClient.Version.HTTP_1_1).build();
            URI uri = URI.create(blobHost.baseUrl() + storagePath(layer.digest()));

            HttpResponse<byte[]> plain = http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10)).build(),
                    HttpResponse.BodyHandlers.ofByteArray());
            HttpResponse<byte[]> withToken = http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10))
                    .header("Authorization", "Bearer stub-token-1").build(), HttpResponse.BodyHandlers.ofByteArray());

            assertEquals(200, plain.statusCode());
            assertEquals(layer.digest(), Sha256.digest(plain.body()));
            assertEquals(400, withToken.statusCode());
            assertEquals(List.of(false, true), blobHost.requests().stream().map(RecordedRequest::hasAuthorization).toList());
        }
    }

    /** Where the filesystem driver keeps a blob, which is the path the redirect middleware sends clients to. */
    private static String storagePath(String digest) {
        String hex = Sha256.hexOf(digest);
        return "/docker/registry/v2/blobs/sha256/" + hex.substring(0, 2) + "/" + hex + "/data";
    }
}
