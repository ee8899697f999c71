package io.github.frozenimages.images.core.registry;

import io.github.frozenimages.images.core.http.RetryPolicy;
import io.github.frozenimages.images.core.model.Descriptor;
import io.github.frozenimages.images.core.shared.ImagePullException;
import io.github.frozenimages.images.core.shared.ImagePullException.Reason;
import io.github.frozenimages.images.core.shared.PullListener;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.hc.core5.http.ClassicHttpResponse;
import org.apache.hc.core5.http.Header;
import org.apache.hc.core5.http.HttpHeaders;

/**
 * One blob into a repository by the distribution spec's upload session: opened with {@code POST}, sent whole with
 * one {@code PUT} when small, else in {@code PATCH} chunks closed by a {@code PUT} with the digest, which the
 * registry checks. A chunk that breaks off is not sent again blindly (the registry may have taken part of it): the
 * upload's status ({@code GET} of its URL, the {@code Range} it has) says where to go on.
 */
final class BlobUpload {

    /** Blobs up to this size go in one request: most configs and small layers. */
    static final long MONOLITHIC_LIMIT = 8L * 1024 * 1024;
    /** The size of each chunk of a larger blob: large enough for stores that want 5 MiB chunks at least. */
    static final long CHUNK = 32L * 1024 * 1024;

    private static final Pattern RANGE = Pattern.compile("(?:bytes=)?(\\d+)-(\\d+)");

    private final RegistryHttp http;
    private final RetryPolicy retries;
    private final PullListener listener;

    BlobUpload(RegistryHttp http, RetryPolicy retries, PullListener listener) {
        this.http = http;
        this.retries = retries;
        this.listener = listener;
    }

    /**
     * Mounts a blob from another repository of the same registry. Empty when mounted; else the upload session the
     * registry opened instead (it answers 202 when it cannot mount), which the caller uses.
     */
    Optional<URI> mount(Operation op, Descriptor blob, String fromRepository) throws IOException {
        URI uri = http.repositoryUri(op, "blobs/uploads/?mount=" + blob.digest() + "&from=" + fromRepository);
        return http.sendTo("POST", op, uri, Map.of(), null, true, (response, attempt) -> {
            try (response) {
                return response.getCode() == 201 ? Optional.<URI>empty() : Optional.of(location(op, uri, response));
            }
        });
    }

    /** Opens an upload session and sends the blob from {@code file} into it. */
    void upload(Operation op, Descriptor blob, Path file, Optional<URI> session) throws IOException {
        URI location = session.isPresent() ? session.get() : open(op);
        if (blob.size() <= MONOLITHIC_LIMIT) {
            close(op, location, blob, new FileRangeEntity(file, 0, blob.size()), true);
            return;
        }
        long sent = 0;
        int withoutProgress = 0;
        int attempt = 0;
        while (sent < blob.size()) {
            long end = Math.min(blob.size(), sent + CHUNK);
            try {
                URI at = location;
                long from = sent;
                Chunk chunk = http.sendTo("PATCH", op, at, Map.of("Content-Range", from + "-" + (end - 1)),
                        new FileRangeEntity(file, from, end - from), false, (response, n) -> {
                            try (response) {
                                return new Chunk(location(op, at, response), received(response).orElse(end - 1) + 1);
                            }
                        });
                location = chunk.location();
                sent = chunk.next();
                withoutProgress = 0;
            } catch (IOException | ImagePullException e) {
                if (e instanceof ImagePullException ipe && ipe.reason() != Reason.UNREACHABLE && ipe.reason() != Reason.PROTOCOL) {
                    throw ipe;
                }
                attempt++;
                long before = sent;
                Status status;
                try {
                    status = status(op, location);
                } catch (ImagePullException gone) {
                    if (gone.reason() != Reason.NOT_FOUND || attempt >= retries.attempts()) {
                        throw gone;
                    }
                    // Distribution cancels a session whose bytes disagree with the state it signed into the upload URL,
                    // which a chunk cut short leaves behind: the blob starts over in a new session
                    listener.warn("upload of " + blob.digest().shortHex() + " to " + op.image().familiarString() + " broke off ("
                            + e.getMessage() + ") and the registry dropped the session (" + gone.getMessage().substring(
                            gone.getMessage().lastIndexOf(": ") + 2) + "); sending the blob again in a new one");
                    location = open(op);
                    sent = 0;
                    sleep(attempt);
                    continue;
                }
                location = status.location();
                sent = status.next();
                withoutProgress = sent > before ? 0 : withoutProgress + 1;
                if (withoutProgress >= retries.attempts()) {
                    throw op.failure(Reason.UNREACHABLE, "the upload broke off " + withoutProgress + " times at byte " + sent
                            + " of " + blob.size() + " without progress: " + e.getMessage(), e);
                }
                listener.warn("upload of " + blob.digest().shortHex() + " to " + op.image().familiarString() + " broke off ("
                        + e.getMessage() + "); the registry holds " + sent + " of " + blob.size() + " bytes, going on from there");
                sleep(attempt);
            }
        }
        close(op, location, blob, null, true);
    }

    private URI open(Operation op) throws IOException {
        URI uri = http.repositoryUri(op, "blobs/uploads/");
        return http.sendTo("POST", op, uri, Map.of(), null, true, (response, attempt) -> {
            try (response) {
                return location(op, uri, response);
            }
        });
    }

    private void close(Operation op, URI location, Descriptor blob, FileRangeEntity body, boolean retried) throws IOException {
        URI put = withQuery(location, "digest=" + blob.digest());
        http.sendTo("PUT", op, put, Map.of(), body, retried, (response, attempt) -> {
            response.close();
            return null;
        });
    }

    private record Chunk(URI location, long next) {
    }

    private record Status(URI location, long next) {
    }

    /** What the upload holds: distribution says {@code 0-0} for an empty session too, which is taken as nothing. */
    private Status status(Operation op, URI location) throws IOException {
        return http.sendTo("GET", op, location, Map.of(), null, true, (response, attempt) -> {
            try (response) {
                Optional<Long> last = received(response);
                long next = last.map(l -> l == 0 ? 0L : l + 1).orElse(0L);
                return new Status(response.getFirstHeader(HttpHeaders.LOCATION) == null ? location : location(op, location, response), next);
            }
        });
    }

    private static Optional<Long> received(ClassicHttpResponse response) {
        Header range = response.getFirstHeader("Range");
        if (range == null) {
            return Optional.empty();
        }
        Matcher m = RANGE.matcher(range.getValue().trim());
        return m.matches() ? Optional.of(Long.parseLong(m.group(2))) : Optional.empty();
    }

    private static URI location(Operation op, URI request, ClassicHttpResponse response) {
        Header location = response.getFirstHeader(HttpHeaders.LOCATION);
        if (location == null) {
            throw op.failure(Reason.PROTOCOL, "the registry opened an upload without a Location (HTTP " + response.getCode() + ")");
        }
        try {
            return request.resolve(location.getValue().trim());
        } catch (IllegalArgumentException e) {
            throw op.failure(Reason.PROTOCOL, "the registry named an invalid upload Location", e);
        }
    }

    static URI withQuery(URI location, String parameter) {
        String s = location.toString();
        return URI.create(s + (location.getRawQuery() == null ? "?" : "&") + parameter);
    }

    private void sleep(int attempt) throws IOException {
        try {
            RetryPolicy.sleep(retries.delay(attempt, null, Instant.now()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("interrupted while waiting to resume an upload");
        }
    }
}
