package io.github.frozenimages.images.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A TCP relay on 127.0.0.1 in front of a registry that streams (unlike the {@link FaultProxy}, which holds each answer
 * in memory) and resets the connection once, when the bytes it has relayed to clients pass {@code cutAfter}: for
 * bodies of gigabytes, e.g. to force a resume from an offset beyond 2^31. It records the {@code Range} headers of the
 * requests it relays and counts the bytes in each direction.
 */
public final class CuttingRelay implements AutoCloseable {

    private static final Pattern RANGE = Pattern.compile("(?im)^Range:\\s*(\\S+)\\s*$");
    private static final Pattern CONTENT_RANGE = Pattern.compile("(?im)^Content-Range:\\s*(\\S+)\\s*$");
    private static final Pattern REQUEST_LINE = Pattern.compile("(?m)^(GET|HEAD|POST|PUT|PATCH|DELETE) (\\S+) HTTP/1\\.1$");

    private final ServerSocket server;
    private final InetSocketAddress upstream;
    private final long cutAfter;
    private final ExecutorService threads = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "cutting-relay");
        t.setDaemon(true);
        return t;
    });
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
    private final AtomicLong toClients = new AtomicLong();
    private final AtomicLong toUpstream = new AtomicLong();
    private final boolean cutsUploads;
    private volatile String cutAtMethod;
    private volatile int cutAtOccurrence;
    private final AtomicLong seenOfMethod = new AtomicLong();
    private final List<String> requestLines = new CopyOnWriteArrayList<>();
    private final List<String> contentRanges = new CopyOnWriteArrayList<>();
    private final AtomicBoolean cut = new AtomicBoolean();
    private final List<String> ranges = new CopyOnWriteArrayList<>();
    private final AtomicBoolean closed = new AtomicBoolean();

    private CuttingRelay(ServerSocket server, InetSocketAddress upstream, long cutAfter, boolean cutsUploads) {
        this.cutsUploads = cutsUploads;
        this.server = server;
        this.upstream = upstream;
        this.cutAfter = cutAfter;
    }

    /** Relays to {@code upstreamBaseUrl} ({@code http://host:port}); resets once after {@code cutAfter} bytes to clients (-1: never). */
    public static CuttingRelay start(String upstreamBaseUrl, long cutAfter) {
        return start(upstreamBaseUrl, cutAfter, false);
    }

    /** Relays to {@code upstreamBaseUrl}; resets once after {@code cutAfter} bytes from clients: an upload cut mid-body. */
    public static CuttingRelay cuttingUploads(String upstreamBaseUrl, long cutAfter) {
        return start(upstreamBaseUrl, cutAfter, true);
    }

    private static CuttingRelay start(String upstreamBaseUrl, long cutAfter, boolean cutsUploads) {
        URI uri = URI.create(upstreamBaseUrl);
        try {
            ServerSocket server = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"));
            CuttingRelay relay = new CuttingRelay(server, new InetSocketAddress(uri.getHost(), uri.getPort()), cutAfter, cutsUploads);
            relay.threads.execute(relay::accept);
            return relay;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot listen on 127.0.0.1", e);
        }
    }

    public String address() {
        return "127.0.0.1:" + server.getLocalPort();
    }

    /** The {@code Range} values of the requests relayed so far, in order. */
    public List<String> ranges() {
        return List.copyOf(ranges);
    }

    /**
     * Relays to {@code upstreamBaseUrl}; resets the connection once, instead of relaying it, when the
     * {@code occurrence}-th request with {@code method} arrives: a connection lost between two upload chunks.
     */
    public static CuttingRelay cuttingAtRequest(String upstreamBaseUrl, String method, int occurrence) {
        CuttingRelay relay = start(upstreamBaseUrl, -1, false);
        relay.cutAtMethod = method;
        relay.cutAtOccurrence = occurrence;
        return relay;
    }

    /** The {@code Content-Range} values of the requests relayed so far (upload chunks), in order. */
    public List<String> contentRanges() {
        return List.copyOf(contentRanges);
    }

    /** The request lines relayed so far ({@code "PATCH /v2/..."}), in order. */
    public List<String> requestLines() {
        return List.copyOf(requestLines);
    }

    public long bytesToClients() {
        return toClients.get();
    }

    public boolean hasCut() {
        return cut.get();
    }

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        try {
            server.close();
        } catch (IOException e) {
            // closing anyway
        }
        open.forEach(CuttingRelay::closeQuietly);
        threads.shutdownNow();
        try {
            threads.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void accept() {
        while (!closed.get()) {
            try {
                Socket client = server.accept();
                Socket registry = new Socket();
                registry.connect(upstream, 5_000);
                open.add(client);
                open.add(registry);
                threads.execute(() -> pump(client, registry, false));
                threads.execute(() -> pump(registry, client, true));
            } catch (IOException | RuntimeException e) {
                if (closed.get()) {
                    return;
                }
            }
        }
    }

    private void pump(Socket from, Socket to, boolean toClient) {
        byte[] buffer = new byte[256 * 1024];
        try {
            InputStream in = from.getInputStream();
            OutputStream out = to.getOutputStream();
            int n;
            while ((n = in.read(buffer)) > 0) {
                if (!toClient) {
                    String text = new String(buffer, 0, n, StandardCharsets.ISO_8859_1);
                    Matcher m = RANGE.matcher(text);
                    while (m.find()) {
                        ranges.add(m.group(1));
                    }
                    Matcher sent = CONTENT_RANGE.matcher(text);
                    while (sent.find()) {
                        contentRanges.add(sent.group(1));
                    }
                    Matcher line = REQUEST_LINE.matcher(text);
                    boolean cutHere = false;
                    while (line.find()) {
                        requestLines.add(line.group(1) + " " + line.group(2));
                        cutHere |= line.group(1).equals(cutAtMethod) && seenOfMethod.incrementAndGet() == cutAtOccurrence;
                    }
                    if (cutHere && cut.compareAndSet(false, true)) {
                        from.setSoLinger(true, 0);
                        from.close();
                        to.close();
                        return;
                    }
                    if (cutsUploads && cutAfter >= 0 && !cut.get()) {
                        long before = toUpstream.getAndAdd(n);
                        if (before + n > cutAfter && cut.compareAndSet(false, true)) {
                            out.write(buffer, 0, (int) Math.max(0, cutAfter - before));
                            out.flush();
                            from.setSoLinger(true, 0);
                            from.close();
                            to.close();
                            return;
                        }
                    }
                }
                out.write(buffer, 0, n);
                if (toClient && toClients.addAndGet(n) > cutAfter && cutAfter >= 0 && cut.compareAndSet(false, true)) {
                    out.flush();
                    Thread.sleep(200); // let the client take what was sent, then reset
                    to.setSoLinger(true, 0);
                    to.close();
                    from.close();
                    return;
                }
            }
        } catch (IOException e) {
            // one side went away
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            closeQuietly(from);
            closeQuietly(to);
            open.remove(from);
            open.remove(to);
        }
    }

    private static void closeQuietly(Socket socket) {
        try {
            socket.close();
        } catch (IOException e) {
            // best effort
        }
    }
}
