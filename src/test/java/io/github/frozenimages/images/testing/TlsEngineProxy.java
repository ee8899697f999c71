package io.github.frozenimages.images.testing;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * An engine's TLS port as Docker-in-Docker serves it: socat on a free port of 127.0.0.1 terminating TLS with the
 * test CA's server certificate, requiring a client certificate signed by that CA ({@code verify=1}), and
 * forwarding each connection to an engine's unix socket. {@link #close()} stops it by its own process handle.
 */
public final class TlsEngineProxy implements AutoCloseable {

    private static final Duration READY_TIMEOUT = Duration.ofSeconds(20);
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(10);
    private static final int START_ATTEMPTS = 3;

    private final Process process;
    private final int port;
    private final Path log;

    private TlsEngineProxy(Process process, int port, Path log) {
        this.process = process;
        this.port = port;
        this.log = log;
    }

    /** Starts socat in front of {@code socket}; its log goes to {@code directory}. */
    public static TlsEngineProxy start(TestCertificates certificates, Path socket, Path directory) {
        String socat = Consumers.requireBinary("socat");
        IllegalStateException last = null;
        // a free port is found by binding and releasing it, so another process may take it first: try again then
        for (int attempt = 0; attempt < START_ATTEMPTS; attempt++) {
            int port = freePort();
            Path log = directory.resolve("socat-" + port + ".log");
            Process process;
            try {
                process = new ProcessBuilder(List.of(socat, "-d",
                        "OPENSSL-LISTEN:" + port + ",bind=127.0.0.1,reuseaddr,fork"
                                + ",cert=" + certificates.serverCertificate() + ",key=" + certificates.serverKey()
                                + ",cafile=" + certificates.caCertificate() + ",verify=1",
                        "UNIX-CONNECT:" + socket))
                        .redirectInput(new File("/dev/null"))
                        .redirectErrorStream(true)
                        .redirectOutput(log.toFile())
                        .start();
            } catch (IOException e) {
                throw new UncheckedIOException("cannot start socat", e);
            }
            TlsEngineProxy proxy = new TlsEngineProxy(process, port, log);
            try {
                if (proxy.awaitListening()) {
                    return proxy;
                }
                last = new IllegalStateException("socat exited before listening on 127.0.0.1:" + port + ":\n" + LogTail.of(log, 20));
            } catch (RuntimeException | Error e) {
                proxy.close();
                throw e;
            }
        }
        throw last;
    }

    /** True once the port accepts connections, false if socat exited first. */
    private boolean awaitListening() {
        long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                return false;
            }
            try (Socket probe = new Socket()) {
                probe.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1000);
                return true;
            } catch (IOException notYet) {
                // socat binds a moment after it starts
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for socat", e);
            }
        }
        throw new IllegalStateException("socat did not listen on 127.0.0.1:" + port + " within " + READY_TIMEOUT.toSeconds()
                + " s:\n" + LogTail.of(log, 20));
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("no free port on 127.0.0.1", e);
        }
    }

    public int port() {
        return port;
    }

    /** The address as DOCKER_HOST writes it. */
    public String dockerHost() {
        return "tcp://127.0.0.1:" + port;
    }

    /** What socat said so far, for failure messages. */
    public String logTail() {
        return LogTail.of(log, 40);
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            ProcessTrees.stop(process, STOP_TIMEOUT);
        }
    }
}
