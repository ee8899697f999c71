package io.github.frozenimages.images.core;

/** The plugin's version, for the User-Agent header; read from the jar manifest, "dev" when run from classes. */
final class Version {

    private Version() {
    }

    static String get() {
        String v = Version.class.getPackage().getImplementationVersion();
        return v == null ? "dev" : v;
    }
}
