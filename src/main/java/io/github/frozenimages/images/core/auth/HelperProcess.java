package io.github.frozenimages.images.core.auth;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Runs a credential helper: writes its input, reads at most a bounded amount of its output, and kills it
 * with everything it started when it has not finished by the deadline. A helper may wait for a keychain
 * prompt nobody answers on a build server; the build must not wait with it.
 */
final class HelperProcess {

    /** What the helper did; {@code overflowed} when it wrote more than the bound (the rest was discarded). */
    record Outcome(int exitCode, byte[] stdout, byte[] stderr, boolean overflowed) {
    }

    private HelperProcess() {
    }

    /**
     * @param env the helper's whole environment (helpers need the user's, e.g. for gpg or D-Bus); tests pass their own
     * @throws TimeoutException the helper, or a process it started holding its output open, outlived the timeout
     */
    static Outcome run(List<String> command, Map<String, String> env, byte[] stdin, Duration timeout, int maxOutput)
            throws IOException, TimeoutException {
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.environment().clear();
        builder.environment().putAll(env);
        long deadline = System.nanoTime() + timeout.toNanos();
        Process process = builder.start();
        BoundedReader out = BoundedReader.start(process.getInputStream(), maxOutput, command.get(0) + " stdout");
        BoundedReader err = BoundedReader.start(process.getErrorStream(), maxOutput, command.get(0) + " stderr");
        try (OutputStream in = process.getOutputStream()) {
            in.write(stdin);
        } catch (IOException e) {
            // the helper quit or closed its input without reading it; its exit status says why
        }
        try {
            if (!process.waitFor(remaining(deadline), TimeUnit.NANOSECONDS)
                    || !out.awaitEnd(remaining(deadline)) || !err.awaitEnd(remaining(deadline))) {
                killTree(process);
                throw new TimeoutException();
            }
        } catch (InterruptedException e) {
            killTree(process);
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while waiting for " + command.get(0));
        }
        return new Outcome(process.exitValue(), out.bytes(), err.bytes(), out.overflowed() || err.overflowed());
    }

    private static long remaining(long deadline) {
        return Math.max(0, deadline - System.nanoTime());
    }

    /** Children first: once the helper is gone they are re-parented and no longer found through it. */
    private static void killTree(Process process) {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
    }

    /** Drains one stream on a daemon thread so the helper never blocks on a full pipe; keeps the first bytes only. */
    private static final class BoundedReader implements Runnable {

        private final InputStream in;
        private final int max;
        private final ByteArrayOutputStream kept = new ByteArrayOutputStream();
        private final CountDownLatch ended = new CountDownLatch(1);
        private volatile boolean overflowed;

        private BoundedReader(InputStream in, int max) {
            this.in = in;
            this.max = max;
        }

        static BoundedReader start(InputStream in, int max, String name) {
            BoundedReader reader = new BoundedReader(in, max);
            Thread thread = new Thread(reader, "images-" + name);
            thread.setDaemon(true);
            thread.start();
            return reader;
        }

        @Override
        public void run() {
            byte[] buffer = new byte[8192];
            try (in) {
                int n;
                while ((n = in.read(buffer)) >= 0) {
                    synchronized (kept) {
                        int room = max - kept.size();
                        kept.write(buffer, 0, Math.min(room, n));
                        overflowed |= n > room;
                    }
                }
            } catch (IOException e) {
                // the stream closes when the process is killed; what was read so far is all there is
            } finally {
                ended.countDown();
            }
        }

        boolean awaitEnd(long nanos) throws InterruptedException {
            return ended.await(nanos, TimeUnit.NANOSECONDS);
        }

        byte[] bytes() {
            synchronized (kept) {
                return kept.toByteArray();
            }
        }

        boolean overflowed() {
            return overflowed;
        }
    }
}
