package io.github.frozenimages.images.core.shared;

import io.github.frozenimages.images.core.shared.ImagePullException.Reason;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;

/** Waits for work handed to a pool, so that what failed there fails here as the core's own failure. */
public final class Waiting {

    private Waiting() {
    }

    /**
     * The result of {@code future}: a core failure in the pool is rethrown as it is, anything else as an I/O failure.
     *
     * @param work what was being done, for the message when the wait is interrupted ("the pull", "the push")
     */
    public static <T> T forResult(Future<T> future, String work) {
        try {
            return future.get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException re) {
                throw re;
            }
            throw new ImagePullException(Reason.IO, String.valueOf(e.getCause()), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ImagePullException(Reason.IO, work + " was interrupted", e);
        }
    }
}
