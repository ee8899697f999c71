package io.github.frozenimages.images.core.store;

import java.io.IOException;

/** Hears what a download into the store does: for progress lines, warnings, and the wait before a resume. */
public interface IngestObserver {

    /** Bytes received and written; called often, so it must be cheap. */
    default void bytesWritten(long count) {
    }

    /**
     * A body broke off; the download resumes at {@code offset} once this returns. May wait (backoff);
     * throwing ends the download.
     */
    default void resuming(long offset, IOException cause, int attempt) throws IOException {
    }

    /**
     * How many attempts in a row may bring no new byte before the download gives up: the build's retry budget,
     * so that {@code images.retries} bounds a stuck blob as it bounds every request.
     */
    default int attemptsWithoutProgress() {
        return BlobIngest.DEFAULT_ATTEMPTS_WITHOUT_PROGRESS;
    }

    /** The bytes received so far were discarded: the download starts again from zero. */
    default void restarting(String reason) {
    }

    IngestObserver NONE = new IngestObserver() {
    };
}
