package io.github.frozenimages.images.core.http;

import java.io.Closeable;
import java.io.IOException;
import java.time.Duration;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.core5.http.ClassicHttpRequest;
import org.apache.hc.core5.http.ClassicHttpResponse;

/**
 * The registry client's HTTP connection, created on the first request: a build whose images are all pinned
 * and cached sends none, and then does not pay for setting up the client at all.
 */
public final class HttpTransport implements Closeable {

    private final int parallelRequests;
    private final String userAgent;
    private final Duration timeout;
    private final TlsSettings tls;
    private final ProxySettings proxies;
    private CloseableHttpClient client;

    public HttpTransport(int parallelRequests, String userAgent, Duration timeout) {
        this(parallelRequests, userAgent, timeout, TlsSettings.JVM_DEFAULTS, ProxySettings.SYSTEM);
    }

    public HttpTransport(int parallelRequests, String userAgent, Duration timeout, TlsSettings tls, ProxySettings proxies) {
        this.parallelRequests = parallelRequests;
        this.userAgent = userAgent;
        this.timeout = timeout;
        this.tls = tls;
        this.proxies = proxies;
    }

    private synchronized CloseableHttpClient client() {
        if (client == null) {
            client = HttpClientFactory.create(parallelRequests, userAgent, timeout, tls, proxies);
        }
        return client;
    }

    /** Sends a request; the caller must close the response, whose body streams from the socket. */
    public ClassicHttpResponse open(ClassicHttpRequest request) throws IOException {
        return client().executeOpen(null, request, null);
    }

    @Override
    public synchronized void close() throws IOException {
        if (client != null) {
            client.close();
        }
    }
}
