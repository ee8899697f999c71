package io.github.frozenimages.images.core.store;

import java.io.IOException;

/** Downloaded bytes did not match their descriptor; nothing was kept. */
public class BlobVerificationException extends IOException {

    public BlobVerificationException(String message) {
        super(message);
    }
}
