package io.github.frozenimages.images.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;

/**
 * A small tmpfs mounted on a folder for one test: a file system that fills up at a known size, or that can be
 * turned read-only, as a real disk, CI cache or shared volume does. Needs root (CI and {@code .ci/run} run the
 * tests as root); elsewhere the test is skipped with a message saying why. Closing unmounts it, so a test
 * puts it in a try-with-resources and leaves no mount behind, also when it fails.
 */
public final class TmpfsMount implements AutoCloseable {

    private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(30);

    private final Path mountPoint;
    private boolean mounted;

    private TmpfsMount(Path mountPoint) {
        this.mountPoint = mountPoint;
    }

    /** Mounts a tmpfs of {@code megabytes} MiB on {@code folder} (created if missing), or skips the test. */
    public static TmpfsMount of(Path folder, int megabytes) {
        Assumptions.assumeTrue("root".equals(System.getProperty("user.name")),
                "skipped: mounting a tmpfs needs root, and the tests run as " + System.getProperty("user.name"));
        try {
            Files.createDirectories(folder);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        TmpfsMount mount = new TmpfsMount(folder.toAbsolutePath());
        ProcessRunner.Result result = ProcessRunner.run(COMMAND_TIMEOUT, Map.of(),
                List.of("mount", "-t", "tmpfs", "-o", "size=" + megabytes + "m", "tmpfs", mount.mountPoint.toString()));
        Assumptions.assumeTrue(result.exitCode() == 0, () -> "skipped: the sandbox refused a tmpfs mount: " + result.describe());
        mount.mounted = true;
        return mount;
    }

    public Path path() {
        return mountPoint;
    }

    /** Gives the file system another size, keeping its files: room again after a full disk. */
    public void resize(int megabytes) {
        remount("size=" + megabytes + "m");
    }

    /** Makes it read-only, keeping its files, as a cache restored read-only is. */
    public void readOnly() {
        remount("ro");
    }

    public void writable() {
        remount("rw");
    }

    private void remount(String options) {
        ProcessRunner.runSuccessfully(COMMAND_TIMEOUT, Map.of(), List.of("mount", "-o", "remount," + options, mountPoint.toString()));
    }

    @Override
    public void close() {
        if (!mounted) {
            return;
        }
        mounted = false;
        ProcessRunner.Result result = ProcessRunner.run(COMMAND_TIMEOUT, Map.of(), List.of("umount", mountPoint.toString()));
        if (result.exitCode() != 0) {
            // a file still open in it (a thread of a failed pull) keeps it busy: detach it now, the kernel frees it
            // when that file is closed
            ProcessRunner.runSuccessfully(COMMAND_TIMEOUT, Map.of(), List.of("umount", "-l", mountPoint.toString()));
        }
    }
}
