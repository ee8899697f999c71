package io.github.frozenimages.images.core;

/** Where the core reports what it does; the Maven layer maps it to the build log. Never given a secret. */
public interface PullListener {

    void info(String message);

    void warn(String message);

    void debug(String message);

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
