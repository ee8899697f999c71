package io.github.frozenimages.images.testing;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs an external program with a time limit. Output goes to files rather than pipes, so a chatty
 * program cannot block on a full pipe and no reader threads are needed.
 */
final class ProcessRunner {

    private ProcessRunner() {
    }

    /** What a finished program printed and returned. */
    record Result(List<String> command, int exitCode, String stdout, String stderr) {

        String describe() {
            return failureText(command, "exited with " + exitCode, stdout, stderr);
        }
    }

    /** Runs the command and fails (with its output) unless it exits 0 within {@code timeout}. */
    static Result runSuccessfully(Duration timeout, Map<String, String> environment, List<String> command) {
        Result result = run(timeout, environment, command);
        if (result.exitCode() != 0) {
            throw new AssertionError(result.describe());
        }
        return result;
    }

    /** Runs the command; fails (with its output so far) only if it does not finish within {@code timeout}. */
    static Result run(Duration timeout, Map<String, String> environment, List<String> command) {
        Path directory = TempFiles.createDirectory("images-test-process-");
        try {
            Path stdout = directory.resolve("stdout");
            Path stderr = directory.resolve("stderr");
            ProcessBuilder builder = new ProcessBuilder(command)
                    .redirectInput(new File("/dev/null"))
                    .redirectOutput(stdout.toFile())
                    .redirectError(stderr.toFile());
            builder.environment().putAll(environment);
            Process process = start(builder);
            boolean finished = waitFor(process, timeout);
            if (!finished) {
                ProcessTrees.stop(process, Duration.ofSeconds(5));
                throw new AssertionError(failureText(command, "did not finish within " + timeout.toSeconds()
                        + " s and was killed", LogTail.read(stdout), LogTail.read(stderr)));
            }
            return new Result(List.copyOf(command), process.exitValue(), LogTail.read(stdout), LogTail.read(stderr));
        } finally {
            TempFiles.deleteRecursively(directory);
        }
    }

    private static String failureText(List<String> command, String outcome, String stdout, String stderr) {
        return "`" + String.join(" ", command) + "` " + outcome
                + "\n--- stdout ---\n" + LogTail.last(stdout, 60)
                + "\n--- stderr ---\n" + LogTail.last(stderr, 60);
    }

    private static Process start(ProcessBuilder builder) {
        try {
            return builder.start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run " + builder.command() + ": " + e.getMessage(), e);
        }
    }

    private static boolean waitFor(Process process, Duration timeout) {
        try {
            return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            ProcessTrees.stop(process, Duration.ofSeconds(5));
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running " + process.info().commandLine(), e);
        }
    }
}
