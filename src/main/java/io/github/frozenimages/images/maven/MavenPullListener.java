package io.github.frozenimages.images.maven;

import io.github.frozenimages.images.core.PullListener;
import org.apache.maven.plugin.logging.Log;

/** Sends the core's reports to Maven's log. */
final class MavenPullListener implements PullListener {

    private final Log log;

    MavenPullListener(Log log) {
        this.log = log;
    }

    @Override
    public void info(String message) {
        log.info(message);
    }

    @Override
    public void warn(String message) {
        log.warn(message);
    }

    @Override
    public void debug(String message) {
        if (log.isDebugEnabled()) {
            log.debug(message);
        }
    }
}
