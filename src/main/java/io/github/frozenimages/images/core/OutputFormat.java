package io.github.frozenimages.images.core;

import java.util.Locale;

/** The shapes of the output tree. */
public enum OutputFormat {
    /** An OCI image layout that is also a docker-archive: what {@code docker save} writes since Docker 25. */
    DOCKER,
    /** The OCI image layout alone. */
    OCI,
    /** The tree Moby's {@code download-frozen-image-v2.sh} writes: fake v1 layer folders, {@code manifest.json}, {@code repositories}. */
    LEGACY;

    public static OutputFormat parse(String value) {
        String v = value == null ? "" : value.trim().toLowerCase(Locale.ROOT);
        for (OutputFormat f : values()) {
            if (f.name().toLowerCase(Locale.ROOT).equals(v)) {
                return f;
            }
        }
        throw new IllegalArgumentException("unknown output format \"" + value + "\": use docker, oci or legacy");
    }
}
