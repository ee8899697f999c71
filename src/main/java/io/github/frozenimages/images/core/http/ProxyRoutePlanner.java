package io.github.frozenimages.images.core.http;

import org.apache.hc.client5.http.impl.DefaultSchemePortResolver;
import org.apache.hc.client5.http.impl.routing.DefaultRoutePlanner;
import org.apache.hc.core5.http.HttpHost;
import org.apache.hc.core5.http.protocol.HttpContext;

/** Routes each request through the configured proxy for its target, or directly for the excluded hosts. */
final class ProxyRoutePlanner extends DefaultRoutePlanner {

    private final ProxySettings settings;

    ProxyRoutePlanner(ProxySettings settings) {
        super(DefaultSchemePortResolver.INSTANCE);
        this.settings = settings;
    }

    @Override
    protected HttpHost determineProxy(HttpHost target, HttpContext context) {
        return settings.forTarget(target.getSchemeName(), target.getHostName())
                .map(p -> new HttpHost("http", p.host(), p.port()))
                .orElse(null);
    }
}
