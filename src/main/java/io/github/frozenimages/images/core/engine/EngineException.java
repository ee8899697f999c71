package io.github.frozenimages.images.core.engine;

import java.util.Objects;

/** The one failure type of the engine client; its message names the engine and, when it answered, its words. */
public class EngineException extends RuntimeException {

    /** What went wrong, so callers can add their own advice without parsing messages. */
    public enum Reason {
        /** Nothing accepts connections at the address: no socket file, connection refused, unknown host. */
        NOT_LISTENING,
        /** Something is there, but this user may not connect to it (the socket's permissions). */
        ACCESS_DENIED,
        /** The engine answered the load with an error. */
        REFUSED,
        /** The engine (or whatever listens there) stayed silent longer than the timeout allows. */
        TIMEOUT,
        /** What answered does not speak the Docker Engine API, or broke off mid-answer. */
        PROTOCOL,
        /**
         * TLS with the engine failed: its files are missing or unusable, the engine's certificate is not trusted,
         * or the engine refused the client's.
         */
        TLS,
        /** Reading the archive, or the connection, failed. */
        IO
    }

    private final Reason reason;

    public EngineException(Reason reason, String message) {
        this(reason, message, null);
    }

    public EngineException(Reason reason, String message, Throwable cause) {
        super(message, cause);
        this.reason = Objects.requireNonNull(reason);
    }

    public Reason reason() {
        return reason;
    }
}
