package io.github.frozenimages.images.core.store;

import java.io.IOException;

/** A ranged request was answered with bytes from elsewhere; the held bytes cannot be continued and are discarded. */
public class RangeNotHonouredException extends IOException {

    public RangeNotHonouredException(String message) {
        super(message);
    }
}
