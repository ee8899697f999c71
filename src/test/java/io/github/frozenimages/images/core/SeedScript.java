package io.github.frozenimages.images.core;

import io.github.frozenimages.images.testing.ForkedMaven;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Moby's {@code download-frozen-image-v2.sh}, the plugin's seed, run for real against the test registry: a
 * temporary copy whose {@code registryBase=} and {@code authBase=} lines {@code sed} points at local servers,
 * and otherwise the script as published. Needs bash, curl, jq and sha256sum.
 *
 * <p>The script is not part of the project. {@code -Dseed.script=<file>} names it, and then it must be there;
 * without the property it is looked for beside the project ({@code ../shared/seed/}), and where it is not,
 * the tests that need it are skipped with a message saying so: a clone of the project alone still builds.
 */
final class SeedScript {

    /** The system property naming the script; a relative path is taken from the project folder, like the default. */
    static final String PROPERTY = "seed.script";

    /** Where the script is looked for when {@link #PROPERTY} is not set. */
    private static final Path BESIDE_THE_PROJECT = Path.of("..", "shared", "seed", "download-frozen-image-v2.sh");

    private static final Duration TIMEOUT = Duration.ofSeconds(120);

    /** How one run ended. */
    record Run(int exitCode, String stdout, String stderr) {

        String describe() {
            return "seed exited with " + exitCode + "\n--- stdout ---\n" + stdout + "\n--- stderr ---\n" + stderr;
        }
    }

    private final Path script;

    private SeedScript(Path script) {
        this.script = script;
    }

    /**
     * The published script. Named by {@link #PROPERTY}, it must exist: whoever names it (CI does) means the
     * tests to run, so a wrong or lost path fails them. Otherwise the copy beside the project, if there is one.
     */
    static Optional<Path> find() {
        String named = System.getProperty(PROPERTY, "");
        if (!named.isBlank()) {
            Path script = fromProjectFolder(Path.of(named));
            if (!Files.isRegularFile(script)) {
                throw new AssertionError("-D" + PROPERTY + "=" + named + " names no file: " + script
                        + " does not exist; point it at Moby's download-frozen-image-v2.sh");
            }
            return Optional.of(script);
        }
        Path script = fromProjectFolder(BESIDE_THE_PROJECT);
        return Files.isRegularFile(script) ? Optional.of(script) : Optional.empty();
    }

    /** {@link #find()}, and where there is no script a skip (an assumption) saying where it was looked for. */
    static Path original() {
        return find().orElseGet(() -> Assumptions.abort(whyMissing()));
    }

    private static String whyMissing() {
        return "the seed script download-frozen-image-v2.sh is not at " + fromProjectFolder(BESIDE_THE_PROJECT)
                + ", where it is looked for by default; to run the tests comparing the plugin with it, pass -D"
                + PROPERTY + "=/path/to/download-frozen-image-v2.sh";
    }

    private static Path fromProjectFolder(Path path) {
        return ForkedMaven.projectDirectory().resolve(path).normalize();
    }

    /**
     * For {@code @ExtendWith} on a test class that runs the seed: skips the class before any {@code @BeforeAll}
     * where there is no script, so it starts no registry. A condition rather than an assumption in
     * {@code @BeforeAll}: surefire counts the tests of a class aborted there as none at all, not as skipped.
     * Surefire's console never shows why a test was skipped, so the reason is printed as well.
     */
    static final class Needed implements ExecutionCondition {
        @Override
        public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
            Optional<Path> script = find();
            if (script.isPresent()) {
                return ConditionEvaluationResult.enabled("the seed script is " + script.get());
            }
            String reason = whyMissing();
            System.err.println("SKIPPED " + context.getDisplayName() + ": " + reason);
            return ConditionEvaluationResult.disabled(reason);
        }
    }

    /**
     * Copies the seed into {@code directory} with its registry and token server replaced by {@code sed};
     * {@code extraSedScripts} may change more (each a sed expression), for a variant of the script.
     */
    static SeedScript pointedAt(Path directory, String registryBase, String authBase, String... extraSedScripts)
            throws IOException, InterruptedException {
        Path copy = Files.createDirectories(directory).resolve("download-frozen-image-v2.sh");
        Files.copy(original(), copy);
        List<String> sed = new ArrayList<>(List.of("sed", "-i",
                "-e", "s|^registryBase=.*$|registryBase='" + registryBase + "'|",
                "-e", "s|^authBase=.*$|authBase='" + authBase + "'|"));
        for (String extra : extraSedScripts) {
            sed.add("-e");
            sed.add(extra);
        }
        sed.add(copy.toString());
        Run edited = run(directory, sed, Map.of());
        if (edited.exitCode() != 0) {
            throw new AssertionError("sed failed: " + edited.describe());
        }
        String text = Files.readString(copy, StandardCharsets.UTF_8);
        if (!text.contains("registryBase='" + registryBase + "'") || !text.contains("authBase='" + authBase + "'")) {
            throw new AssertionError("sed did not point the seed at the test servers; the script changed? " + copy);
        }
        return new SeedScript(copy);
    }

    /** {@code bash download-frozen-image-v2.sh <dir> <images...>} with TARGETARCH and TARGETVARIANT set, nothing else inherited of them. */
    Run pull(Path dir, String targetArch, String targetVariant, String... images) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("bash", script.toString(), dir.toString()));
        command.addAll(List.of(images));
        return run(script.getParent(), command, Map.of("TARGETARCH", targetArch, "TARGETVARIANT", targetVariant));
    }

    String text() throws IOException {
        return Files.readString(script, StandardCharsets.UTF_8);
    }

    /** Output to files, not pipes: curl's progress bars cannot fill a pipe and block the script. */
    private static Run run(Path workDir, List<String> command, Map<String, String> environment) throws IOException, InterruptedException {
        Path stdout = Files.createTempFile(workDir, "seed-", ".out");
        Path stderr = Files.createTempFile(workDir, "seed-", ".err");
        try {
            ProcessBuilder builder = new ProcessBuilder(command).directory(workDir.toFile())
                    .redirectInput(new File("/dev/null"))
                    .redirectOutput(stdout.toFile())
                    .redirectError(stderr.toFile());
            builder.environment().remove("TARGETARCH");
            builder.environment().remove("TARGETVARIANT");
            builder.environment().putAll(environment);
            Process process = builder.start();
            if (!process.waitFor(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                throw new AssertionError(String.join(" ", command) + " did not finish within " + TIMEOUT.toSeconds() + " s\n"
                        + Files.readString(stderr));
            }
            return new Run(process.exitValue(), Files.readString(stdout), Files.readString(stderr));
        } finally {
            Files.deleteIfExists(stdout);
            Files.deleteIfExists(stderr);
        }
    }
}
