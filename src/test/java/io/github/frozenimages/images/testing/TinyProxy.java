package io.github.frozenimages.images.testing;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A real forward proxy ({@code /usr/bin/tinyproxy}, Debian's {@code tinyproxy}) on 127.0.0.2, in the
 * foreground ({@code -d}) so that the test owns its process and stops it by pid. 127.0.0.2 keeps it apart
 * from the registries on 127.0.0.1, so its log can only hold what a client sent to it on purpose.
 */
public final class TinyProxy implements AutoCloseable {

    static final Path BINARY = Path.of("/usr/bin/tinyproxy");
    public static final String HOST = "127.0.0.2";
    private static final Duration STARTUP_TIMEOUT = Duration.ofSeconds(10);
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(5);
    /** A free port found by binding can be taken by someone else before tinyproxy binds it: try a few. */
    private static final int START_ATTEMPTS = 3;
    private static final Pattern REQUEST = Pattern.compile("Request \\(file descriptor \\d+\\): (.+)$", Pattern.MULTILINE);

    private final Process process;
    private final Path directory;
    private final Path logFile;
    private final int port;

    private TinyProxy(Process process, Path directory, int port) {
        this.process = process;
        this.directory = directory;
        this.logFile = directory.resolve("tinyproxy.log");
        this.port = port;
    }

    /** A proxy that lets CONNECT through to {@code connectPort} only; {@code user} null means no proxy authentication. */
    public static TinyProxy start(int connectPort, String user, String password) {
        Consumers.requireBinary(BINARY, "tinyproxy");
        AssertionError last = null;
        for (int attempt = 1; attempt <= START_ATTEMPTS; attempt++) {
            Path directory = TempFiles.createDirectory("images-test-tinyproxy-");
            try {
                return startIn(directory, freePort(), connectPort, user, password);
            } catch (AssertionError e) {
                TempFiles.deleteRecursively(directory);
                last = e;
            }
        }
        throw last;
    }

    public int port() {
        return port;
    }

    public long pid() {
        return process.pid();
    }

    /** The request lines tinyproxy logged so far, e.g. {@code GET http://127.0.0.1:PORT/v2/ HTTP/1.1}. */
    public List<String> requestLines() {
        List<String> lines = new ArrayList<>();
        Matcher m = REQUEST.matcher(LogTail.read(logFile));
        while (m.find()) {
            lines.add(m.group(1).trim());
        }
        return lines;
    }

    public String logTail() {
        return LogTail.of(logFile, 40);
    }

    /** Stops tinyproxy by its pid, waits for it, and deletes its temp dir. */
    @Override
    public void close() {
        try {
            ProcessTrees.stop(process, STOP_TIMEOUT);
        } finally {
            TempFiles.deleteRecursively(directory);
        }
    }

    private static TinyProxy startIn(Path directory, int port, int connectPort, String user, String password) {
        Path config = directory.resolve("tinyproxy.conf");
        StringBuilder text = new StringBuilder()
                .append("Port ").append(port).append('\n')
                .append("Listen ").append(HOST).append('\n')
                .append("Timeout 60\n")
                .append("Allow 127.0.0.0/8\n")
                .append("MaxClients 50\n")
                .append("ConnectPort ").append(connectPort).append('\n')
                .append("LogFile \"").append(directory.resolve("tinyproxy.log")).append("\"\n")
                // Connect level logs each request line, which is what the tests look for
                .append("LogLevel Connect\n");
        if (user != null) {
            text.append("BasicAuth ").append(user).append(' ').append(password).append('\n');
        }
        Process process;
        try {
            Files.writeString(config, text);
            process = new ProcessBuilder(BINARY.toString(), "-d", "-c", config.toString())
                    .directory(directory.toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(directory.resolve("stdout.log").toFile())
                    .redirectInput(new File("/dev/null"))
                    .start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + BINARY + ": " + e.getMessage(), e);
        }
        TinyProxy proxy = new TinyProxy(process, directory, port);
        try {
            proxy.awaitListening();
            return proxy;
        } catch (RuntimeException | Error e) {
            ProcessTrees.stop(process, STOP_TIMEOUT);
            throw e;
        }
    }

    private void awaitListening() {
        long deadline = System.nanoTime() + STARTUP_TIMEOUT.toNanos();
        while (true) {
            if (!process.isAlive()) {
                throw new AssertionError("tinyproxy exited with code " + process.exitValue() + "\n" + LogTail.of(directory.resolve("stdout.log"), 20)
                        + "\n" + logTail());
            }
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress(HOST, port), 500);
                return;
            } catch (IOException e) {
                if (System.nanoTime() - deadline > 0) {
                    throw new AssertionError("tinyproxy did not listen on " + HOST + ":" + port + " within "
                            + STARTUP_TIMEOUT.toSeconds() + " s: " + e + "\n" + logTail());
                }
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for tinyproxy", e);
            }
        }
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName(HOST))) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot find a free port on " + HOST, e);
        }
    }
}
