package io.github.frozenimages.images.maven;

/**
 * One {@code <mirror>}: {@code <registry>docker.io</registry><url>https://mirror.example:5000</url>}, or on the
 * command line {@code -Dimages.mirrors=docker.io=https://mirror.example:5000,quay.io=https://...}.
 */
public class MirrorSpec {

    /** The registry mirrored, as images name it: {@code docker.io}, {@code quay.io}, {@code host:port}. */
    private String registry;

    /** The mirror's base URL, {@code https://host[:port]}. */
    private String url;

    /** Called by Maven for the plain-text form {@code registry=url}. */
    public void set(String value) {
        int eq = value.indexOf('=');
        if (eq <= 0 || eq == value.length() - 1) {
            throw new IllegalArgumentException("mirror \"" + value + "\" must be written registry=url, e.g. docker.io=https://mirror.example:5000");
        }
        registry = value.substring(0, eq).trim();
        url = value.substring(eq + 1).trim();
    }

    public String getRegistry() {
        return registry;
    }

    public void setRegistry(String registry) {
        this.registry = registry;
    }

    public String getUrl() {
        return url;
    }

    public void setUrl(String url) {
        this.url = url;
    }
}
