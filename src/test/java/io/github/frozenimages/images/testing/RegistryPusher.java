package io.github.frozenimages.images.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * Seeds a registry through the distribution HTTP API (monolithic blob uploads, manifest PUTs). Test
 * code only: it trusts the registry, has no retries, and fails loudly on anything odd. For a registry with
 * auth it sends one fixed Authorization value (Basic for htpasswd, any Bearer for the "silly" mode).
 */
public final class RegistryPusher {

    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(30);

    private final String baseUrl;
    private final HttpClient http;
    private final String authorization;

    public RegistryPusher(String baseUrl) {
        this(baseUrl, null);
    }

    public RegistryPusher(String baseUrl, String authorization) {
        this.authorization = authorization;
        this.baseUrl = baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl;
        this.http = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(CONNECT_TIMEOUT)
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
    }

    /** Uploads a blob unless the repository already has it. */
    public void pushBlob(String repository, byte[] blob) {
        String digest = Sha256.digest(blob);
        URI blobUri = URI.create(baseUrl + "/v2/" + repository + "/blobs/" + digest);
        HttpResponse<String> head = send(HttpRequest.newBuilder(blobUri)
                .method("HEAD", HttpRequest.BodyPublishers.noBody()));
        if (head.statusCode() == 200) {
            return;
        }
        URI start = URI.create(baseUrl + "/v2/" + repository + "/blobs/uploads/");
        HttpResponse<String> started = send(HttpRequest.newBuilder(start)
                .POST(HttpRequest.BodyPublishers.noBody()));
        expect(started, 202, "starting an upload of " + digest);
        String location = started.headers().firstValue("Location")
                .orElseThrow(() -> failure("no Location in the upload response", started));
        // The Location may be relative and usually carries a _state query already.
        URI uploadUri = URI.create(baseUrl + "/").resolve(location);
        String separator = uploadUri.getRawQuery() == null ? "?" : "&";
        URI finish = URI.create(uploadUri + separator + "digest=" + digest);
        HttpResponse<String> finished = send(HttpRequest.newBuilder(finish)
                .header("Content-Type", "application/octet-stream")
                .PUT(HttpRequest.BodyPublishers.ofByteArray(blob)));
        expect(finished, 201, "finishing the upload of " + digest);
        expectDigestHeader(finished, digest);
    }

    /** Pushes the config, each distinct layer, then the manifest under {@code tag}. */
    public void push(String repository, String tag, TestImage image) {
        pushImageContent(repository, image);
        pushManifest(repository, tag, image.manifestMediaType(), image.manifestBytes());
    }

    /** Pushes every image and attestation by digest, then the index under {@code tag}. */
    public void push(String repository, String tag, TestIndex index) {
        for (TestImage image : index.images()) {
            pushImageContent(repository, image);
            pushManifest(repository, image.manifestDigest(), image.manifestMediaType(), image.manifestBytes());
        }
        for (TestAttestation attestation : index.attestations()) {
            pushBlob(repository, attestation.configBytes());
            pushBlob(repository, attestation.statementBytes());
            pushManifest(repository, attestation.manifestDigest(), MediaTypes.OCI_MANIFEST,
                    attestation.manifestBytes());
        }
        pushManifest(repository, tag, index.mediaType(), index.bytes());
    }

    /** PUTs a manifest under a tag or digest and checks the registry kept the exact bytes. */
    public void pushManifest(String repository, String reference, String mediaType, byte[] bytes) {
        URI uri = URI.create(baseUrl + "/v2/" + repository + "/manifests/" + reference);
        HttpResponse<String> response = send(HttpRequest.newBuilder(uri)
                .header("Content-Type", mediaType)
                .PUT(HttpRequest.BodyPublishers.ofByteArray(bytes)));
        expect(response, 201, "pushing manifest " + repository + ":" + reference);
        // A signed schema1 manifest is identified by its payload without the signatures, not its bytes.
        if (!mediaType.equals("application/vnd.docker.distribution.manifest.v1+prettyjws")) {
            expectDigestHeader(response, Sha256.digest(bytes));
        }
    }

    private void pushImageContent(String repository, TestImage image) {
        pushBlob(repository, image.configBytes());
        Set<String> pushed = new LinkedHashSet<>();
        for (TestLayer layer : image.layers()) {
            if (pushed.add(layer.digest())) {
                pushBlob(repository, layer.blob());
            }
        }
    }

    private HttpResponse<String> send(HttpRequest.Builder request) {
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        HttpRequest built = request.timeout(REQUEST_TIMEOUT).build();
        try {
            return http.send(built, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(built.method() + " " + built.uri() + " failed: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted during " + built.method() + " " + built.uri(), e);
        }
    }

    private static void expect(HttpResponse<String> response, int status, String what) {
        if (response.statusCode() != status) {
            throw failure(what + ": expected HTTP " + status, response);
        }
    }

    private static void expectDigestHeader(HttpResponse<String> response, String digest) {
        String actual = response.headers().firstValue("Docker-Content-Digest").orElse("<none>");
        if (!actual.equals(digest)) {
            throw failure("registry reports digest " + actual + " instead of " + digest, response);
        }
    }

    private static IllegalStateException failure(String message, HttpResponse<String> response) {
        String body = response.body() == null ? "" : response.body();
        if (body.length() > 2000) {
            body = body.substring(0, 2000) + "...";
        }
        return new IllegalStateException(message + " (got " + response.statusCode() + " for "
                + response.request().method() + " " + response.request().uri() + "): " + body);
    }
}
