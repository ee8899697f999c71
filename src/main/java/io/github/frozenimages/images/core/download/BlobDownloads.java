package io.github.frozenimages.images.core.download;

import io.github.frozenimages.images.core.http.RetryPolicy;
import io.github.frozenimages.images.core.model.Descriptor;
import io.github.frozenimages.images.core.output.PulledImage;
import io.github.frozenimages.images.core.ref.Digest;
import io.github.frozenimages.images.core.ref.Platform;
import io.github.frozenimages.images.core.registry.Operation;
import io.github.frozenimages.images.core.registry.RegistryClient;
import io.github.frozenimages.images.core.registry.ResolvedImage;
import io.github.frozenimages.images.core.shared.ImagePullException;
import io.github.frozenimages.images.core.shared.ImagePullException.Reason;
import io.github.frozenimages.images.core.shared.PullListener;
import io.github.frozenimages.images.core.shared.Waiting;
import io.github.frozenimages.images.core.store.BlobStore;
import io.github.frozenimages.images.core.store.BlobVerificationException;
import io.github.frozenimages.images.core.store.DownloadBrokeOffException;
import io.github.frozenimages.images.core.store.IngestObserver;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;

/**
 * Brings an image's blobs into the store: each verified as it streams, each once however many images or threads
 * want it, layers in parallel on the download pool. What the single-platform, schema 1 and multi-platform
 * downloads have in common, and all they share.
 */
final class BlobDownloads {

    /** Work done on a layer in the download thread once it is in the store. */
    interface LayerStored {
        void stored(Descriptor layer);
    }

    /** What the layer downloads of one image came to: bytes of its distinct layers, bytes fetched, layers found cached. */
    record Tally(long total, long downloaded, int cached) {

        /** The record of one image's pull, for the log line and the report. */
        PulledImage pulled(RegistryClient client, ResolvedImage resolved, Platform platform, Digest config, int layers, long startNanos) {
            return new PulledImage(resolved.reference(), platform, resolved.manifest().digest(), config, layers, total, downloaded,
                    cached, Duration.ofNanos(System.nanoTime() - startNanos),
                    client.endpoint().mirror() ? client.endpoint().base().toString() : null, client.endpoint().base().toString(),
                    client.credentialSource(), client.retriesFor(resolved.reference()), client.rateLimitRemaining(resolved.reference()));
        }
    }

    private final BlobStore store;
    private final ExecutorService blobPool;
    private final PullListener listener;

    BlobDownloads(BlobStore store, ExecutorService blobPool, PullListener listener) {
        this.store = store;
        this.blobPool = blobPool;
        this.listener = listener;
    }

    BlobStore store() {
        return store;
    }

    /** Brings distinct layers into the store in parallel, each once, and waits for all of them. */
    Tally fetchLayers(RegistryClient client, ResolvedImage resolved, Collection<Descriptor> distinct, LayerStored then) {
        List<Future<Boolean>> downloads = new ArrayList<>();
        ProgressTracker progress = new ProgressTracker(resolved.reference(), distinct, listener);
        int index = 0;
        for (Descriptor layer : distinct) {
            int number = ++index;
            downloads.add(blobPool.submit(() -> {
                boolean fetched = fetch(client, resolved, layer, "layer " + number + " of", progress);
                progress.layerDone(layer, fetched);
                then.stored(layer);
                return fetched;
            }));
        }
        long total = 0;
        long downloaded = 0;
        int cached = 0;
        List<Descriptor> layers = List.copyOf(distinct);
        for (int i = 0; i < downloads.size(); i++) {
            boolean fetched = Waiting.forResult(downloads.get(i), "the pull");
            total += layers.get(i).size();
            if (fetched) {
                downloaded += layers.get(i).size();
            } else {
                cached++;
            }
        }
        return new Tally(total, downloaded, cached);
    }

    /** One blob into the store; true when it was downloaded, false when the store had it. */
    boolean fetch(RegistryClient client, ResolvedImage resolved, Descriptor blob, String what, ProgressTracker progress) {
        Operation op = resolved.operation("fetch " + what, blob.digest());
        try {
            boolean fetched = store.ensure(blob, client.blob(op, blob), observer(client.retryPolicy(), resolved, blob, what, progress));
            listener.debug((fetched ? "downloaded " : "cached     ") + blob.digest() + " (" + blob.size() + " bytes) of "
                    + resolved.reference().familiarString());
            return fetched;
        } catch (BlobVerificationException e) {
            throw resolved.operation("verify " + what, blob.digest()).failure(Reason.DIGEST_MISMATCH, e.getMessage(), e);
        } catch (DownloadBrokeOffException e) {
            throw op.failure(Reason.UNREACHABLE, e.getMessage(), e);
        } catch (IOException e) {
            throw resolved.operation("store " + what, blob.digest()).failure(Reason.IO, "in the cache " + store.root() + ": " + e, e);
        }
    }

    /**
     * Logs resumes and restarts at WARN and waits with the retry policy's backoff before resuming; the policy's
     * attempts bound the resumes that bring no new byte, as they bound every other request.
     */
    private IngestObserver observer(RetryPolicy retries, ResolvedImage resolved, Descriptor blob, String what, ProgressTracker progress) {
        String name = what + " " + resolved.reference().familiarString() + " (" + blob.digest().shortHex() + ")";
        return new IngestObserver() {
            @Override
            public void bytesWritten(long count) {
                if (progress != null) {
                    progress.bytes(count);
                }
            }

            @Override
            public int attemptsWithoutProgress() {
                return retries.attempts();
            }

            @Override
            public void resuming(long offset, IOException cause, int attempt) throws IOException {
                Duration wait = retries.delay(attempt, null, Instant.now());
                listener.warn("download of " + name + " broke off at byte " + offset + " of " + blob.size() + " ("
                        + cause.getMessage() + "); resuming in " + wait.toMillis() + " ms");
                try {
                    RetryPolicy.sleep(wait);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new InterruptedIOException("interrupted while waiting to resume");
                }
            }

            @Override
            public void restarting(String reason) {
                listener.warn("discarding the download of " + name + " and fetching it again from the start: " + reason);
            }
        };
    }

}
