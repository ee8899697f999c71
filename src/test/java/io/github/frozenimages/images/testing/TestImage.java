package io.github.frozenimages.images.testing;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One single-platform image (OCI or Docker v2 schema 2), built in memory. It keeps the exact config
 * and manifest bytes so tests can compare what a registry serves, or what the plugin wrote, byte for
 * byte.
 */
public final class TestImage {

    private final boolean oci;
    private final String os;
    private final String architecture;
    private final String variant;
    private final List<TestLayer> layers;
    private final byte[] configBytes;
    private final byte[] manifestBytes;

    private TestImage(Builder builder) {
        this.oci = builder.oci;
        this.os = builder.os;
        this.architecture = builder.architecture;
        this.variant = builder.variant;
        this.layers = List.copyOf(builder.layers);
        this.configBytes = ImageConfigJson.write(os, architecture, variant, layers, builder.labels);
        this.manifestBytes = Json.bytes(manifest());
    }

    public static Builder builder() {
        return new Builder();
    }

    private ObjectNode manifest() {
        ObjectNode manifest = Json.object();
        manifest.put("schemaVersion", 2);
        manifest.put("mediaType", manifestMediaType());
        manifest.set("config", Json.descriptor(configMediaType(), configBytes));
        ArrayNode layerDescriptors = manifest.putArray("layers");
        for (TestLayer layer : layers) {
            ObjectNode descriptor = Json.object();
            descriptor.put("mediaType", layer.mediaType(oci));
            descriptor.put("digest", layer.digest());
            descriptor.put("size", layer.size());
            layerDescriptors.add(descriptor);
        }
        return manifest;
    }

    public byte[] manifestBytes() {
        return manifestBytes.clone();
    }

    public String manifestDigest() {
        return Sha256.digest(manifestBytes);
    }

    public String manifestMediaType() {
        return oci ? MediaTypes.OCI_MANIFEST : MediaTypes.DOCKER_MANIFEST;
    }

    public byte[] configBytes() {
        return configBytes.clone();
    }

    public String configDigest() {
        return Sha256.digest(configBytes);
    }

    public String configMediaType() {
        return oci ? MediaTypes.OCI_CONFIG : MediaTypes.DOCKER_CONFIG;
    }

    /** The layers in manifest order; the same layer appears as often as it was added. */
    public List<TestLayer> layers() {
        return layers;
    }

    public boolean oci() {
        return oci;
    }

    public String os() {
        return os;
    }

    public String architecture() {
        return architecture;
    }

    /** The CPU variant, or {@code ""} when the image has none. */
    public String variant() {
        return variant;
    }

    /** {@code os/architecture[/variant]}, e.g. {@code linux/arm/v7}. */
    public String platform() {
        return os + "/" + architecture + (variant.isEmpty() ? "" : "/" + variant);
    }

    @Override
    public String toString() {
        return "TestImage[" + platform() + ", " + manifestMediaType() + ", " + manifestDigest() + "]";
    }

    /** Collects the image's parts; defaults are OCI and linux/amd64. */
    public static final class Builder {
        private boolean oci = true;
        private String os = "linux";
        private String architecture = "amd64";
        private String variant = "";
        private final List<TestLayer> layers = new ArrayList<>();
        private final Map<String, String> labels = new LinkedHashMap<>();

        private Builder() {
        }

        /** OCI media types when true, Docker v2 schema 2 media types when false. */
        public Builder oci(boolean oci) {
            this.oci = oci;
            return this;
        }

        public Builder platform(String os, String architecture) {
            return platform(os, architecture, "");
        }

        public Builder platform(String os, String architecture, String variant) {
            this.os = Objects.requireNonNull(os, "os");
            this.architecture = Objects.requireNonNull(architecture, "architecture");
            this.variant = variant == null ? "" : variant;
            return this;
        }

        /** Appends a layer; adding the same layer again makes the manifest list its digest twice. */
        public Builder layer(TestLayer layer) {
            layers.add(Objects.requireNonNull(layer, "layer"));
            return this;
        }

        public Builder label(String key, String value) {
            labels.put(key, value);
            return this;
        }

        public TestImage build() {
            if (layers.isEmpty()) {
                throw new IllegalStateException("a test image needs at least one layer");
            }
            return new TestImage(this);
        }
    }
}
