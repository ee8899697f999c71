package io.github.frozenimages.images.core;

import io.github.frozenimages.images.core.shared.PullListener;
import io.github.frozenimages.images.core.ref.ImageRequest;
import io.github.frozenimages.images.core.output.PulledImage;
import io.github.frozenimages.images.core.registry.NetworkOptions;

import io.github.frozenimages.images.core.auth.CredentialProvider;
import io.github.frozenimages.images.core.ref.ImageReference;
import io.github.frozenimages.images.core.ref.Platform;
import io.github.frozenimages.images.testing.RegistryServer;
import io.github.frozenimages.images.testing.StandardFixtures;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** One real Distribution registry with the standard fixtures per test class, and helpers to pull from it. */
abstract class RegistryTestSupport {

    /** Real retry behaviour with short waits, so failure tests take milliseconds rather than seconds. */
    static final NetworkOptions FAST_RETRIES = NetworkOptions.DEFAULTS.withRetryDelays(Duration.ofMillis(10), Duration.ofMillis(100));

    static RegistryServer registry;
    static StandardFixtures fixtures;

    @BeforeAll
    static void startRegistry() {
        registry = RegistryServer.start();
        fixtures = StandardFixtures.pushTo(registry.baseUrl());
    }

    @AfterAll
    static void stopRegistry() {
        if (registry != null) {
            registry.close();
        }
    }

    static String ref(String repository, String tagOrDigest) {
        return registry.address() + "/" + repository + (tagOrDigest.startsWith("sha256:") ? "@" : ":") + tagOrDigest;
    }

    static ImageRequest image(String reference) {
        return new ImageRequest(ImageReference.parse(reference), Platform.parse("linux/amd64"));
    }

    static ImageRequest image(String reference, String platform) {
        return new ImageRequest(ImageReference.parse(reference), Platform.parse(platform));
    }

    /** The five single-platform standard images, on linux/amd64: OCI, Docker, a layer listed twice, a shared base twice. */
    static List<ImageRequest> standardImages() {
        return List.of(
                image(ref(StandardFixtures.OCI_IMAGE, "1.0")),
                image(ref(StandardFixtures.DOCKER_IMAGE, "1.0")),
                image(ref(StandardFixtures.DUP_LAYER, "1.0")),
                image(ref(StandardFixtures.SHARED_BASE, "1.0")),
                image(ref(StandardFixtures.SHARED_BASE, "2.0")));
    }

    static PullRequest request(Path work, OutputFormat format, Optional<Path> archive, List<ImageRequest> images) {
        return new PullRequest(images, work.resolve("out"), format, archive, 4, work.resolve("cache"), Set.of(),
                CredentialProvider.ANONYMOUS, PullListener.SILENT).withNetwork(FAST_RETRIES);
    }

    static List<PulledImage> pull(Path work, OutputFormat format, ImageRequest... images) {
        return new ImagePuller().pull(request(work, format, Optional.empty(), List.of(images)));
    }

    /** Every file under blobs/ hashes to its name: the invariant of an image layout. */
    static List<String> blobNamesCheckingContent(Path layout) throws IOException {
        List<String> names = new ArrayList<>();
        try (Stream<Path> files = Files.list(layout.resolve("blobs/sha256"))) {
            for (Path f : files.toList()) {
                try {
                    String hex = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(f)));
                    if (!hex.equals(f.getFileName().toString())) {
                        throw new AssertionError("blob " + f.getFileName() + " hashes to " + hex);
                    }
                } catch (java.security.NoSuchAlgorithmException e) {
                    throw new IllegalStateException(e);
                }
                names.add("sha256:" + f.getFileName());
            }
        }
        return names;
    }
}
