package io.github.frozenimages.images.core.http;

import org.apache.hc.client5.http.config.ConnectionConfig;
import org.apache.hc.client5.http.config.RequestConfig;
import java.net.ProxySelector;
import org.apache.hc.client5.http.auth.AuthSchemeFactory;
import org.apache.hc.client5.http.auth.AuthScope;
import org.apache.hc.client5.http.auth.StandardAuthScheme;
import org.apache.hc.client5.http.auth.UsernamePasswordCredentials;
import org.apache.hc.client5.http.cookie.CookieSpecFactory;
import org.apache.hc.client5.http.impl.auth.BasicCredentialsProvider;
import org.apache.hc.client5.http.impl.auth.BasicSchemeFactory;
import org.apache.hc.client5.http.impl.auth.DigestSchemeFactory;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClientBuilder;
import org.apache.hc.client5.http.impl.routing.SystemDefaultRoutePlanner;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManager;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManagerBuilder;
import org.apache.hc.core5.http.config.RegistryBuilder;
import org.apache.hc.core5.util.TimeValue;
import org.apache.hc.core5.util.Timeout;

/**
 * Builds the HTTP client every registry request goes through: one connection pool (kept alive across images and
 * layers), no automatic redirects (the registry client follows them itself so that credentials never cross
 * an origin), no transparent decompression (blobs must arrive byte for byte as their digest says), no cookies.
 */
final class HttpClientFactory {

    static final String QUIET_PROPERTY = "org.slf4j.simpleLogger.log.org.apache.hc";
    static final String MAVEN4_QUIET_PROPERTY = "maven.logger.log.org.apache.hc";

    static {
        // Under mvn -X every logger is at debug, and HttpClient's header and wire logs would print each request's
        // Authorization header and each signed redirect URL. Maven's logger reads a logger's level from system
        // properties when the logger is created, so this must run before any HttpClient class makes its loggers.
        // A user who sets the property explicitly (to debug the wire, knowingly) keeps their choice.
        // Maven 4's logger reads maven.logger.*, and warns about every logger for which it finds only the old name.
        if (System.getProperty(QUIET_PROPERTY) == null && System.getProperty(MAVEN4_QUIET_PROPERTY) == null) {
            System.setProperty(MAVEN4_QUIET_PROPERTY, "info");
            System.setProperty(QUIET_PROPERTY, "info");
        }
    }

    private HttpClientFactory() {
    }

    static CloseableHttpClient create(int parallelRequests, String userAgent, java.time.Duration timeout, TlsContexts tls, ProxySettings proxies) {
        Timeout idle = Timeout.ofMilliseconds(timeout.toMillis());
        PoolingHttpClientConnectionManager pool = PoolingHttpClientConnectionManagerBuilder.create()
                .setTlsSocketStrategy(tls)
                .setDefaultConnectionConfig(ConnectionConfig.custom()
                        .setConnectTimeout(idle)
                        // an idle-read timeout: a slow but moving download never hits it, a stalled one does
                        .setSocketTimeout(idle)
                        .setValidateAfterInactivity(TimeValue.ofSeconds(2))
                        .build())
                .setMaxConnPerRoute(parallelRequests + 2)
                .setMaxConnTotal(4 * (parallelRequests + 2))
                .build();
        HttpClientBuilder builder = ProxyOnlyAuthentication.applyTo(HttpClients.custom())
                .setConnectionManager(pool)
                .disableRedirectHandling()
                .disableAutomaticRetries()
                .disableContentCompression()
                .disableCookieManagement()
                // no cookie is kept, yet for its default cookie specs the builder would load and parse the public
                // suffix list (some 25 ms of every build's first request): an empty registry spares that
                .setDefaultCookieSpecRegistry(RegistryBuilder.<CookieSpecFactory>create().build())
                // registries are authenticated by the registry client; HttpClient only answers proxies
                .setDefaultAuthSchemeRegistry(RegistryBuilder.<AuthSchemeFactory>create()
                        .register(StandardAuthScheme.BASIC, BasicSchemeFactory.INSTANCE)
                        .register(StandardAuthScheme.DIGEST, DigestSchemeFactory.INSTANCE)
                        .build())
                .setUserAgent(userAgent)
                .setDefaultRequestConfig(RequestConfig.custom()
                        .setResponseTimeout(idle)
                        .setConnectionRequestTimeout(Timeout.ofMinutes(10))
                        .build());
        if (proxies.proxies().isEmpty()) {
            // no proxy in settings.xml: the JVM's http(s).proxyHost and http.nonProxyHosts decide
            builder.setRoutePlanner(new SystemDefaultRoutePlanner(ProxySelector.getDefault()));
        } else {
            builder.setRoutePlanner(new ProxyRoutePlanner(proxies));
            BasicCredentialsProvider credentials = new BasicCredentialsProvider();
            for (ProxySettings.Proxy p : proxies.proxies()) {
                if (p.username() != null) {
                    credentials.setCredentials(new AuthScope(p.host(), p.port()),
                            new UsernamePasswordCredentials(p.username(), p.password() == null ? new char[0] : p.password().toCharArray()));
                }
            }
            // only proxy scopes are registered: registry authentication stays with the registry client
            builder.setDefaultCredentialsProvider(credentials);
        }
        return builder.build();
    }

}
