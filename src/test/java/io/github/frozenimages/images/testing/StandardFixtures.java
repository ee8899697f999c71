package io.github.frozenimages.images.testing;

/**
 * The images that unit tests and the invoker ITs pull. The repository names and tags are part of the
 * contract (the ITs hard-code them); the content is deterministic, so the same digests come back in
 * every run on the same host.
 */
public final class StandardFixtures {

    public static final String TAG = "1.0";
    public static final String SHARED_BASE_SECOND_TAG = "2.0";

    /** OCI manifest, linux/amd64, 2 gzip layers. */
    public static final String OCI_IMAGE = "test/oci-image";
    /** Docker v2 schema 2 manifest, linux/amd64, 3 gzip layers. */
    public static final String DOCKER_IMAGE = "test/docker-image";
    /** OCI index: linux/amd64, linux/arm64, linux/arm/v7, linux/arm/v6, plus attestations. */
    public static final String MULTI_OCI = "test/multi-oci";
    /** Docker manifest list: linux/amd64, linux/arm64/v8, linux/arm/v7, linux/arm/v5, linux/ppc64le, plus attestations. */
    public static final String MULTI_DOCKER = "test/multi-docker";
    /** Docker v2 image whose manifest (and diff_ids) list the same layer twice. */
    public static final String DUP_LAYER = "test/dup-layer";
    /** Tags 1.0 and 2.0: two Docker v2 images sharing their first layer. */
    public static final String SHARED_BASE = "test/shared-base";

    private static final class Built {
        static final StandardFixtures INSTANCE = new StandardFixtures();
    }

    private final TestImage ociImage;
    private final TestImage dockerImage;
    private final TestIndex multiOci;
    private final TestIndex multiDocker;
    private final TestImage dupLayer;
    private final TestLayer sharedLayer;
    private final TestImage sharedBase1;
    private final TestImage sharedBase2;

    private StandardFixtures() {
        ociImage = image(true, "linux", "amd64", "", "oci-image", 2)
                .label("org.opencontainers.image.title", "oci-image").build();
        dockerImage = image(false, "linux", "amd64", "", "docker-image", 3).build();
        multiOci = TestIndex.builder().oci(true).withAttestations(true)
                .add(image(true, "linux", "amd64", "", "multi-oci", 2).build())
                .add(image(true, "linux", "arm64", "", "multi-oci", 2).build())
                .add(image(true, "linux", "arm", "v7", "multi-oci", 1).build())
                .add(image(true, "linux", "arm", "v6", "multi-oci", 1).build())
                .build();
        multiDocker = TestIndex.builder().oci(false).withAttestations(true)
                .add(image(false, "linux", "amd64", "", "multi-docker", 2).build())
                .add(image(false, "linux", "arm64", "v8", "multi-docker", 2).build())
                .add(image(false, "linux", "arm", "v7", "multi-docker", 1).build())
                .add(image(false, "linux", "arm", "v5", "multi-docker", 1).build())
                .add(image(false, "linux", "ppc64le", "", "multi-docker", 1).build())
                .build();
        TestLayer repeated = TestLayer.gzip("dup-layer/repeated", 6_000);
        dupLayer = TestImage.builder().oci(false)
                .layer(repeated)
                .layer(TestLayer.gzip("dup-layer/middle", 3_000))
                .layer(repeated)
                .build();
        sharedLayer = TestLayer.gzip("shared-base/base", 20_000);
        sharedBase1 = TestImage.builder().oci(false).layer(sharedLayer)
                .layer(TestLayer.gzip("shared-base/app-1.0", 4_000)).build();
        sharedBase2 = TestImage.builder().oci(false).layer(sharedLayer)
                .layer(TestLayer.gzip("shared-base/app-2.0", 5_000)).build();
    }

    /** The fixtures' descriptions, without pushing them anywhere (built once per JVM). */
    public static StandardFixtures build() {
        return Built.INSTANCE;
    }

    /** Pushes every fixture into the registry at {@code baseUrl} and returns their descriptions. */
    public static StandardFixtures pushTo(String baseUrl) {
        StandardFixtures fixtures = build();
        RegistryPusher pusher = new RegistryPusher(baseUrl);
        pusher.push(OCI_IMAGE, TAG, fixtures.ociImage);
        pusher.push(DOCKER_IMAGE, TAG, fixtures.dockerImage);
        pusher.push(MULTI_OCI, TAG, fixtures.multiOci);
        pusher.push(MULTI_DOCKER, TAG, fixtures.multiDocker);
        pusher.push(DUP_LAYER, TAG, fixtures.dupLayer);
        pusher.push(SHARED_BASE, TAG, fixtures.sharedBase1);
        pusher.push(SHARED_BASE, SHARED_BASE_SECOND_TAG, fixtures.sharedBase2);
        return fixtures;
    }

    /** {@value #OCI_IMAGE}:{@value #TAG}. */
    public TestImage ociImage() {
        return ociImage;
    }

    /** {@value #DOCKER_IMAGE}:{@value #TAG}. */
    public TestImage dockerImage() {
        return dockerImage;
    }

    /** {@value #MULTI_OCI}:{@value #TAG}. */
    public TestIndex multiOci() {
        return multiOci;
    }

    /** {@value #MULTI_DOCKER}:{@value #TAG}. */
    public TestIndex multiDocker() {
        return multiDocker;
    }

    /** {@value #DUP_LAYER}:{@value #TAG}: layers A, B, A. */
    public TestImage dupLayer() {
        return dupLayer;
    }

    /** {@value #SHARED_BASE}:{@value #TAG}. */
    public TestImage sharedBase1() {
        return sharedBase1;
    }

    /** {@value #SHARED_BASE}:{@value #SHARED_BASE_SECOND_TAG}. */
    public TestImage sharedBase2() {
        return sharedBase2;
    }

    /** The first layer of both shared-base images. */
    public TestLayer sharedLayer() {
        return sharedLayer;
    }

    /** An image whose layer seeds are {@code <name>/<platform>/layer-<i>}, so no two fixtures share a layer by accident. */
    private static TestImage.Builder image(boolean oci, String os, String architecture, String variant,
            String name, int layerCount) {
        TestImage.Builder builder = TestImage.builder().oci(oci).platform(os, architecture, variant);
        String platform = os + "/" + architecture + (variant.isEmpty() ? "" : "/" + variant);
        for (int i = 0; i < layerCount; i++) {
            builder.layer(TestLayer.gzip(name + "/" + platform + "/layer-" + i, 4_000 + 3_000 * i));
        }
        return builder;
    }
}
