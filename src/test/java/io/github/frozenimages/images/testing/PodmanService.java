package io.github.frozenimages.images.testing;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * Podman's Docker-compatible API service ({@code podman system service}) on a unix socket in a throwaway
 * folder, with its own vfs image store: a real engine for the load goal to talk to, with no daemon of the
 * host involved. {@link #close()} stops it (by its own process handle) and deletes the folder.
 */
public final class PodmanService implements AutoCloseable {

    private static final Duration READY_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(10);

    private final Path directory;
    private final Process process;

    private PodmanService(Path directory, Process process) {
        this.directory = directory;
        this.process = process;
    }

    /** Starts the service and returns once its socket accepts connections; fails with its log otherwise. */
    public static PodmanService start() {
        String podman = Consumers.requireBinary("podman");
        // Directly under /tmp with a short name: podman 4.3 refuses a runroot longer than 50 characters.
        Path directory = TempFiles.createDirectory(Path.of("/tmp"), "pm-");
        Process process = null;
        try {
            Path conf = directory.resolve("storage.conf");
            Files.writeString(conf, "[storage]\n"
                    + "driver = \"vfs\"\n"
                    + "graphroot = \"" + directory.resolve("root") + "\"\n"
                    + "runroot = \"" + directory.resolve("run") + "\"\n");
            Path socket = directory.resolve("podman.sock");
            ProcessBuilder builder = new ProcessBuilder(List.of(podman,
                    "--root", directory.resolve("root").toString(),
                    "--runroot", directory.resolve("run").toString(),
                    "--tmpdir", directory.resolve("tmp").toString(),
                    "--storage-driver", "vfs",
                    "--events-backend", "none",
                    "--cgroup-manager", "cgroupfs",
                    // --time=0: no idle timeout, close() ends it
                    "system", "service", "--time=0", "unix://" + socket))
                    .redirectInput(new File("/dev/null"))
                    .redirectOutput(directory.resolve("service.log").toFile())
                    .redirectErrorStream(true);
            // TMPDIR: where the service spools uploaded archives; our storage.conf, not /etc's or the user's
            builder.environment().put("TMPDIR", directory.toString());
            builder.environment().put("CONTAINERS_STORAGE_CONF", conf.toString());
            process = builder.start();
            PodmanService service = new PodmanService(directory, process);
            service.awaitSocket(socket);
            return service;
        } catch (IOException e) {
            stopAndDelete(process, directory);
            throw new UncheckedIOException("cannot start podman system service: " + e.getMessage(), e);
        } catch (RuntimeException | Error e) {
            stopAndDelete(process, directory);
            throw e;
        }
    }

    private void awaitSocket(Path socket) {
        long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("podman system service exited with " + process.exitValue()
                        + " before listening:\n" + LogTail.of(log(), 40));
            }
            if (Files.exists(socket)) {
                try (SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX)) {
                    channel.connect(UnixDomainSocketAddress.of(socket));
                    return;
                } catch (IOException notYet) {
                    // the file appears before the listener is ready
                }
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for podman system service", e);
            }
        }
        throw new IllegalStateException("podman system service did not listen on " + socket + " within "
                + READY_TIMEOUT.toSeconds() + " s:\n" + LogTail.of(log(), 40));
    }

    /** The socket's address as DOCKER_HOST writes it. */
    public String dockerHost() {
        return "unix://" + socket();
    }

    public Path socket() {
        return directory.resolve("podman.sock");
    }

    /** The service's output so far, for failure messages. */
    public String logTail() {
        return LogTail.of(log(), 40);
    }

    private Path log() {
        return directory.resolve("service.log");
    }

    @Override
    public void close() {
        stopAndDelete(process, directory);
    }

    private static void stopAndDelete(Process process, Path directory) {
        try {
            if (process != null && process.isAlive()) {
                ProcessTrees.stop(process, STOP_TIMEOUT);
            }
        } finally {
            TempFiles.deleteRecursively(directory);
        }
    }
}
