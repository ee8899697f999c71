package io.github.frozenimages.images.testing;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Debian's nginx as a reverse proxy on a free port of 127.0.0.1, with its own configuration, pid file, logs and
 * temp folders in a temp dir: the kind of front that Nexus, Artifactory or Harbor put before a registry API
 * under a path. One process ({@code master_process off}, {@code daemon off}) that {@link #close} stops by its
 * pid. The access log holds one {@code METHOD URI STATUS} line per request, written as it is answered.
 */
public final class NginxServer implements AutoCloseable {

    static final Path BINARY = Path.of("/usr/sbin/nginx");
    private static final Duration STARTUP_TIMEOUT = Duration.ofSeconds(15);
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(10);
    /** A port found free may be taken before nginx binds it; another one is tried this many times. */
    private static final int PORT_ATTEMPTS = 3;

    private final Process process;
    private final Path directory;
    private final int port;
    private final AtomicBoolean closed = new AtomicBoolean();

    private NginxServer(Process process, Path directory, int port) {
        this.process = process;
        this.directory = directory;
        this.port = port;
    }

    /**
     * Starts nginx with {@code locations} as the body of its one {@code server} block
     * ({@code location /repository/docker-proxy/ { proxy_pass http://127.0.0.1:5000/; }}).
     */
    public static NginxServer start(String locations) {
        if (!Files.isExecutable(BINARY)) {
            // a failure, not a skip: a skipped harness would let the tests behind it pass silently
            throw new AssertionError("nginx (" + BINARY + ") is missing: install it with `apt-get install -y nginx`"
                    + " (the project's .ci/run does this)");
        }
        AssertionError lastFailure = null;
        for (int attempt = 1; attempt <= PORT_ATTEMPTS; attempt++) {
            Path directory = TempFiles.createDirectory("images-test-nginx-");
            int port = freePort();
            NginxServer server;
            try {
                Files.createDirectories(directory.resolve("tmp"));
                Files.writeString(directory.resolve("nginx.conf"), config(directory, port, locations), StandardCharsets.UTF_8);
                ProcessBuilder builder = new ProcessBuilder(BINARY.toString(), "-p", directory.toString(),
                        "-c", directory.resolve("nginx.conf").toString(), "-e", directory.resolve("error.log").toString())
                        .directory(directory.toFile())
                        .redirectErrorStream(true)
                        .redirectOutput(directory.resolve("stdout.log").toFile())
                        .redirectInput(new File("/dev/null"));
                server = new NginxServer(builder.start(), directory, port);
            } catch (IOException e) {
                TempFiles.deleteRecursively(directory);
                throw new UncheckedIOException("cannot start " + BINARY + ": " + e.getMessage(), e);
            }
            try {
                server.awaitListening();
                return server;
            } catch (AssertionError e) {
                lastFailure = e;
                server.close();
            } catch (RuntimeException e) {
                server.close();
                throw e;
            }
        }
        throw lastFailure;
    }

    private static String config(Path directory, int port, String locations) {
        String tmp = directory.resolve("tmp").toString();
        return """
                daemon off;
                master_process off;
                worker_processes 1;
                pid %1$s/nginx.pid;
                error_log %1$s/error.log info;
                events { worker_connections 64; }
                http {
                    log_format paths '$request_method $request_uri $status';
                    access_log %1$s/access.log paths;
                    client_body_temp_path %2$s/body;
                    proxy_temp_path %2$s/proxy;
                    fastcgi_temp_path %2$s/fastcgi;
                    uwsgi_temp_path %2$s/uwsgi;
                    scgi_temp_path %2$s/scgi;
                    client_max_body_size 0;
                    proxy_buffering off;
                    server {
                        listen 127.0.0.1:%3$d;
                %4$s
                    }
                }
                """.formatted(directory, tmp, port, locations.indent(8));
    }

    /** {@code http://127.0.0.1:PORT}, without a trailing slash. */
    public String baseUrl() {
        return "http://" + address();
    }

    /** {@code 127.0.0.1:PORT}: the registry name credentials are looked up by. */
    public String address() {
        return "127.0.0.1:" + port;
    }

    /** The requests answered so far, one {@code METHOD URI STATUS} each, in order. */
    public List<String> requests() {
        Path log = directory.resolve("access.log");
        return LogTail.read(log).lines().toList();
    }

    /** Stops nginx by its pid, waits for it, and deletes its temp dir. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        try {
            ProcessTrees.stop(process, STOP_TIMEOUT);
        } finally {
            TempFiles.deleteRecursively(directory);
        }
    }

    @Override
    public String toString() {
        return "NginxServer[" + baseUrl() + ", pid " + process.pid() + ", " + directory + "]";
    }

    private void awaitListening() {
        long deadline = System.nanoTime() + STARTUP_TIMEOUT.toNanos();
        while (!accepts()) {
            if (!process.isAlive() || System.nanoTime() - deadline > 0) {
                throw new AssertionError((process.isAlive() ? "nginx was not listening on " + address() + " within "
                        + STARTUP_TIMEOUT.toSeconds() + " s" : "nginx exited with code " + process.exitValue())
                        + "\n--- last lines of its error log ---\n" + LogTail.of(directory.resolve("error.log"), 20)
                        + LogTail.of(directory.resolve("stdout.log"), 20));
            }
            try {
                process.waitFor(50, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for nginx", e);
            }
        }
    }

    private boolean accepts() {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 1000);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
