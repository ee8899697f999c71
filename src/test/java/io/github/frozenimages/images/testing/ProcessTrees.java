package io.github.frozenimages.images.testing;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Stops a process and everything it spawned. Uses only JDK classes and no lambdas: it also runs in
 * shutdown hooks, when exec:java may already have closed the class loader of the test classes.
 */
final class ProcessTrees {

    private static final Duration KILL_GRACE = Duration.ofSeconds(5);

    private ProcessTrees() {
    }

    /** SIGTERM, wait up to {@code timeout}, then SIGKILL; fails if the process still lives after that. */
    static void stop(Process process, Duration timeout) {
        List<ProcessHandle> descendants = process.descendants().toList();
        for (ProcessHandle descendant : descendants) {
            descendant.destroy();
        }
        process.destroy();
        boolean interrupted = false;
        try {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                process.waitFor(KILL_GRACE.toMillis(), TimeUnit.MILLISECONDS);
            }
        } catch (InterruptedException e) {
            // Still kill it: an interrupted test must not leave the process behind.
            interrupted = true;
            process.destroyForcibly();
        }
        for (ProcessHandle descendant : descendants) {
            if (descendant.isAlive()) {
                descendant.destroyForcibly();
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        if (process.isAlive() && !interrupted) {
            throw new IllegalStateException("process " + process.pid() + " survived SIGKILL for "
                    + KILL_GRACE.toSeconds() + " s");
        }
    }
}
