package io.github.frozenimages.images.core.shared;

/** The plugin's version, for the User-Agent header; read from the jar manifest, "dev" when run from classes. */
public final class Version {

    /** What the plugin calls itself to registries and engines alike. */
    public static final String USER_AGENT = "images-maven-plugin/" + get();

    private Version() {
    }

    static String get() {
        String v = Version.class.getPackage().getImplementationVersion();
        return v == null ? "dev" : v;
    }
}
