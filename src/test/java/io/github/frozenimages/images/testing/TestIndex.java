package io.github.frozenimages.images.testing;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * An OCI image index or Docker manifest list over {@link TestImage}s, optionally followed by one
 * BuildKit attestation entry per image (the order BuildKit uses: all images first, then all
 * attestations).
 */
public final class TestIndex {

    private final boolean oci;
    private final List<TestImage> images;
    private final List<TestAttestation> attestations;
    private final byte[] bytes;

    private TestIndex(Builder builder) {
        this.oci = builder.oci;
        this.images = List.copyOf(builder.images);
        List<TestAttestation> made = new ArrayList<>();
        if (builder.withAttestations) {
            images.forEach(image -> made.add(TestAttestation.about(image)));
        }
        this.attestations = List.copyOf(made);
        this.bytes = Json.bytes(document());
    }

    public static Builder builder() {
        return new Builder();
    }

    private ObjectNode document() {
        ObjectNode index = Json.object();
        index.put("schemaVersion", 2);
        index.put("mediaType", mediaType());
        ArrayNode manifests = index.putArray("manifests");
        for (TestImage image : images) {
            ObjectNode descriptor = Json.descriptor(image.manifestMediaType(), image.manifestBytes());
            ObjectNode platform = descriptor.putObject("platform");
            platform.put("architecture", image.architecture());
            platform.put("os", image.os());
            if (!image.variant().isEmpty()) {
                platform.put("variant", image.variant());
            }
            manifests.add(descriptor);
        }
        attestations.forEach(attestation -> manifests.add(attestation.indexDescriptor()));
        return index;
    }

    public byte[] bytes() {
        return bytes.clone();
    }

    public String digest() {
        return Sha256.digest(bytes);
    }

    public String mediaType() {
        return oci ? MediaTypes.OCI_INDEX : MediaTypes.DOCKER_LIST;
    }

    /** The platform images, in index order. */
    public List<TestImage> images() {
        return images;
    }

    /** The attestation manifests, in index order (empty unless built with attestations). */
    public List<TestAttestation> attestations() {
        return attestations;
    }

    /** The image for {@code os/architecture[/variant]}, e.g. {@code linux/arm/v7}. */
    public TestImage image(String platform) {
        return images.stream()
                .filter(image -> image.platform().equals(platform))
                .findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no " + platform + " image in " + this));
    }

    @Override
    public String toString() {
        return "TestIndex[" + mediaType() + ", " + digest() + ", "
                + images.stream().map(TestImage::platform).toList() + "]";
    }

    /** Collects the index's entries; the default is an OCI index without attestations. */
    public static final class Builder {
        private boolean oci = true;
        private boolean withAttestations;
        private final List<TestImage> images = new ArrayList<>();

        private Builder() {
        }

        /** An OCI image index when true, a Docker manifest list when false. */
        public Builder oci(boolean oci) {
            this.oci = oci;
            return this;
        }

        public Builder add(TestImage image) {
            images.add(Objects.requireNonNull(image, "image"));
            return this;
        }

        public Builder withAttestations(boolean withAttestations) {
            this.withAttestations = withAttestations;
            return this;
        }

        public TestIndex build() {
            if (images.isEmpty()) {
                throw new IllegalStateException("a test index needs at least one image");
            }
            return new TestIndex(this);
        }
    }
}
