package io.github.frozenimages.images.core.http;

import java.util.List;
import org.apache.hc.client5.http.AuthenticationStrategy;
import org.apache.hc.client5.http.classic.ExecChainHandler;
import org.apache.hc.client5.http.config.RequestConfig;
import org.apache.hc.client5.http.impl.ChainElement;
import org.apache.hc.client5.http.impl.classic.HttpClientBuilder;
import org.apache.hc.client5.http.protocol.HttpClientContext;

/**
 * Keeps HttpClient's authentication to proxies. A registry's 401 goes back to the registry client as it came,
 * which answers it itself (a Bearer token per repository scope, Basic with the credentials of that registry).
 * Left to itself, HttpClient would take up the challenge too and log, through Maven's logger, what it makes of
 * it: "Authentication scheme Bearer not supported" for every token registry, "Malformed challenge" for a
 * challenge its parser refuses.
 */
final class ProxyOnlyAuthentication {

    /** Selects no scheme for a registry's challenge, so HttpClient never looks for one of its own. */
    static final AuthenticationStrategy NO_TARGET_SCHEME = (type, challenges, context) -> List.of();

    /**
     * Turns HttpClient's authentication off for a request whose route has no proxy: there is nothing for it to
     * answer then, and off it does not even parse the registry's challenge. Through a proxy it stays on, for the
     * proxy's 407, and {@link #NO_TARGET_SCHEME} keeps it from the registry's 401.
     */
    static final ExecChainHandler OFF_WITHOUT_PROXY = (request, scope, chain) -> {
        HttpClientContext context = scope.clientContext;
        RequestConfig config = context.getRequestConfigOrDefault();
        if (scope.route.getProxyHost() == null && config.isAuthenticationEnabled()) {
            context.setRequestConfig(RequestConfig.copy(config).setAuthenticationEnabled(false).build());
        }
        return chain.proceed(request, scope);
    };

    private ProxyOnlyAuthentication() {
    }

    static HttpClientBuilder applyTo(HttpClientBuilder builder) {
        return builder.setTargetAuthenticationStrategy(NO_TARGET_SCHEME)
                // outside the protocol step, which reads the request's config once the response is in
                .addExecInterceptorBefore(ChainElement.PROTOCOL.name(), "proxy-only-authentication", OFF_WITHOUT_PROXY);
    }
}
