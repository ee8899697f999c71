package io.github.frozenimages.images.core.registry;

import java.io.IOException;

/** Authentication could not be completed; the registry client adds the image and registry to the message. */
public class AuthenticationException extends IOException {

    /** Whose fault it was, which decides the advice the user gets. */
    public enum Kind {
        /** The registry or token service said no: the credentials are wrong or lack the right. */
        REFUSED,
        /** The token service could not be reached, or kept failing (5xx): not a credentials problem. */
        UNAVAILABLE,
        /** The token service answered in a way no token service may (a huge or malformed body). */
        PROTOCOL
    }

    private final Kind kind;

    public AuthenticationException(String message, Kind kind, Throwable cause) {
        super(message, cause);
        this.kind = kind;
    }

    public AuthenticationException(String message, boolean unreachable, Throwable cause) {
        this(message, unreachable ? Kind.UNAVAILABLE : Kind.REFUSED, cause);
    }

    public Kind kind() {
        return kind;
    }

    /** True when the token service could not be reached at all, or kept failing, as opposed to refusing. */
    public boolean unreachable() {
        return kind == Kind.UNAVAILABLE;
    }

    public boolean protocol() {
        return kind == Kind.PROTOCOL;
    }
}
