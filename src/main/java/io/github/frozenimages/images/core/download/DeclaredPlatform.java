package io.github.frozenimages.images.core.download;

import io.github.frozenimages.images.core.ref.Platform;
import io.github.frozenimages.images.core.ref.PlatformMatcher;
import io.github.frozenimages.images.core.registry.ResolvedImage;
import io.github.frozenimages.images.core.shared.PullListener;

/** The platform a single-platform image declares in its own document, which may not be the one asked for. */
final class DeclaredPlatform {

    private DeclaredPlatform() {
    }

    /** The declared platform, warning when it is not the one asked for; the asked one when nothing is declared. */
    static Platform of(PullListener listener, ResolvedImage resolved, String os, String architecture, String variant, Platform wanted) {
        if (os == null || architecture == null) {
            return wanted;
        }
        Platform actual;
        try {
            actual = Platform.of(os, architecture, variant);
        } catch (IllegalArgumentException e) {
            listener.warn(resolved.reference().familiarString() + " has a config with an unreadable platform: " + e.getMessage());
            return wanted;
        }
        if (!PlatformMatcher.only(wanted).matches(actual)) {
            listener.warn(resolved.reference().familiarString() + " is a single-platform image for " + actual
                    + ", not for the requested " + wanted);
        }
        return actual;
    }
}
