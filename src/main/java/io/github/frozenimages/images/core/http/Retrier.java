package io.github.frozenimages.images.core.http;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.time.Duration;
import java.time.Instant;
import javax.net.ssl.SSLException;
import org.apache.hc.core5.http.ClassicHttpResponse;
import org.apache.hc.core5.http.Header;
import org.apache.hc.core5.http.HttpHeaders;

/**
 * The one retry layer: every request the plugin sends to a registry or a token service goes through it, so
 * {@code images.retries} means the same for a ping, a token, a manifest and the opening of a blob. It tries an
 * exchange again after a network error, a transient status, or a body that broke off while its handler read it,
 * waiting as the {@link RetryPolicy} says; anything else is the caller's to judge.
 */
public final class Retrier {

    private final RetryPolicy policy;

    public Retrier(RetryPolicy policy) {
        this.policy = policy;
    }

    public RetryPolicy policy() {
        return policy;
    }

    /** The same waits, but a single attempt: for a request whose repetition its caller manages itself. */
    public Retrier once() {
        return new Retrier(new RetryPolicy(1, java.time.Duration.ZERO, policy.maxDelay()));
    }

    /** One attempt's request, sent anew each time (a fresh token or redirect may differ between attempts). */
    @FunctionalInterface
    public interface Attempt {
        ClassicHttpResponse open() throws IOException;
    }

    /**
     * Takes a final answer (any status but a transient one with attempts left). It owns the response: it closes
     * it, or hands it on open (a blob body). A {@link BrokenBody} it throws is retried; any other exception ends the
     * exchange, and the retrier drops the response.
     */
    @FunctionalInterface
    public interface Handler<T> {
        T handle(ClassicHttpResponse response, int attempt) throws IOException;
    }

    /** Hears each retry before the wait, to log it and count it. */
    @FunctionalInterface
    public interface Observer {
        void retrying(Retry retry);

        Observer NONE = retry -> { };
    }

    /** What failed, and what happens next. */
    public record Retry(int failedAttempt, int attempts, Kind kind, String reason, Duration delay) {
    }

    /** Which kind of failure is retried: the message the caller logs depends on it. */
    public enum Kind { CONNECTION, STATUS, BROKEN_BODY }

    /** Thrown by a handler whose body read failed after the headers: the whole exchange is worth another attempt. */
    public static final class BrokenBody extends IOException {
        public BrokenBody(IOException cause) {
            super(cause.getMessage(), cause);
        }
    }

    /** The attempts are used up, or the failure was one no attempt can mend (TLS); carries how many were made. */
    public static final class GaveUp extends IOException {
        private final int attempts;
        private final boolean brokenBody;

        GaveUp(IOException cause, int attempts) {
            super(cause.getMessage(), cause instanceof BrokenBody b ? b.getCause() : cause);
            this.attempts = attempts;
            this.brokenBody = cause instanceof BrokenBody;
        }

        public int attempts() {
            return attempts;
        }

        /** Whether the last attempt got an answer whose body then broke off, rather than no answer at all. */
        public boolean brokenBody() {
            return brokenBody;
        }

        /** The underlying failure's type and message, e.g. {@code ConnectException Connection refused}. */
        public String describeCause() {
            Throwable c = getCause();
            return c.getClass().getSimpleName() + (c.getMessage() == null ? "" : " " + c.getMessage());
        }
    }

    public <T> T exchange(Attempt attempt, Handler<T> handler, Observer observer) throws IOException {
        for (int n = 1; ; n++) {
            ClassicHttpResponse response;
            try {
                response = attempt.open();
            } catch (IOException e) {
                // a certificate that is not trusted now will not be trusted in a second either
                if (n >= policy.attempts() || e instanceof SSLException || e instanceof GaveUp) {
                    throw e instanceof GaveUp ? e : new GaveUp(e, n);
                }
                pause(observer, new Retry(n, policy.attempts(), Kind.CONNECTION, describe(e), policy.delay(n, null, Instant.now())));
                continue;
            }
            int status = response.getCode();
            if (RetryPolicy.isTransient(status) && n < policy.attempts() && !limitUsedUp(response)) {
                Header retryAfter = response.getFirstHeader(HttpHeaders.RETRY_AFTER);
                String detail = ErrorBodies.describe(status, BoundedBody.readQuietly(response, ErrorBodies.MAX_BODY));
                Duration wait = policy.delay(n, retryAfter == null ? null : retryAfter.getValue(), Instant.now());
                pause(observer, new Retry(n, policy.attempts(), Kind.STATUS, detail, wait));
                continue;
            }
            try {
                return handler.handle(response, n);
            } catch (BrokenBody e) {
                BoundedBody.abort(response);
                if (n >= policy.attempts()) {
                    throw new GaveUp(e, n);
                }
                pause(observer, new Retry(n, policy.attempts(), Kind.BROKEN_BODY, e.getMessage(), policy.delay(n, null, Instant.now())));
            } catch (IOException | RuntimeException e) {
                BoundedBody.abort(response);
                throw e;
            }
        }
    }

    /**
     * A 429 that says the pull limit is used up ({@code ratelimit-remaining: 0}, Docker Hub's way) will not lift
     * within a build's backoff, and every retry would be counted against the limit too: it is final, unless the
     * registry's own {@code Retry-After} names a time within the cap.
     */
    private boolean limitUsedUp(ClassicHttpResponse response) {
        if (response.getCode() != 429) {
            return false;
        }
        Header remaining = response.getFirstHeader("ratelimit-remaining");
        if (remaining == null || !remaining.getValue().trim().matches("0(;.*)?")) {
            return false;
        }
        Header retryAfter = response.getFirstHeader(HttpHeaders.RETRY_AFTER);
        return retryAfter == null || !policy.retryAfterWithinCap(retryAfter.getValue(), Instant.now());
    }

    private static void pause(Observer observer, Retry retry) throws InterruptedIOException {
        observer.retrying(retry);
        try {
            RetryPolicy.sleep(retry.delay());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while waiting to retry");
        }
    }

    public static String describe(IOException e) {
        return e.getClass().getSimpleName() + (e.getMessage() == null ? "" : " " + e.getMessage());
    }
}
