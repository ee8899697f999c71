package io.github.frozenimages.images.maven;

/**
 * A setting a configuration mistake can be in, named as the user writes it: the POM element and the
 * {@code -D} property of a goal parameter, or the place outside the POM (settings.xml, certs.d) it comes from.
 * A failure message names it so the user knows what to edit without reading the plugin's documentation.
 */
enum UserParameter {

    IMAGES("images", "images"),
    IMAGES_FILE("imagesFile", "images.file"),
    PLATFORM("platform", "images.platform"),
    PLATFORMS("platforms", "images.platforms"),
    MIRRORS("mirrors", "images.mirrors"),
    RETRIES("retries", "images.retries"),
    TIMEOUT("timeout", "images.timeout"),
    TRUST_STORE("trustStore", "images.trustStore"),
    TRUST_STORE_PASSWORD("trustStorePassword", "images.trustStorePassword"),
    FORMAT("format", "images.format"),
    PARALLEL_DOWNLOADS("parallelDownloads", "images.parallelDownloads"),
    OUTPUT_TIMESTAMP("outputTimestamp", "images.outputTimestamp"),
    OUTPUT_DIRECTORY("outputDirectory", "images.outputDirectory"),
    ARCHIVE("archive", "images.archive"),
    DOCKER_HOST("dockerHost", "images.dockerHost"),
    LOAD_TIMEOUT("loadTimeout", "images.loadTimeout"),
    VERIFY("verify", "images.verify.publicKey"),
    PUSH_TARGET("target", "images.push.target"),
    PUSH_ARTIFACT("artifact", "images.artifact"),
    CACHE_DIRECTORY("cacheDirectory", "images.cacheDirectory"),
    PRUNE_OLDER_THAN("olderThan", "images.prune.olderThan"),
    PRUNE_MAX_SIZE("maxSize", "images.prune.maxSize"),
    PRUNE_KEEP_LOCKED("keepLocked", "images.prune.keepLocked"),
    /** Maven's own proxies, which no goal parameter overrides. */
    SETTINGS_PROXIES("the active <proxy> entries of settings.xml"),
    /** Who keyless signatures must come from: the POM element and the goal's command-line forms of it. */
    KEYLESS("<verify><keyless> or -Dimages.verify.issuer, -Dimages.verify.identity, -Dimages.verify.identityPattern"),
    TRUSTED_ROOT("<verify><trustedRoot> or -Dimages.verify.trustedRoot"),
    /** Docker's per-registry TLS folders, read for every registry the build reaches over https. */
    CERTS_D("the certs.d/<host:port>/ folder of that registry (~/.docker/certs.d or /etc/docker/certs.d)");

    private final String element;
    private final String property;
    private final String where;

    /** A goal parameter: {@code <element>} in the POM, {@code -Dproperty} on the command line. */
    UserParameter(String element, String property) {
        this.element = element;
        this.property = property;
        this.where = "<" + element + "> or -D" + property;
    }

    /** A setting outside the goal's parameters. */
    UserParameter(String where) {
        this.element = null;
        this.property = null;
        this.where = where;
    }

    /** The goal parameter's name, as in the POM; null for a setting outside the POM. */
    String element() {
        return element;
    }

    /** The goal parameter's user property; null for a setting outside the POM. */
    String property() {
        return property;
    }

    /** How a message names it: {@code <mirrors> or -Dimages.mirrors}. */
    @Override
    public String toString() {
        return where;
    }
}
