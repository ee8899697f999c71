package io.github.frozenimages.images.core.http;

import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Forward proxies for registry traffic, as Maven's {@code settings.xml} declares them. With none configured
 * the JVM's own settings apply ({@code http(s).proxyHost}, {@code http.nonProxyHosts}).
 */
public record ProxySettings(List<Proxy> proxies) {

    public static final ProxySettings SYSTEM = new ProxySettings(List.of());

    /**
     * @param protocol      {@code http} or {@code https}: the scheme of the targets it serves; an {@code http}
     *                      proxy also serves https targets when no https proxy is given (through CONNECT)
     * @param nonProxyHosts hosts reached directly, {@code |}-separated, {@code *} as a wildcard
     */
    public record Proxy(String protocol, String host, int port, String username, String password, String nonProxyHosts) {

        @Override
        public String toString() {
            return protocol + " proxy " + host + ":" + port + (username == null ? "" : " as " + username);
        }

        boolean bypasses(String targetHost) {
            if (nonProxyHosts == null || nonProxyHosts.isBlank()) {
                return false;
            }
            String target = targetHost.toLowerCase(Locale.ROOT);
            for (String pattern : nonProxyHosts.split("[|,]")) {
                String p = pattern.trim().toLowerCase(Locale.ROOT);
                if (!p.isEmpty() && Pattern.matches(Pattern.quote(p).replace("*", "\\E.*\\Q"), target)) {
                    return true;
                }
            }
            return false;
        }
    }

    public ProxySettings {
        proxies = List.copyOf(proxies);
    }

    /** The proxy to use for a target, if any. */
    public Optional<Proxy> forTarget(String scheme, String host) {
        Optional<Proxy> exact = proxies.stream().filter(p -> p.protocol().equalsIgnoreCase(scheme)).findFirst();
        Optional<Proxy> chosen = exact.isPresent() ? exact
                : proxies.stream().filter(p -> p.protocol().equalsIgnoreCase("http")).findFirst();
        return chosen.filter(p -> !p.bypasses(host));
    }
}
