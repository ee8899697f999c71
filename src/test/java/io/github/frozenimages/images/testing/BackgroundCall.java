package io.github.frozenimages.images.testing;

import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A call run on a thread of its own, for a test that must show the call waits for something: the test holds
 * that thing back, learns that the call is waiting ({@link #awaitWaitingOrDone()}), lets the thing go, then
 * looks at what the call saw. A call that ought to wait and does not is caught having ended while the thing
 * was still held. Nothing is timed: the JVM's view of the thread says that it waits, where a sleep would guess.
 */
public final class BackgroundCall<T> implements AutoCloseable {

    /** A bound for a stuck thread, far beyond any expected wait: reaching it fails the test, it measures nothing. */
    private static final Duration LIMIT = Duration.ofSeconds(30);

    private final FutureTask<T> task;
    private final Thread thread;

    private BackgroundCall(String name, Callable<T> call) {
        this.task = new FutureTask<>(call);
        this.thread = new Thread(task, name);
        thread.setDaemon(true);
        thread.start();
    }

    public static <T> BackgroundCall<T> start(String name, Callable<T> call) {
        return new BackgroundCall<>(name, call);
    }

    /**
     * Returns once the call's thread waits (parked on a lock, latch or future, sleeping, or blocked on a
     * monitor), or once the call has ended: true if it waits, false if it ended.
     */
    public boolean awaitWaitingOrDone() {
        long deadline = System.nanoTime() + LIMIT.toNanos();
        while (true) {
            if (task.isDone()) {
                return false;
            }
            switch (thread.getState()) {
                case WAITING, TIMED_WAITING, BLOCKED -> {
                    return true;
                }
                case TERMINATED -> {
                    return false;
                }
                default -> {
                    // NEW or RUNNABLE: still on its way
                }
            }
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError(thread.getName() + " neither waited nor ended within " + LIMIT.toSeconds() + " s:\n" + stack());
            }
            Thread.yield();
        }
    }

    /** What the call returned; what it threw is thrown again. Fails if it has not ended within the bound. */
    public T result() throws Exception {
        try {
            return task.get(LIMIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof Error error) {
                throw error;
            }
            throw (Exception) e.getCause();
        } catch (TimeoutException e) {
            throw new AssertionError(thread.getName() + " still runs after " + LIMIT.toSeconds() + " s:\n" + stack());
        }
    }

    /** Interrupts a call still running and waits (bounded) for its thread: a failed test leaves no thread behind. */
    @Override
    public void close() throws InterruptedException {
        if (thread.isAlive()) {
            thread.interrupt();
            thread.join(LIMIT.toMillis());
        }
    }

    private String stack() {
        return String.join("\n", Arrays.stream(thread.getStackTrace()).map(f -> "\tat " + f).toList());
    }
}
