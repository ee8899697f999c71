package io.github.frozenimages.images.core.http;

import java.io.Closeable;
import java.io.IOException;
import java.net.ProxySelector;
import java.net.URI;
import java.time.Duration;
import javax.net.ssl.SSLException;
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
    private final TlsContexts tls;
    private final ProxySettings proxies;
    private CloseableHttpClient client;

    public HttpTransport(int parallelRequests, String userAgent, Duration timeout, TlsSettings tls, ProxySettings proxies) {
        this.parallelRequests = parallelRequests;
        this.userAgent = userAgent;
        this.timeout = timeout;
        // cheap: a TLS context is built per host on first use; kept here to explain a connection it saw dropped
        this.tls = new TlsContexts(tls);
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
        try {
            return client().executeOpen(null, request, null);
        } catch (IOException e) {
            throw explained(request, e);
        }
    }

    /** A connection dropped by a server that wanted a client certificate says so, and where the certificate goes. */
    private IOException explained(ClassicHttpRequest request, IOException e) {
        if (!"https".equalsIgnoreCase(request.getScheme()) || request.getAuthority() == null) {
            return e;
        }
        String host = request.getAuthority().getHostName();
        int port = request.getAuthority().getPort() < 0 ? 443 : request.getAuthority().getPort();
        if (!tls.askedForMissingClientCertificate(host, port)) {
            return e;
        }
        String key = TlsContexts.key(host, port);
        return new SSLException("the server asked for a TLS client certificate and none is configured for " + key
                + " (client.cert and client.key in a certs.d/" + key + "/ folder): " + e, e);
    }

    /**
     * Which proxy answered 407 for a target, and why, for the failure message: the proxy that the settings
     * route the target through, or the JVM's. Names the proxy user, never the password.
     */
    public String proxyAuthenticationFailure(URI target) {
        if (!proxies.proxies().isEmpty()) {
            return proxies.forTarget(target.getScheme(), target.getHost())
                    .map(p -> "the " + p.protocol() + " proxy " + p.host() + ":" + p.port() + (p.username() == null
                            ? " requires credentials and none are configured for it (the username and password of its <proxy> in settings.xml)"
                            : " rejected the credentials of " + p.username()))
                    .orElse("a proxy requires credentials");
        }
        ProxySelector selector = ProxySelector.getDefault();
        if (selector != null) {
            for (java.net.Proxy p : selector.select(target)) {
                if (p.type() != java.net.Proxy.Type.DIRECT) {
                    return "the proxy " + p.address() + " of the JVM's proxy settings requires credentials";
                }
            }
        }
        return "a proxy requires credentials";
    }

    @Override
    public synchronized void close() throws IOException {
        if (client != null) {
            client.close();
        }
    }
}
