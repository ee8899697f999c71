package io.github.frozenimages.images.core.shared;

/** Where the core reports what it does; the Maven layer maps it to the build log. Never given a secret. */
public interface PullListener {

    void info(String message);

    void warn(String message);

    void debug(String message);

    /**
     * How far one image's download is; called often from download threads, so implementations throttle
     * and must be thread-safe. Ignored by default.
     */
    default void progress(ImageProgress progress) {
    }

    PullListener SILENT = new PullListener() {
        @Override
        public void info(String message) {
        }

        @Override
        public void warn(String message) {
        }

        @Override
        public void debug(String message) {
        }
    };
}
