package io.github.frozenimages.images.core.engine;

import io.github.frozenimages.images.core.shared.Version;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.EOFException;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.channels.UnresolvedAddressException;
import java.nio.file.AccessDeniedException;
import java.nio.file.NoSuchFileException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * A minimal client of the Docker Engine API, which Docker and Podman's {@code podman system service} both
 * serve: it loads an archive ({@code POST /images/load}, as {@code docker load} does) and reads JSON
 * ({@code GET}). One connection per call, {@code Connection: close}, no redirects, no TLS. Paths carry no
 * API version: each engine then speaks its own current one, which {@code images/load} has not changed in
 * years, while a pinned version is refused by engines that dropped it.
 */
public final class EngineClient {

    /** Connecting never waits longer than this, whatever the timeout. */
    static final Duration MAX_CONNECT_TIMEOUT = Duration.ofSeconds(30);
    /** A load's answer is a few lines a name; more than this is not an engine's answer. */
    static final int MAX_LOAD_ANSWER = 4 * 1024 * 1024;
    /** How much of an error answer is read for its message. */
    static final int MAX_ERROR_ANSWER = 64 * 1024;
    /** After the engine broke off the upload, how long its answer may take to arrive. */
    private static final Duration EARLY_ANSWER_WAIT = Duration.ofSeconds(5);

    private final EngineEndpoint endpoint;
    private final Duration timeout;
    private final Duration connectTimeout;

    /**
     * @param timeout how long the engine may stay silent: while it takes the archive, and while it unpacks
     *                the layers before it answers; connecting waits at most the lesser of this and 30 s
     */
    public EngineClient(EngineEndpoint endpoint, Duration timeout) {
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("the engine timeout must be positive, not " + timeout.toSeconds() + " s");
        }
        this.endpoint = endpoint;
        this.timeout = timeout;
        this.connectTimeout = timeout.compareTo(MAX_CONNECT_TIMEOUT) < 0 ? timeout : MAX_CONNECT_TIMEOUT;
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
        try (EngineConnection connection = connect()) {
            InputStream in = new BufferedInputStream(connection.input(), 1 << 16);
            IOException sendFailure = send(connection, archive);
            EngineHttp.Response response;
            try {
                if (sendFailure != null) {
                    // the engine may have answered, and closed, before taking the whole archive
                    connection.setTimeout(EARLY_ANSWER_WAIT);
                }
                response = EngineHttp.readResponse(in);
            } catch (IOException e) {
                if (sendFailure != null) {
                    throw sendFailed(sendFailure);
                }
                throw answerFailed("loading " + archive, e);
            }
            if (!response.isSuccess()) {
                String message = readErrorMessage(response);
                throw new EngineException(EngineException.Reason.REFUSED, "the engine at " + endpoint
                        + " refused the archive: " + message + " (HTTP " + response.status() + ")");
            }
            byte[] body;
            try {
                body = response.readBody(MAX_LOAD_ANSWER);
            } catch (IOException e) {
                throw answerFailed("loading " + archive, e);
            }
            LoadResponse.Parsed parsed = LoadResponse.parse(body);
            if (parsed.error() != null) {
                throw new EngineException(EngineException.Reason.REFUSED, "the engine at " + endpoint
                        + " refused the archive: " + parsed.error());
            }
            return parsed.images();
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
        try (EngineConnection connection = connect()) {
            InputStream in = new BufferedInputStream(connection.input(), 1 << 16);
            try {
                OutputStream out = new BufferedOutputStream(connection.output(), 8192);
                EngineHttp.writeHead(out, "GET", path, endpoint.hostHeader(), commonHeaders());
                out.flush();
            } catch (SocketTimeoutException e) {
                throw timedOut("sending GET " + path, e);
            } catch (IOException e) {
                throw sendFailed(e);
            }
            try {
                EngineHttp.Response response = EngineHttp.readResponse(in);
                if (!response.isSuccess()) {
                    throw new EngineException(EngineException.Reason.REFUSED, "the engine at " + endpoint + " answered GET "
                            + path + " with HTTP " + response.status() + ": " + readErrorMessage(response));
                }
                return response.readBody(limit);
            } catch (IOException e) {
                throw answerFailed("GET " + path, e);
            }
        }
    }

    private EngineConnection connect() {
        try {
            return EngineConnection.open(endpoint, connectTimeout, timeout);
        } catch (UnresolvedAddressException e) {
            throw new EngineException(EngineException.Reason.NOT_LISTENING, "no engine listening at " + endpoint
                    + ": the host name " + endpoint.host() + " does not resolve", e);
        } catch (SocketTimeoutException e) {
            throw new EngineException(EngineException.Reason.NOT_LISTENING, "no engine listening at " + endpoint
                    + ": connecting did not succeed within " + connectTimeout.toSeconds() + " s", e);
        } catch (IOException e) {
            throw connectFailed(e);
        }
    }

    private EngineException connectFailed(IOException e) {
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

    /** Sends head and body; a failure to send is returned, not thrown, for the engine may have said why. */
    private IOException send(EngineConnection connection, ArchiveSource archive) {
        SocketSide socket = new SocketSide(connection.output());
        try {
            OutputStream out = new BufferedOutputStream(socket, 1 << 16);
            long length = archive.length();
            Map<String, String> headers = commonHeaders();
            headers.put("Content-Type", "application/x-tar");
            if (length >= 0) {
                headers.put("Content-Length", Long.toString(length));
            } else {
                headers.put("Transfer-Encoding", "chunked");
            }
            EngineHttp.writeHead(out, "POST", "/images/load?quiet=1", endpoint.hostHeader(), headers);
            if (length >= 0) {
                Counting counted = new Counting(out);
                archive.writeTo(counted);
                if (counted.count != length) {
                    throw new EngineException(EngineException.Reason.IO, "the archive " + archive + " changed while it was sent ("
                            + length + " bytes announced, " + counted.count + " read)");
                }
            } else {
                EngineHttp.ChunkedOutputStream chunked = new EngineHttp.ChunkedOutputStream(out);
                OutputStream buffered = new BufferedOutputStream(chunked, 1 << 16);
                archive.writeTo(buffered);
                buffered.flush();
                chunked.finish();
            }
            out.flush();
            return null;
        } catch (SocketSideException e) {
            if (e.getCause() instanceof SocketTimeoutException timeoutException) {
                throw timedOut("sending the archive " + archive, timeoutException);
            }
            return e.getCause();
        } catch (IOException e) {
            throw new EngineException(EngineException.Reason.IO, "could not read the archive " + archive + ": " + describe(e), e);
        }
    }

    private Map<String, String> commonHeaders() {
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("User-Agent", Version.USER_AGENT);
        headers.put("Accept", "application/json");
        headers.put("Connection", "close");
        return headers;
    }

    private String readErrorMessage(EngineHttp.Response response) {
        try {
            return LoadResponse.errorMessage(response.readBodyPrefix(MAX_ERROR_ANSWER));
        } catch (IOException e) {
            return "no explanation given (" + describe(e) + ")";
        }
    }

    private EngineException sendFailed(IOException e) {
        return new EngineException(EngineException.Reason.PROTOCOL, "the engine at " + endpoint
                + " closed the connection while taking the request, without an answer (" + describe(e) + ")", e);
    }

    private EngineException answerFailed(String what, IOException e) {
        if (e instanceof SocketTimeoutException) {
            return timedOut(what, e);
        }
        if (e instanceof EngineHttp.MalformedResponseException) {
            return new EngineException(EngineException.Reason.PROTOCOL, "what listens at " + endpoint
                    + " does not answer like a Docker-compatible engine: " + e.getMessage(), e);
        }
        if (e instanceof EOFException || e instanceof SocketException) {
            return new EngineException(EngineException.Reason.PROTOCOL, "the engine at " + endpoint
                    + " broke off its answer to " + what + ": " + describe(e), e);
        }
        return new EngineException(EngineException.Reason.PROTOCOL, "could not read the answer of the engine at "
                + endpoint + " to " + what + ": " + describe(e), e);
    }

    private EngineException timedOut(String what, IOException e) {
        return new EngineException(EngineException.Reason.TIMEOUT, "the engine at " + endpoint + " stayed silent for "
                + timeout.toSeconds() + " s while " + what + " (" + e.getMessage() + ")", e);
    }

    private static String describe(Throwable e) {
        String message = e.getMessage();
        return message == null || message.isBlank() ? e.getClass().getSimpleName() : message;
    }

    /** Marks failures of the socket, as opposed to those of reading the archive, which share the call stack. */
    private static final class SocketSideException extends IOException {
        SocketSideException(IOException cause) {
            super(cause.getMessage(), cause);
        }

        @Override
        public synchronized IOException getCause() {
            return (IOException) super.getCause();
        }
    }

    private static final class SocketSide extends FilterOutputStream {
        SocketSide(OutputStream out) {
            super(out);
        }

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            try {
                out.write(b, off, len);
            } catch (IOException e) {
                throw new SocketSideException(e);
            }
        }

        @Override
        public void flush() throws IOException {
            try {
                out.flush();
            } catch (IOException e) {
                throw new SocketSideException(e);
            }
        }
    }

    private static final class Counting extends FilterOutputStream {
        long count;

        Counting(OutputStream out) {
            super(out);
        }

        @Override
        public void write(int b) throws IOException {
            out.write(b);
            count++;
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
            count += len;
        }
    }
}
