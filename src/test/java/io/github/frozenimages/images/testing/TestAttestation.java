package io.github.frozenimages.images.testing;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;

/**
 * A BuildKit-style attestation manifest for one platform image: an OCI manifest whose single layer
 * is an in-toto statement about the image. BuildKit stores these in the index next to the images,
 * with platform {@code unknown/unknown}, so a puller that selects by platform must skip them.
 */
public final class TestAttestation {

    static final String PREDICATE_TYPE = "https://slsa.dev/provenance/v0.2";
    public static final String REFERENCE_TYPE_ANNOTATION = "vnd.docker.reference.type";
    public static final String REFERENCE_DIGEST_ANNOTATION = "vnd.docker.reference.digest";
    public static final String ATTESTATION_MANIFEST = "attestation-manifest";

    private final String subjectDigest;
    private final byte[] statementBytes;
    private final byte[] configBytes;
    private final byte[] manifestBytes;

    private TestAttestation(TestImage subject) {
        this.subjectDigest = subject.manifestDigest();
        this.statementBytes = Json.bytes(statement(subject));
        this.configBytes = Json.bytes(config(statementBytes));
        this.manifestBytes = Json.bytes(manifest(configBytes, statementBytes));
    }

    static TestAttestation about(TestImage subject) {
        return new TestAttestation(subject);
    }

    private static ObjectNode statement(TestImage subject) {
        ObjectNode statement = Json.object();
        statement.put("_type", "https://in-toto.io/Statement/v0.1");
        statement.put("predicateType", PREDICATE_TYPE);
        ObjectNode subjectEntry = statement.putArray("subject").addObject();
        subjectEntry.put("name", "pkg:docker/fixture@1.0?platform="
                + URLEncoder.encode(subject.platform(), StandardCharsets.UTF_8));
        subjectEntry.putObject("digest").put("sha256", Sha256.hexOf(subject.manifestDigest()));
        ObjectNode predicate = statement.putObject("predicate");
        predicate.putObject("builder").put("id", "");
        predicate.put("buildType", "https://mobyproject.org/buildkit@v1");
        predicate.putObject("metadata").put("buildStartedOn", ImageConfigJson.CREATED);
        return statement;
    }

    /** BuildKit gives the attestation manifest a config with unknown platform and the statement as diff id. */
    private static ObjectNode config(byte[] statement) {
        ObjectNode config = Json.object();
        config.put("architecture", "unknown");
        config.put("os", "unknown");
        config.putObject("config");
        ObjectNode rootfs = config.putObject("rootfs");
        rootfs.put("type", "layers");
        rootfs.putArray("diff_ids").add(Sha256.digest(statement));
        return config;
    }

    private static ObjectNode manifest(byte[] config, byte[] statement) {
        ObjectNode manifest = Json.object();
        manifest.put("schemaVersion", 2);
        manifest.put("mediaType", MediaTypes.OCI_MANIFEST);
        manifest.set("config", Json.descriptor(MediaTypes.OCI_CONFIG, config));
        ObjectNode layer = Json.descriptor(MediaTypes.IN_TOTO, statement);
        layer.putObject("annotations").put("in-toto.io/predicate-type", PREDICATE_TYPE);
        manifest.putArray("layers").add(layer);
        return manifest;
    }

    /** The index entry that points at this attestation. */
    ObjectNode indexDescriptor() {
        ObjectNode descriptor = Json.descriptor(MediaTypes.OCI_MANIFEST, manifestBytes);
        ObjectNode annotations = descriptor.putObject("annotations");
        annotations.put(REFERENCE_DIGEST_ANNOTATION, subjectDigest);
        annotations.put(REFERENCE_TYPE_ANNOTATION, ATTESTATION_MANIFEST);
        ObjectNode platform = descriptor.putObject("platform");
        platform.put("architecture", "unknown");
        platform.put("os", "unknown");
        return descriptor;
    }

    /** The manifest digest of the image this attestation is about. */
    public String subjectDigest() {
        return subjectDigest;
    }

    public byte[] manifestBytes() {
        return manifestBytes.clone();
    }

    public String manifestDigest() {
        return Sha256.digest(manifestBytes);
    }

    public byte[] configBytes() {
        return configBytes.clone();
    }

    /** The in-toto statement, stored uncompressed as the manifest's only layer. */
    public byte[] statementBytes() {
        return statementBytes.clone();
    }
}
