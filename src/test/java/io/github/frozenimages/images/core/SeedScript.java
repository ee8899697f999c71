package io.github.frozenimages.images.core;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Moby's {@code download-frozen-image-v2.sh}, the plugin's seed, run for real against the test registry: a
 * temporary copy whose {@code registryBase=} and {@code authBase=} lines {@code sed} points at local servers,
 * and otherwise the script as published. Needs bash, curl, jq and sha256sum.
 */
final class SeedScript {

    /** Where the published script lives, beside the project. */
    static final Path ORIGINAL = Path.of("..", "shared", "seed", "download-frozen-image-v2.sh");

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
     * Copies the seed into {@code directory} with its registry and token server replaced by {@code sed};
     * {@code extraSedScripts} may change more (each a sed expression), for a variant of the script.
     */
    static SeedScript pointedAt(Path directory, String registryBase, String authBase, String... extraSedScripts)
            throws IOException, InterruptedException {
        if (!Files.isRegularFile(ORIGINAL)) {
            throw new AssertionError("the seed script is missing: expected " + ORIGINAL.toAbsolutePath().normalize());
        }
        Path copy = Files.createDirectories(directory).resolve("download-frozen-image-v2.sh");
        Files.copy(ORIGINAL, copy);
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
