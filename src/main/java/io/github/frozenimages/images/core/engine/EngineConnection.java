package io.github.frozenimages.images.core.engine;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.SocketTimeoutException;
import java.net.StandardProtocolFamily;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.time.Duration;

/**
 * One connection to an engine, over a unix socket or TCP, whose every wait is bounded: the channel is
 * non-blocking and each connect, read and write waits on a selector for at most the timeout in force, so a
 * silent peer costs a {@link SocketTimeoutException}, never a hung build. Not thread-safe.
 */
final class EngineConnection implements Closeable {

    private final SocketChannel channel;
    private final Selector selector;
    private final SelectionKey key;
    private long timeoutMillis;

    private EngineConnection(SocketChannel channel, Selector selector, SelectionKey key, long timeoutMillis) {
        this.channel = channel;
        this.selector = selector;
        this.key = key;
        this.timeoutMillis = timeoutMillis;
    }

    /** Connects within {@code connectTimeout}; reads and writes then wait at most {@code idleTimeout} each. */
    static EngineConnection open(EngineEndpoint endpoint, Duration connectTimeout, Duration idleTimeout) throws IOException {
        SocketChannel channel = endpoint.isUnix() ? SocketChannel.open(StandardProtocolFamily.UNIX) : SocketChannel.open();
        Selector selector = null;
        try {
            channel.configureBlocking(false);
            selector = Selector.open();
            SelectionKey key = channel.register(selector, 0);
            EngineConnection connection = new EngineConnection(channel, selector, key, connectTimeout.toMillis());
            if (!channel.connect(endpoint.socketAddress())) {
                connection.await(SelectionKey.OP_CONNECT, "connecting");
                while (!channel.finishConnect()) {
                    connection.await(SelectionKey.OP_CONNECT, "connecting");
                }
            }
            if (endpoint.isTcp()) {
                channel.socket().setTcpNoDelay(true);
            }
            connection.timeoutMillis = idleTimeout.toMillis();
            return connection;
        } catch (IOException | RuntimeException e) {
            closeQuietly(selector);
            closeQuietly(channel);
            throw e;
        }
    }

    /** From now on each read and write waits at most this long. */
    void setTimeout(Duration timeout) {
        this.timeoutMillis = timeout.toMillis();
    }

    InputStream input() {
        return new InputStream() {
            private final byte[] one = new byte[1];

            @Override
            public int read() throws IOException {
                int n = read(one, 0, 1);
                return n < 0 ? -1 : one[0] & 0xff;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                if (len == 0) {
                    return 0;
                }
                ByteBuffer buffer = ByteBuffer.wrap(b, off, len);
                while (true) {
                    int n = channel.read(buffer);
                    if (n != 0) {
                        return n;
                    }
                    await(SelectionKey.OP_READ, "waiting for the engine's answer");
                }
            }
        };
    }

    OutputStream output() {
        return new OutputStream() {
            @Override
            public void write(int b) throws IOException {
                write(new byte[] {(byte) b}, 0, 1);
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                ByteBuffer buffer = ByteBuffer.wrap(b, off, len);
                while (buffer.hasRemaining()) {
                    if (channel.write(buffer) == 0) {
                        await(SelectionKey.OP_WRITE, "sending to the engine");
                    }
                }
            }
        };
    }

    /** Tells the engine that no more bytes come, keeping the way back open. */
    void shutdownOutput() throws IOException {
        channel.shutdownOutput();
    }

    private void await(int operation, String doing) throws IOException {
        long deadline = System.nanoTime() + timeoutMillis * 1_000_000L;
        key.interestOps(operation);
        try {
            while (true) {
                long left = (deadline - System.nanoTime()) / 1_000_000L;
                if (left <= 0) {
                    throw new SocketTimeoutException("no progress for " + Math.max(1, timeoutMillis / 1000) + " s while " + doing);
                }
                if (Thread.interrupted()) {
                    Thread.currentThread().interrupt();
                    throw new java.io.InterruptedIOException("interrupted while " + doing);
                }
                int ready = selector.select(left);
                selector.selectedKeys().clear();
                if (ready > 0 && (key.readyOps() & operation) != 0) {
                    return;
                }
            }
        } finally {
            if (key.isValid()) {
                key.interestOps(0);
            }
        }
    }

    @Override
    public void close() {
        closeQuietly(selector);
        closeQuietly(channel);
    }

    private static void closeQuietly(Closeable closeable) {
        if (closeable != null) {
            try {
                closeable.close();
            } catch (IOException ignored) {
                // nothing left to do with a connection that is going away
            }
        }
    }
}
