package io.github.frozenimages.images.core.store;

import java.io.IOException;

/** The network kept failing during a blob's body: resuming did not get it whole. Its partial bytes are kept for the next build. */
public class DownloadBrokeOffException extends IOException {

    public DownloadBrokeOffException(String message, Throwable cause) {
        super(message, cause);
    }
}
