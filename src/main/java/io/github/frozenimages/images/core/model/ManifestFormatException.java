package io.github.frozenimages.images.core.model;

import java.io.IOException;

/** A manifest, index or config that cannot be used; {@link #unsupported()} tells a foreign format from a broken one. */
public class ManifestFormatException extends IOException {

    private final boolean unsupported;

    public ManifestFormatException(String message, boolean unsupported) {
        super(message);
        this.unsupported = unsupported;
    }

    public boolean unsupported() {
        return unsupported;
    }
}
