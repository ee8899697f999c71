package io.github.frozenimages.images.core.engine;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * Where a Docker-compatible engine listens, written the way {@code DOCKER_HOST} writes it: {@code unix:///path}
 * for a local socket, {@code tcp://host[:port]} (or {@code http://}) for TCP, spoken over TLS when
 * {@code DOCKER_TLS_VERIFY} or a Docker context says so. {@code ssh://} and named pipes are not supported, and
 * say so rather than fail obscurely.
 */
public final class EngineEndpoint {

    /** Docker's own default, used when neither the configuration, the environment nor a context names an engine. */
    public static final String DEFAULT = "unix:///var/run/docker.sock";

    /** Docker's port for plain TCP when {@code tcp://host} names none. */
    static final int DEFAULT_TCP_PORT = 2375;

    /** Docker's port for TCP with TLS when {@code tcp://host} names none. */
    static final int DEFAULT_TLS_PORT = 2376;

    /** Linux's limit for a socket path ({@code sun_path} is 108 bytes including the terminating NUL). */
    static final int MAX_SOCKET_PATH_BYTES = 107;

    private final String uri;
    private final Path socket;
    private final String host;
    private final int port;
    private final EngineTlsFiles tls;
    private final String context;

    private EngineEndpoint(String uri, Path socket, String host, int port, EngineTlsFiles tls, String context) {
        this.uri = uri;
        this.socket = socket;
        this.host = host;
        this.port = port;
        this.tls = tls;
        this.context = context;
    }

    /**
     * Chooses the engine as the Docker CLI does: the configured value when there is one, else
     * {@code DOCKER_HOST}, else the Docker context named by {@code DOCKER_CONTEXT}, else the
     * {@code currentContext} of {@code config.json}, else {@value #DEFAULT}. Blank values count as absent, as the
     * Docker CLI counts them. A {@code tcp://} address of the first two is spoken to over TLS when
     * {@code DOCKER_TLS_VERIFY} is set, with {@code ca.pem}, {@code cert.pem} and {@code key.pem} of
     * {@code DOCKER_CERT_PATH} (else of the config folder); a context's over TLS when it has TLS files.
     *
     * @param environment the process environment (tests pass their own)
     * @param configDir   Docker's config folder: {@code DOCKER_CONFIG}, else {@code ~/.docker}
     * @throws IllegalArgumentException when the value chosen is not an address this client can use, or the
     *                                  context named does not exist or cannot be read
     */
    public static EngineEndpoint resolve(String configured, Map<String, String> environment, Path configDir) {
        if (!isBlank(configured)) {
            return withEnvironmentTls(Address.parse(configured, "the configured engine address"), environment, configDir);
        }
        String dockerHost = environment.get("DOCKER_HOST");
        if (!isBlank(dockerHost)) {
            return withEnvironmentTls(Address.parse(dockerHost, "DOCKER_HOST"), environment, configDir);
        }
        DockerContext chosen = DockerContext.current(environment, configDir);
        if (chosen != null) {
            Address address = Address.parse(chosen.host(), chosen.describeHost());
            if (chosen.skipTlsVerify() && address.isTcp()) {
                throw new IllegalArgumentException(chosen.description() + " sets SkipTLSVerify: this client does not talk"
                        + " to an engine whose certificate it cannot check; give the context the engine's CA"
                        + " (docker context update " + chosen.name() + " --docker \"host=" + chosen.host() + ",ca=...\")");
            }
            EngineTlsFiles tls = address.isTcp() ? chosen.tlsFiles() : null;
            return address.endpoint(tls, chosen.description());
        }
        return Address.parse(DEFAULT, "the default engine address").endpoint(null, null);
    }

    private static EngineEndpoint withEnvironmentTls(Address address, Map<String, String> environment, Path configDir) {
        if (address.isUnix()) {
            return address.endpoint(null, null); // a local socket needs no TLS: DOCKER_TLS_VERIFY does not matter there
        }
        if (!isBlank(environment.get("DOCKER_TLS_VERIFY"))) {
            String certPath = environment.get("DOCKER_CERT_PATH");
            EngineTlsFiles tls = isBlank(certPath)
                    ? EngineTlsFiles.in(configDir, "the Docker config folder " + configDir + " (DOCKER_CERT_PATH is not set)")
                    : EngineTlsFiles.in(Path.of(certPath.trim()), "DOCKER_CERT_PATH=" + certPath.trim());
            return address.endpoint(tls, null);
        }
        if (!isBlank(environment.get("DOCKER_TLS"))) {
            throw new IllegalArgumentException("DOCKER_TLS without DOCKER_TLS_VERIFY asks for TLS without checking the"
                    + " engine's certificate, which this client does not do: set DOCKER_TLS_VERIFY=1 and put the engine's"
                    + " CA as ca.pem into DOCKER_CERT_PATH");
        }
        return address.endpoint(null, null);
    }

    /** Parses {@code unix:///path}, {@code tcp://host[:port]} or {@code http://host[:port]}: plain, no TLS. */
    public static EngineEndpoint parse(String value) {
        return Address.parse(value, "the engine address").endpoint(null, null);
    }

    private static boolean isBlank(String value) {
        return value == null || value.isBlank();
    }

    public boolean isUnix() {
        return socket != null;
    }

    public boolean isTcp() {
        return socket == null;
    }

    /** Whether requests go over TLS, with the files {@link #tlsFiles()} names. */
    public boolean isTls() {
        return tls != null;
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

    /** The TLS files of a TLS endpoint, else null. */
    EngineTlsFiles tlsFiles() {
        return tls;
    }

    /** The {@code Host} header: what the Docker CLI sends over a socket, the authority over TCP. */
    String hostHeader() {
        return isUnix() ? "docker" : (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
    }

    /**
     * The normalised address, e.g. {@code unix:///var/run/docker.sock} or {@code tcp://10.0.0.2:2375}, followed by
     * the Docker context it comes from, if any, so that messages say where to change it.
     */
    @Override
    public String toString() {
        return context == null ? uri : uri + " (" + context + ")";
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof EngineEndpoint other && uri.equals(other.uri) && Objects.equals(tls, other.tls);
    }

    @Override
    public int hashCode() {
        return uri.hashCode();
    }

    /** An address as written, before TLS decides the default port. */
    private record Address(Path socket, String host, Integer port) {

        boolean isUnix() {
            return socket != null;
        }

        boolean isTcp() {
            return socket == null;
        }

        EngineEndpoint endpoint(EngineTlsFiles tls, String context) {
            if (isUnix()) {
                return new EngineEndpoint("unix://" + socket, socket, null, -1, null, context);
            }
            int p = port != null ? port : tls != null ? DEFAULT_TLS_PORT : DEFAULT_TCP_PORT;
            String shown = host.contains(":") ? "[" + host + "]" : host;
            return new EngineEndpoint("tcp://" + shown + ":" + p, null, host, p, tls, context);
        }

        static Address parse(String raw, String source) {
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
                    throw invalid(source, value, "write tcp://host:port and set DOCKER_TLS_VERIFY=1, with the engine's"
                            + " ca.pem, cert.pem and key.pem in DOCKER_CERT_PATH, as for the Docker CLI");
                case "ssh":
                    throw invalid(source, value, "ssh:// is not supported: forward the engine's socket (ssh -L /tmp/docker.sock:/var/run/docker.sock host) and use unix:///tmp/docker.sock");
                case "npipe":
                    throw invalid(source, value, "Windows named pipes are not supported: use tcp://host:port");
                default:
                    throw invalid(source, value, "unknown scheme " + scheme + "://, use unix:///path/to/socket or tcp://host:port");
            }
        }

        private static Address unix(String source, String value, String rest) {
            if (rest.isEmpty()) {
                return unix(source, DEFAULT, DEFAULT.substring("unix://".length()));
            }
            if (!rest.startsWith("/")) {
                throw invalid(source, value, "the socket path must be absolute, as in unix:///var/run/docker.sock");
            }
            if (rest.indexOf('\0') >= 0) {
                throw invalid(source, value, "the socket path contains a NUL character");
            }
            if (rest.getBytes(StandardCharsets.UTF_8).length > MAX_SOCKET_PATH_BYTES) {
                throw invalid(source, value, "the socket path is longer than the " + MAX_SOCKET_PATH_BYTES
                        + " bytes a unix socket address can hold");
            }
            return new Address(Path.of(rest), null, null);
        }

        private static Address tcp(String source, String value, String rest) {
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
            Integer port = null;
            if (portText != null) {
                if (!portText.matches("\\d{1,5}") || Integer.parseInt(portText) < 1 || Integer.parseInt(portText) > 65535) {
                    throw invalid(source, value, "the port must be a number from 1 to 65535");
                }
                port = Integer.parseInt(portText);
            }
            return new Address(null, host, port);
        }

        private static IllegalArgumentException invalid(String source, String value, String why) {
            return new IllegalArgumentException(source + " \"" + value + "\" is not usable: " + why);
        }
    }
}
