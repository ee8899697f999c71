package io.github.frozenimages.images.maven;

import io.github.frozenimages.images.core.shared.ImageProgress;
import io.github.frozenimages.images.core.shared.PullListener;
import org.apache.maven.plugin.logging.Log;

/** Sends the core's reports to Maven's log, and progress to the live line when there is one. */
final class MavenPullListener implements PullListener {

    private final Log log;
    private final ProgressLine progressLine;

    /** @param progressLine null in batch mode, CI or without a terminal */
    MavenPullListener(Log log, ProgressLine progressLine) {
        this.log = log;
        this.progressLine = progressLine;
    }

    @Override
    public void info(String message) {
        clearLine();
        log.info(message);
    }

    @Override
    public void warn(String message) {
        clearLine();
        log.warn(message);
    }

    @Override
    public void debug(String message) {
        if (log.isDebugEnabled()) {
            clearLine();
            log.debug(message);
        }
    }

    @Override
    public void progress(ImageProgress progress) {
        if (progressLine != null) {
            progressLine.update(progress);
        }
    }

    private void clearLine() {
        if (progressLine != null) {
            progressLine.clear();
        }
    }
}
