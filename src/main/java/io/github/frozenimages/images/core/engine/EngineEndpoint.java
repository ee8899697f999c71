package io.github.frozenimages.images.core.engine;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * Where a Docker-compatible engine listens, written the way {@code DOCKER_HOST} writes it: {@code unix:///path}
 * for a local socket, {@code tcp://host[:port]} (or {@code http://}) for plain TCP. TLS ({@code https://},
 * {@code DOCKER_TLS_VERIFY}) and {@code ssh://} are not supported, and say so rather than fail obscurely.
 */
public final class EngineEndpoint {

    /** Docker's own default, used when neither the configuration nor {@code DOCKER_HOST} names an engine. */
    public static final String DEFAULT = "unix:///var/run/docker.sock";

    /** Docker's port for plain TCP when {@code tcp://host} names none. */
    static final int DEFAULT_TCP_PORT = 2375;

    /** Linux's limit for a socket path ({@code sun_path} is 108 bytes including the terminating NUL). */
    static final int MAX_SOCKET_PATH_BYTES = 107;

    private final String uri;
    private final Path socket;
    private final String host;
    private final int port;

    private EngineEndpoint(String uri, Path socket, String host, int port) {
        this.uri = uri;
        this.socket = socket;
        this.host = host;
        this.port = port;
    }

    /**
     * The configured value when there is one, else {@code DOCKER_HOST} from {@code environment}, else
     * {@value #DEFAULT}. Blank values count as absent, as the Docker CLI counts them.
     *
     * @throws IllegalArgumentException when the value chosen is not an address this client can use
     */
    public static EngineEndpoint resolve(String configured, Map<String, String> environment) {
        String value = configured;
        String source = "the configured engine address";
        if (value == null || value.isBlank()) {
            value = environment.get("DOCKER_HOST");
            source = "DOCKER_HOST";
        }
        if (value == null || value.isBlank()) {
            return parse(DEFAULT);
        }
        EngineEndpoint endpoint = parse(value, source);
        String tlsVerify = environment.get("DOCKER_TLS_VERIFY");
        if (endpoint.isTcp() && tlsVerify != null && !tlsVerify.isBlank()) {
            throw new IllegalArgumentException("DOCKER_TLS_VERIFY is set, but this client speaks only plain http to "
                    + endpoint + ": unset DOCKER_TLS_VERIFY for a plain-TCP engine, or use its unix:// socket");
        }
        return endpoint;
    }

    /** Parses {@code unix:///path}, {@code tcp://host[:port]} or {@code http://host[:port]}. */
    public static EngineEndpoint parse(String value) {
        return parse(value, "the engine address");
    }

    private static EngineEndpoint parse(String raw, String source) {
        Objects.requireNonNull(raw, "value");
        String value = raw.trim();
        int colon = value.indexOf("://");
        if (colon <= 0) {
            throw invalid(source, value, "use unix:///path/to/socket or tcp://host:port");
        }
        String scheme = value.substring(0, colon).toLowerCase(Locale.ROOT);
        String rest = value.substring(colon + 3);
        switch (scheme) {
            case "unix":
                return unix(source, value, rest);
            case "tcp":
            case "http":
                return tcp(source, value, rest);
            case "https":
                throw invalid(source, value, "TLS connections to the engine are not supported: use its unix:// socket or a plain tcp:// port");
            case "ssh":
                throw invalid(source, value, "ssh:// is not supported: forward the engine's socket (ssh -L /tmp/docker.sock:/var/run/docker.sock host) and use unix:///tmp/docker.sock");
            case "npipe":
                throw invalid(source, value, "Windows named pipes are not supported: use tcp://host:port");
            default:
                throw invalid(source, value, "unknown scheme " + scheme + "://, use unix:///path/to/socket or tcp://host:port");
        }
    }

    private static EngineEndpoint unix(String source, String value, String rest) {
        if (rest.isEmpty()) {
            return parse(DEFAULT);
        }
        if (!rest.startsWith("/")) {
            throw invalid(source, value, "the socket path must be absolute, as in unix:///var/run/docker.sock");
        }
        if (rest.indexOf('\0') >= 0) {
            throw invalid(source, value, "the socket path contains a NUL character");
        }
        if (rest.getBytes(java.nio.charset.StandardCharsets.UTF_8).length > MAX_SOCKET_PATH_BYTES) {
            throw invalid(source, value, "the socket path is longer than the " + MAX_SOCKET_PATH_BYTES
                    + " bytes a unix socket address can hold");
        }
        return new EngineEndpoint("unix://" + rest, Path.of(rest), null, -1);
    }

    private static EngineEndpoint tcp(String source, String value, String rest) {
        String authority = rest.endsWith("/") ? rest.substring(0, rest.length() - 1) : rest;
        if (authority.contains("/") || authority.contains("?") || authority.contains("#")) {
            throw invalid(source, value, "only host and port are supported after tcp://, no path");
        }
        if (authority.contains("@")) {
            throw invalid(source, value, "user information is not supported in an engine address");
        }
        String host;
        String portText = null;
        if (authority.startsWith("[")) {
            int close = authority.indexOf(']');
            if (close < 0) {
                throw invalid(source, value, "unterminated IPv6 address");
            }
            host = authority.substring(1, close);
            String after = authority.substring(close + 1);
            if (!after.isEmpty()) {
                if (!after.startsWith(":")) {
                    throw invalid(source, value, "expected :port after the IPv6 address");
                }
                portText = after.substring(1);
            }
        } else {
            int c = authority.lastIndexOf(':');
            if (c >= 0 && authority.indexOf(':') != c) {
                throw invalid(source, value, "write an IPv6 address in brackets, as in tcp://[::1]:2375");
            }
            host = c < 0 ? authority : authority.substring(0, c);
            portText = c < 0 ? null : authority.substring(c + 1);
        }
        if (host.isEmpty()) {
            host = "127.0.0.1";
        }
        int port = DEFAULT_TCP_PORT;
        if (portText != null) {
            if (!portText.matches("\\d{1,5}") || Integer.parseInt(portText) < 1 || Integer.parseInt(portText) > 65535) {
                throw invalid(source, value, "the port must be a number from 1 to 65535");
            }
            port = Integer.parseInt(portText);
        }
        String shown = host.contains(":") ? "[" + host + "]" : host;
        return new EngineEndpoint("tcp://" + shown + ":" + port, null, host, port);
    }

    private static IllegalArgumentException invalid(String source, String value, String why) {
        return new IllegalArgumentException(source + " \"" + value + "\" is not usable: " + why);
    }

    public boolean isUnix() {
        return socket != null;
    }

    public boolean isTcp() {
        return socket == null;
    }

    /** The socket file of a {@code unix://} endpoint, else null. */
    public Path socketPath() {
        return socket;
    }

    /** The host of a {@code tcp://} endpoint, without brackets, else null. */
    public String host() {
        return host;
    }

    /** The port of a {@code tcp://} endpoint, else -1. */
    public int port() {
        return port;
    }

    /** What to connect to; a TCP host name is resolved here, each time. */
    SocketAddress socketAddress() {
        return isUnix() ? UnixDomainSocketAddress.of(socket) : new InetSocketAddress(host, port);
    }

    /** The {@code Host} header: what the Docker CLI sends over a socket, the authority over TCP. */
    String hostHeader() {
        return isUnix() ? "docker" : (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
    }

    /** The normalised address, e.g. {@code unix:///var/run/docker.sock} or {@code tcp://10.0.0.2:2375}. */
    @Override
    public String toString() {
        return uri;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof EngineEndpoint other && uri.equals(other.uri);
    }

    @Override
    public int hashCode() {
        return uri.hashCode();
    }
}
