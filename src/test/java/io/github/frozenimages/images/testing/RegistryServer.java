package io.github.frozenimages.images.testing;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.HttpURLConnection;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A real Distribution 2.8 registry ({@code /usr/bin/docker-registry}) in its own temp dir, listening on
 * 127.0.0.1. Close it (try-with-resources or {@code @AfterAll}); a JVM shutdown hook closes any server
 * a test forgot, so no registry outlives the JVM that started it.
 */
public final class RegistryServer implements AutoCloseable {

    static final Path BINARY = Path.of("/usr/bin/docker-registry");
    private static final Duration STARTUP_TIMEOUT = Duration.ofSeconds(20);
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(10);
    private static final Pattern LISTENING = Pattern.compile("listening on 127\\.0\\.0\\.1:(\\d+)");
    private static final Set<RegistryServer> RUNNING = ConcurrentHashMap.newKeySet();

    static {
        // exec:java closes the test class loader once main() returns; load what close() needs now.
        ProcessTrees.class.getName();
        TempFiles.class.getName();
        Runtime.getRuntime().addShutdownHook(
                DetachedThreads.newDaemon("registry-server-cleanup", RegistryServer::closeAllRunning));
    }

    private final Process process;
    private final Path directory;
    private final Path storageRoot;
    private final Path logFile;
    private final String scheme;
    private final AtomicBoolean closed = new AtomicBoolean();
    private volatile int port;

    private RegistryServer(Process process, Path directory, String scheme) {
        this.process = process;
        this.directory = directory;
        this.storageRoot = directory.resolve("storage");
        this.logFile = directory.resolve("registry.log");
        this.scheme = scheme;
    }

    /** Plain http, no auth, on a free port of 127.0.0.1. */
    public static RegistryServer start() {
        return start(RegistryConfig.plain());
    }

    public static RegistryServer start(RegistryConfig config) {
        return start(config, BINARY);
    }

    static RegistryServer start(RegistryConfig config, Path binary) {
        if (!Files.isExecutable(binary)) {
            // A failure, not a skip: a skipped harness would let every registry test pass silently.
            throw new AssertionError("the Distribution registry binary " + binary + " is missing: install it"
                    + " with `apt-get install -y docker-registry` (the project's .ci/run does this)");
        }
        Path directory = TempFiles.createDirectory("images-test-registry-");
        RegistryServer server;
        try {
            Files.createDirectories(directory.resolve("storage"));
            Path configFile = directory.resolve("config.yml");
            Files.writeString(configFile, config.render(directory.resolve("storage")));
            ProcessBuilder builder = new ProcessBuilder(binary.toString(), "serve", configFile.toString())
                    .directory(directory.toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(directory.resolve("registry.log").toFile())
                    .redirectInput(new File("/dev/null"));
            // REGISTRY_<SECTION>_<KEY> variables override the file; an inherited one would change the test.
            builder.environment().keySet().removeIf(name -> name.startsWith("REGISTRY_"));
            server = new RegistryServer(builder.start(), directory, config.scheme());
        } catch (IOException e) {
            TempFiles.deleteRecursively(directory);
            throw new UncheckedIOException("cannot start " + binary + ": " + e.getMessage(), e);
        }
        RUNNING.add(server);
        try {
            server.awaitReady(config);
            return server;
        } catch (RuntimeException | Error e) {
            try {
                server.close();
            } catch (RuntimeException closeFailure) {
                e.addSuppressed(closeFailure);
            }
            throw e;
        }
    }

    /** {@code 127.0.0.1:PORT}, as used in image references. */
    public String address() {
        return "127.0.0.1:" + port;
    }

    public String baseUrl() {
        return scheme + "://" + address();
    }

    public int port() {
        return port;
    }

    /** The filesystem driver's root; blobs live under {@code docker/registry/v2/blobs/sha256/}. */
    public Path storageRoot() {
        return storageRoot;
    }

    /** The temp dir holding {@code config.yml}, {@code registry.log} and the storage root. */
    public Path directory() {
        return directory;
    }

    public Path logFile() {
        return logFile;
    }

    public long pid() {
        return process.pid();
    }

    public boolean isRunning() {
        return process.isAlive();
    }

    /** The last lines the registry logged, for failure messages. */
    public String logTail() {
        return LogTail.of(logFile, 40);
    }

    /** Stops the registry (and anything it spawned), waits for it, and deletes its temp dir. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        RUNNING.remove(this);
        try {
            ProcessTrees.stop(process, STOP_TIMEOUT);
        } finally {
            TempFiles.deleteRecursively(directory);
        }
    }

    @Override
    public String toString() {
        return "RegistryServer[" + baseUrl() + ", pid " + process.pid() + ", " + directory + "]";
    }

    private void awaitReady(RegistryConfig config) {
        long deadline = System.nanoTime() + STARTUP_TIMEOUT.toNanos();
        while (port == 0) {
            Matcher listening = LISTENING.matcher(LogTail.read(logFile));
            if (listening.find()) {
                port = Integer.parseInt(listening.group(1));
            } else {
                checkStillStarting(deadline, "no \"listening on 127.0.0.1:PORT\" line in the log", config);
                sleep(Duration.ofMillis(50));
            }
        }
        String problem;
        while ((problem = readinessProblem()) != null) {
            checkStillStarting(deadline, "GET " + baseUrl() + "/v2/ did not answer 200 or 401: " + problem, config);
            sleep(Duration.ofMillis(100));
        }
    }

    private void checkStillStarting(long deadline, String reason, RegistryConfig config) {
        String failure = null;
        if (!process.isAlive()) {
            failure = "the registry exited with code " + process.exitValue();
        } else if (System.nanoTime() - deadline > 0) {
            failure = "the registry was not ready within " + STARTUP_TIMEOUT.toSeconds() + " s (" + reason + ")";
        }
        if (failure != null) {
            throw new AssertionError(failure + "\n--- " + directory.resolve("config.yml") + " ---\n"
                    + config.render(storageRoot) + "--- last lines of " + logFile + " ---\n" + logTail());
        }
    }

    /** {@code null} when the registry answers; else why not. Over https only the TCP port is checked. */
    private String readinessProblem() {
        try {
            if (scheme.equals("https")) {
                try (Socket socket = new Socket()) {
                    socket.connect(new InetSocketAddress("127.0.0.1", port), 1000);
                }
                return null;
            }
            HttpURLConnection connection = (HttpURLConnection) new URL(baseUrl() + "/v2/").openConnection();
            connection.setConnectTimeout(1000);
            connection.setReadTimeout(2000);
            try {
                int status = connection.getResponseCode();
                return status == 200 || status == 401 ? null : "HTTP " + status;
            } finally {
                connection.disconnect();
            }
        } catch (IOException e) {
            return e.toString();
        }
    }

    private static void closeAllRunning() {
        for (RegistryServer server : RUNNING.toArray(new RegistryServer[0])) {
            try {
                server.close();
            } catch (RuntimeException e) {
                System.err.println("could not close " + server + ": " + e);
            }
        }
    }

    private static void sleep(Duration duration) {
        try {
            Thread.sleep(duration.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for the registry", e);
        }
    }
}
