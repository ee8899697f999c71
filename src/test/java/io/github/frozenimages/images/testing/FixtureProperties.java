package io.github.frozenimages.images.testing;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Properties;
import java.util.stream.Collectors;

/**
 * Writes the digests of {@link StandardFixtures} as a properties file for the invoker ITs' Groovy
 * scripts, which cannot call Java test classes. Keys are {@code <fixture>.<field>}, where fixture is
 * the repository name without {@code test/} ({@code oci-image}, {@code dup-layer}, ...), with
 * {@code shared-base-2.0} for the second shared-base tag and {@code <index>.<os/arch[/variant]>} for
 * the images of an index, e.g. {@code multi-oci.linux/arm/v7.digest}.
 */
final class FixtureProperties {

    private FixtureProperties() {
    }

    static Properties of(StandardFixtures fixtures, String registryAddress) {
        Properties properties = new Properties();
        properties.setProperty("registry", registryAddress);
        putImage(properties, "oci-image", fixtures.ociImage());
        putImage(properties, "docker-image", fixtures.dockerImage());
        putIndex(properties, "multi-oci", fixtures.multiOci());
        putIndex(properties, "multi-docker", fixtures.multiDocker());
        putImage(properties, "dup-layer", fixtures.dupLayer());
        putImage(properties, "shared-base", fixtures.sharedBase1());
        putImage(properties, "shared-base-2.0", fixtures.sharedBase2());
        properties.setProperty("shared-base.sharedLayer", fixtures.sharedLayer().digest());
        return properties;
    }

    /** Writes the file atomically, so an IT never reads half of it. */
    static void write(Properties properties, Path file) {
        try {
            Path parent = file.toAbsolutePath().getParent();
            Files.createDirectories(parent);
            Path temp = Files.createTempFile(parent, file.getFileName().toString(), ".tmp");
            try (OutputStream out = Files.newOutputStream(temp)) {
                properties.store(out, "digests of the images in the IT registry (written by ItRegistryFixture)");
            }
            Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }

    private static void putImage(Properties properties, String prefix, TestImage image) {
        properties.setProperty(prefix + ".digest", image.manifestDigest());
        properties.setProperty(prefix + ".mediaType", image.manifestMediaType());
        properties.setProperty(prefix + ".configDigest", image.configDigest());
        properties.setProperty(prefix + ".platform", image.platform());
        properties.setProperty(prefix + ".layers",
                image.layers().stream().map(TestLayer::digest).collect(Collectors.joining(",")));
        properties.setProperty(prefix + ".diffIds",
                image.layers().stream().map(TestLayer::diffId).collect(Collectors.joining(",")));
    }

    private static void putIndex(Properties properties, String prefix, TestIndex index) {
        properties.setProperty(prefix + ".digest", index.digest());
        properties.setProperty(prefix + ".mediaType", index.mediaType());
        properties.setProperty(prefix + ".platforms",
                index.images().stream().map(TestImage::platform).collect(Collectors.joining(",")));
        properties.setProperty(prefix + ".attestations",
                index.attestations().stream().map(TestAttestation::manifestDigest).collect(Collectors.joining(",")));
        for (TestImage image : index.images()) {
            putImage(properties, prefix + "." + image.platform(), image);
        }
    }
}
