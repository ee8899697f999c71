package io.github.frozenimages.images.core.auth;

import java.io.IOException;

/** Authentication could not be completed; the registry client adds the image and registry to the message. */
public class AuthenticationException extends IOException {

    private final boolean unreachable;

    public AuthenticationException(String message, boolean unreachable, Throwable cause) {
        super(message, cause);
        this.unreachable = unreachable;
    }

    /** True when the token service could not be reached at all, as opposed to refusing. */
    public boolean unreachable() {
        return unreachable;
    }
}
