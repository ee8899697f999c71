package io.github.frozenimages.images.core.engine;

import io.github.frozenimages.images.core.shared.Version;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.nio.file.AccessDeniedException;
import java.nio.file.NoSuchFileException;
import java.security.GeneralSecurityException;
import java.security.cert.CertPathBuilderException;
import java.security.cert.CertPathValidatorException;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSocket;
import org.apache.hc.client5.http.ConnectTimeoutException;
import org.apache.hc.client5.http.classic.methods.HttpGet;
import org.apache.hc.client5.http.classic.methods.HttpPost;
import org.apache.hc.client5.http.classic.methods.HttpUriRequestBase;
import org.apache.hc.client5.http.config.ConnectionConfig;
import org.apache.hc.client5.http.config.RequestConfig;
import org.apache.hc.client5.http.cookie.CookieSpecFactory;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManagerBuilder;
import org.apache.hc.client5.http.protocol.HttpClientContext;
import org.apache.hc.client5.http.ssl.DefaultClientTlsStrategy;
import org.apache.hc.core5.http.ClassicHttpResponse;
import org.apache.hc.core5.http.ConnectionClosedException;
import org.apache.hc.core5.http.HttpEntity;
import org.apache.hc.core5.http.HttpHost;
import org.apache.hc.core5.http.NoHttpResponseException;
import org.apache.hc.core5.http.ProtocolException;
import org.apache.hc.core5.http.config.RegistryBuilder;
import org.apache.hc.core5.http.protocol.HttpContext;
import org.apache.hc.core5.io.CloseMode;
import org.apache.hc.core5.util.Timeout;

/**
 * A minimal client of the Docker Engine API, which Docker and Podman's {@code podman system service} both
 * serve: it loads an archive ({@code POST /images/load}, as {@code docker load} does) and reads JSON
 * ({@code GET}). HttpClient carries the requests over a unix socket, plain TCP or TLS alike; each request
 * asks for {@code Connection: close}, and nothing is retried or redirected. Paths carry no API version: each
 * engine then speaks its own current one, which {@code images/load} has not changed in years, while a pinned
 * version is refused by engines that dropped it.
 */
public final class EngineClient implements AutoCloseable {

    static {
        // Under mvn -X every logger is at debug, and HttpClient's wire log would print the whole archive byte by
        // byte. Maven's logger reads a logger's level when the logger is created, so this runs before any
        // HttpClient class makes one; a user who sets the property (to debug the wire, knowingly) keeps it.
        // The registry transport sets the same properties for the same reason.
        if (System.getProperty("org.slf4j.simpleLogger.log.org.apache.hc") == null
                && System.getProperty("maven.logger.log.org.apache.hc") == null) {
            System.setProperty("maven.logger.log.org.apache.hc", "info");
            System.setProperty("org.slf4j.simpleLogger.log.org.apache.hc", "info");
        }
    }

    /** Connecting never waits longer than this, whatever the timeout. */
    static final Duration MAX_CONNECT_TIMEOUT = Duration.ofSeconds(30);
    /** A load's answer is a few lines a name; more than this is not an engine's answer. */
    static final int MAX_LOAD_ANSWER = 4 * 1024 * 1024;
    /** How much of an error answer is read for its message. */
    static final int MAX_ERROR_ANSWER = 64 * 1024;
    /** The request context's note of whether the engine asked for a client certificate in the handshake. */
    private static final String ASKED_FOR_CERTIFICATE = "images.engine.askedForClientCertificate";

    private final EngineEndpoint endpoint;
    private final Duration timeout;
    private final Duration connectTimeout;
    private final EngineTlsFiles.Setup tls;
    private final HttpHost target;
    private final CloseableHttpClient http;

    /**
     * @param timeout how long the engine may stay silent: while it takes the archive, and while it unpacks
     *                the layers before it answers; connecting waits at most the lesser of this and 30 s
     * @throws EngineException ({@link EngineException.Reason#TLS}) when the endpoint's TLS files are unusable
     */
    public EngineClient(EngineEndpoint endpoint, Duration timeout) {
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("the engine timeout must be positive, not " + timeout.toSeconds() + " s");
        }
        this.endpoint = endpoint;
        this.timeout = timeout;
        this.connectTimeout = timeout.compareTo(MAX_CONNECT_TIMEOUT) < 0 ? timeout : MAX_CONNECT_TIMEOUT;
        this.tls = endpoint.isTls() ? endpoint.tlsFiles().load(endpoint.toString()) : null;
        // over a socket the host is only what the Host header says; over TCP it is what HttpClient connects to
        this.target = endpoint.isUnix() ? new HttpHost("http", "docker", 80)
                : new HttpHost(endpoint.isTls() ? "https" : "http", endpoint.host(), endpoint.port());
        this.http = httpClient();
    }

    private CloseableHttpClient httpClient() {
        Timeout idle = Timeout.ofMilliseconds(timeout.toMillis());
        PoolingHttpClientConnectionManagerBuilder connections = PoolingHttpClientConnectionManagerBuilder.create()
                .setConnectionFactory(new EngineConnectionFactory())
                .setDefaultConnectionConfig(ConnectionConfig.custom()
                        .setConnectTimeout(Timeout.ofMilliseconds(connectTimeout.toMillis()))
                        .setSocketTimeout(idle)
                        .build());
        if (tls != null) {
            connections.setTlsSocketStrategy(this::upgradeToTls);
        }
        RequestConfig.Builder requests = RequestConfig.custom()
                .setResponseTimeout(idle)
                .setConnectionRequestTimeout(Timeout.ofMilliseconds(connectTimeout.toMillis()));
        if (endpoint.isUnix()) {
            requests.setUnixDomainSocket(endpoint.socketPath());
        }
        return HttpClients.custom()
                .setConnectionManager(connections.build())
                .disableRedirectHandling()
                .disableAutomaticRetries()
                .disableContentCompression()
                .disableCookieManagement()
                .disableAuthCaching()
                // no cookie is kept, yet for its default cookie specs the builder would load the public suffix list
                .setDefaultCookieSpecRegistry(RegistryBuilder.<CookieSpecFactory>create().build())
                .setUserAgent(Version.USER_AGENT)
                .setDefaultRequestConfig(requests.build())
                .build();
    }

    /** TLS for one connection; the request's context learns whether the engine asked for a client certificate. */
    private SSLSocket upgradeToTls(Socket socket, String target, int port, Object attachment, HttpContext context) throws IOException {
        AtomicBoolean asked = new AtomicBoolean();
        context.setAttribute(ASKED_FOR_CERTIFICATE, asked);
        SSLContext ssl;
        try {
            ssl = tls.newContext(asked);
        } catch (GeneralSecurityException e) {
            throw new SSLException("cannot set up TLS: " + e.getMessage(), e);
        }
        return new DefaultClientTlsStrategy(ssl).upgrade(socket, target, port, attachment, context);
    }

    public EngineEndpoint endpoint() {
        return endpoint;
    }

    /**
     * Sends the archive to {@code POST /images/load?quiet=1} and returns what the engine loaded.
     *
     * @throws EngineException when no engine answers, the engine refuses the archive, or the archive cannot be read
     */
    public LoadedImages load(ArchiveSource archive) {
        ArchiveEntity entity = ArchiveEntity.of(archive);
        HttpPost post = new HttpPost("/images/load?quiet=1");
        post.setEntity(entity);
        String what = "loading " + archive;
        ClassicHttpResponse response = execute(post, what, entity);
        try {
            if (!isSuccess(response)) {
                throw new EngineException(EngineException.Reason.REFUSED, "the engine at " + endpoint
                        + " refused the archive: " + errorMessage(response) + " (HTTP " + response.getCode() + ")");
            }
            byte[] body;
            try {
                body = readBody(response.getEntity(), MAX_LOAD_ANSWER);
            } catch (IOException e) {
                throw answerFailed(what, e);
            }
            LoadResponse.Parsed parsed = LoadResponse.parse(body);
            if (parsed.error() != null) {
                throw new EngineException(EngineException.Reason.REFUSED, "the engine at " + endpoint
                        + " refused the archive: " + parsed.error());
            }
            return parsed.images();
        } finally {
            discard(post, response);
        }
    }

    /**
     * {@code GET path} (such as {@code /images/json}): the answer's body, at most {@code limit} bytes.
     *
     * @throws EngineException when no engine answers or it answers with an error status
     */
    public byte[] get(String path, int limit) {
        if (!path.startsWith("/")) {
            throw new IllegalArgumentException("the path must start with /: " + path);
        }
        HttpGet get = new HttpGet(path);
        String what = "GET " + path;
        ClassicHttpResponse response = execute(get, what, null);
        try {
            if (!isSuccess(response)) {
                throw new EngineException(EngineException.Reason.REFUSED, "the engine at " + endpoint + " answered GET "
                        + path + " with HTTP " + response.getCode() + ": " + errorMessage(response));
            }
            return readBody(response.getEntity(), limit);
        } catch (IOException e) {
            throw answerFailed(what, e);
        } finally {
            discard(get, response);
        }
    }

    private ClassicHttpResponse execute(HttpUriRequestBase request, String what, ArchiveEntity entity) {
        request.setHeader("Host", endpoint.hostHeader());
        request.setHeader("Accept", "application/json");
        request.setHeader("Connection", "close");
        HttpClientContext context = HttpClientContext.create();
        try {
            return http.executeOpen(target, request, context);
        } catch (IOException e) {
            throw failure(e, context, what, entity);
        }
    }

    private static boolean isSuccess(ClassicHttpResponse response) {
        return response.getCode() >= 200 && response.getCode() < 300;
    }

    /** Ends the exchange at once: the rest of an answer not read (an error's long body) is not drained. */
    private static void discard(HttpUriRequestBase request, ClassicHttpResponse response) {
        request.cancel();
        try {
            response.close();
        } catch (IOException ignored) {
            // the connection is closed either way
        }
    }

    /** The body, at most {@code limit} bytes; more is an error, since the caller needs all of it. */
    private static byte[] readBody(HttpEntity entity, int limit) throws IOException {
        if (entity == null) {
            return new byte[0];
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buffer = new byte[8192];
        try (InputStream in = entity.getContent()) {
            int n;
            while ((n = in.read(buffer)) >= 0) {
                if (out.size() + n > limit) {
                    throw new IOException("the engine's answer is larger than " + limit + " bytes");
                }
                out.write(buffer, 0, n);
            }
        }
        return out.toByteArray();
    }

    private String errorMessage(ClassicHttpResponse response) {
        String message;
        try {
            HttpEntity entity = response.getEntity();
            message = entity == null ? LoadResponse.errorMessage(new byte[0])
                    : LoadResponse.errorMessage(entity.getContent().readNBytes(MAX_ERROR_ANSWER));
        } catch (IOException e) {
            return "no explanation given (" + describe(e) + ")";
        }
        if (!endpoint.isTls() && endpoint.isTcp() && message.contains("HTTP request to an HTTPS server")) {
            // Docker's answer to plain http on its TLS port (2376), as GitLab's docker:dind serves it
            return message + "; the engine speaks TLS: set DOCKER_TLS_VERIFY=1 and DOCKER_CERT_PATH to the folder with its"
                    + " ca.pem, cert.pem and key.pem";
        }
        return message;
    }

    /** What a failed exchange means, from what failed and when: before the connection stood, or after. */
    private EngineException failure(IOException e, HttpClientContext context, String what, ArchiveEntity entity) {
        IOException sendFailure = entity == null ? null : entity.sendFailure();
        boolean connected = context.getEndpointDetails() != null;
        if (tls != null) {
            boolean asked = context.getAttribute(ASKED_FOR_CERTIFICATE) instanceof AtomicBoolean a && a.get();
            EngineException tlsFailure = tlsFailure(e, sendFailure, asked);
            if (tlsFailure != null) {
                return tlsFailure;
            }
        }
        if (!connected) {
            return connectFailed(e);
        }
        if (sendFailure instanceof SocketTimeoutException) {
            return timedOut("sending the archive " + entity, sendFailure);
        }
        if (sendFailure != null) {
            return sendFailed(sendFailure); // the engine stopped taking the archive, and its answer did not come
        }
        return answerFailed(what, e);
    }

    private EngineException connectFailed(IOException e) {
        if (e instanceof UnknownHostException) {
            return new EngineException(EngineException.Reason.NOT_LISTENING, "no engine listening at " + endpoint
                    + ": the host name " + endpoint.host() + " does not resolve", e);
        }
        if (e instanceof ConnectTimeoutException || e instanceof SocketTimeoutException) {
            return new EngineException(EngineException.Reason.NOT_LISTENING, "no engine listening at " + endpoint
                    + ": connecting did not succeed within " + connectTimeout.toSeconds() + " s", e);
        }
        String detail = String.valueOf(e.getMessage());
        String lower = detail.toLowerCase(Locale.ROOT);
        if (e instanceof AccessDeniedException || lower.contains("permission denied") || lower.contains("access denied")) {
            return new EngineException(EngineException.Reason.ACCESS_DENIED, "cannot connect to the engine at " + endpoint
                    + ": permission denied; this user may not use the socket (Docker: join the docker group)", e);
        }
        if (e instanceof NoSuchFileException || lower.contains("no such file")) {
            return new EngineException(EngineException.Reason.NOT_LISTENING, "no engine listening at " + endpoint
                    + ": there is no socket file", e);
        }
        if (e instanceof ConnectException || lower.contains("connection refused")) {
            return new EngineException(EngineException.Reason.NOT_LISTENING, "no engine listening at " + endpoint
                    + ": connection refused", e);
        }
        return new EngineException(EngineException.Reason.NOT_LISTENING, "cannot connect to the engine at " + endpoint
                + ": " + describe(e), e);
    }

    /**
     * A failure of TLS, named for what the user fixes: the CA, the engine's name, or the client certificate. An
     * engine that refuses the client's certificate (or wants one it did not get) may let the handshake finish and
     * then close the connection, so a connection broken off right after a handshake in which the engine asked
     * for a certificate is read as such a refusal. Null when the failure is not one of TLS.
     */
    private EngineException tlsFailure(IOException e, IOException sendFailure, boolean askedForCertificate) {
        EngineTlsFiles files = endpoint.tlsFiles();
        Throwable untrusted = cause(e, CertPathBuilderException.class, CertPathValidatorException.class);
        if (untrusted != null) {
            return new EngineException(EngineException.Reason.TLS, "the engine at " + endpoint + " presented a certificate"
                    + " that neither " + files.directory().resolve(EngineTlsFiles.CA) + " nor the JVM's CAs vouch for ("
                    + describe(untrusted) + ") " + files.advice(), e);
        }
        Throwable otherName = cause(e, SSLPeerUnverifiedException.class);
        if (otherName != null) {
            return new EngineException(EngineException.Reason.TLS, "the engine at " + endpoint + " presented a certificate"
                    + " for another name (" + describe(otherName) + "); address it by a name its certificate holds "
                    + files.advice(), e);
        }
        Throwable ssl = cause(e, SSLException.class);
        if (ssl == null && sendFailure != null) {
            ssl = cause(sendFailure, SSLException.class);
        }
        boolean brokenOff = ssl != null || sendFailure != null || e instanceof NoHttpResponseException
                || cause(e, SocketException.class) != null;
        if (askedForCertificate && brokenOff) {
            String detail = describe(ssl != null ? ssl : sendFailure != null ? sendFailure : e);
            if (!tls.offersCertificate()) {
                return new EngineException(EngineException.Reason.TLS, "the engine at " + endpoint + " asks for a client"
                        + " certificate, and " + files.directory() + " holds no " + EngineTlsFiles.CERT + " and "
                        + EngineTlsFiles.KEY + " (" + detail + ") " + files.advice(), e);
            }
            return new EngineException(EngineException.Reason.TLS, "the engine at " + endpoint + " refused the client"
                    + " certificate " + files.certificate() + " (" + detail + "); it must be signed by a CA the engine"
                    + " trusts " + files.advice(), e);
        }
        if (ssl != null) {
            return new EngineException(EngineException.Reason.TLS, "TLS with the engine at " + endpoint + " failed: "
                    + describe(ssl) + " " + files.advice(), e);
        }
        return null;
    }

    @SafeVarargs
    private static Throwable cause(Throwable e, Class<? extends Throwable>... types) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            for (Class<? extends Throwable> type : types) {
                if (type.isInstance(t)) {
                    return t;
                }
            }
        }
        return null;
    }

    private EngineException sendFailed(IOException e) {
        return new EngineException(EngineException.Reason.PROTOCOL, "the engine at " + endpoint
                + " closed the connection while taking the request, without an answer (" + describe(e) + ")", e);
    }

    private EngineException answerFailed(String what, IOException e) {
        if (e instanceof SocketTimeoutException) {
            return timedOut(what, e);
        }
        Throwable notHttp = cause(e, ProtocolException.class);
        if (notHttp != null) {
            return new EngineException(EngineException.Reason.PROTOCOL, "what listens at " + endpoint
                    + " does not answer like a Docker-compatible engine: not an HTTP answer (" + describe(notHttp) + ")", e);
        }
        if (e instanceof NoHttpResponseException) {
            return new EngineException(EngineException.Reason.PROTOCOL, "the engine at " + endpoint
                    + " broke off its answer to " + what + ": the connection closed without an answer", e);
        }
        if (e instanceof SocketException || cause(e, SocketException.class) != null
                || e instanceof ConnectionClosedException) {
            return new EngineException(EngineException.Reason.PROTOCOL, "the engine at " + endpoint
                    + " broke off its answer to " + what + ": " + describe(e), e);
        }
        return new EngineException(EngineException.Reason.PROTOCOL, "could not read the answer of the engine at "
                + endpoint + " to " + what + ": " + describe(e), e);
    }

    private EngineException timedOut(String what, IOException e) {
        return new EngineException(EngineException.Reason.TIMEOUT, "the engine at " + endpoint + " stayed silent for "
                + timeout.toSeconds() + " s while " + what + " (" + describe(e) + ")", e);
    }

    static EngineException archiveUnreadable(ArchiveSource archive, IOException e) {
        return new EngineException(EngineException.Reason.IO, "could not read the archive " + archive + ": " + describe(e), e);
    }

    private static String describe(Throwable e) {
        String message = e.getMessage();
        return message == null || message.isBlank() ? e.getClass().getSimpleName() : message;
    }

    @Override
    public void close() {
        http.close(CloseMode.IMMEDIATE);
    }
}
