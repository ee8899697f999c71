package io.github.frozenimages.images.maven;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.frozenimages.images.testing.FaultProxy;
import io.github.frozenimages.images.testing.RegistryServer;
import io.github.frozenimages.images.testing.StandardFixtures;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.maven.api.plugin.testing.InjectMojo;
import org.apache.maven.api.plugin.testing.MojoExtension;
import org.apache.maven.api.plugin.testing.MojoParameter;
import org.apache.maven.api.plugin.testing.MojoTest;
import org.apache.maven.plugin.MojoExecutionException;
import org.apache.maven.plugin.MojoFailureException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Maven layer: how the POM fills the goal, and which failures become which Maven exception. */
@MojoTest
class PullMojoTest {

    private static final String POM = "src/test/resources/unit/pull-config/pom.xml";

    @TempDir
    Path work;

    @Test
    @InjectMojo(goal = "pull", pom = POM)
    void pomConfigurationReachesTheGoal(PullMojo mojo) throws Exception {
        @SuppressWarnings("unchecked")
        List<ImageSpec> images = (List<ImageSpec>) MojoExtension.getVariableValueFromObject(mojo, "images");
        assertEquals(2, images.size());
        assertEquals("alpine:3.20", images.get(0).getName(), "the plain-text form of <image>");
        assertEquals(null, images.get(0).getPlatform());
        assertEquals("ghcr.io/org/app:1.2", images.get(1).getName());
        assertEquals("linux/arm64", images.get(1).getPlatform());
        assertEquals("ghcr-robot", images.get(1).getServerId());
        assertEquals("linux/arm/v7", MojoExtension.getVariableValueFromObject(mojo, "platform"));
        assertEquals("oci", MojoExtension.getVariableValueFromObject(mojo, "format"));
        assertEquals(2, MojoExtension.getVariableValueFromObject(mojo, "parallelDownloads"));
        assertEquals(List.of("registry.internal:5000"), MojoExtension.getVariableValueFromObject(mojo, "insecureRegistries"));
    }

    @Test
    @InjectMojo(goal = "pull", pom = POM)
    @MojoParameter(name = "skip", value = "true")
    void skipDoesNothing(PullMojo mojo) throws Exception {
        redirectOutput(mojo);
        mojo.execute();
        assertFalse(Files.exists(work.resolve("out")));
    }

    @Test
    @InjectMojo(goal = "pull", pom = POM)
    @MojoParameter(name = "platform", value = "linux/")
    void anInvalidPlatformIsAConfigurationFailure(PullMojo mojo) throws Exception {
        redirectOutput(mojo);
        MojoFailureException e = assertThrows(MojoFailureException.class, mojo::execute);
        assertTrue(e.getMessage().contains("\"linux/\""), e.getMessage());
        assertTrue(e.getMessage().endsWith(" (check <platform> or -Dimages.platform)"), "names the parameter: " + e.getMessage());
    }

    @Test
    @InjectMojo(goal = "pull", pom = POM)
    void anInvalidPlatformOfOneImageNamesTheImages(PullMojo mojo) throws Exception {
        redirectOutput(mojo);
        ImageSpec image = new ImageSpec("alpine:3.20");
        image.setPlatform("linux/");
        MojoExtension.setVariableValueToObject(mojo, "images", List.of(image));
        MojoFailureException e = assertThrows(MojoFailureException.class, mojo::execute);
        assertTrue(e.getMessage().contains("\"linux/\""), e.getMessage());
        assertTrue(e.getMessage().endsWith(" (check <images> or -Dimages)"), "names the parameter: " + e.getMessage());
    }

    @Test
    @InjectMojo(goal = "pull", pom = POM)
    @MojoParameter(name = "format", value = "tarball")
    void anUnknownFormatIsAConfigurationFailure(PullMojo mojo) throws Exception {
        redirectOutput(mojo);
        MojoFailureException e = assertThrows(MojoFailureException.class, mojo::execute);
        assertEquals("unknown output format \"tarball\": use docker, oci or legacy (check <format> or -Dimages.format)", e.getMessage());
    }

    @Test
    @InjectMojo(goal = "pull", pom = POM)
    void anInvalidReferenceIsAConfigurationFailure(PullMojo mojo) throws Exception {
        redirectOutput(mojo);
        MojoExtension.setVariableValueToObject(mojo, "images", List.of(new ImageSpec("Alpine:3")));
        MojoFailureException e = assertThrows(MojoFailureException.class, mojo::execute);
        assertTrue(e.getMessage().startsWith("invalid image reference \"Alpine:3\""), e.getMessage());
        assertTrue(e.getMessage().endsWith(" (check <images> or -Dimages)"), "names the parameter: " + e.getMessage());
    }

    @Test
    @InjectMojo(goal = "pull", pom = POM)
    void anInvalidReferenceInTheImagesFileNamesTheFile(PullMojo mojo) throws Exception {
        redirectOutput(mojo);
        Path file = Files.writeString(work.resolve("images.txt"), "# base images\nalpine:3.20\nAlpine:3\n");
        MojoExtension.setVariableValueToObject(mojo, "images", null);
        MojoExtension.setVariableValueToObject(mojo, "imagesFile", file.toFile());
        MojoFailureException e = assertThrows(MojoFailureException.class, mojo::execute);
        assertTrue(e.getMessage().startsWith("invalid image reference \"Alpine:3\""), e.getMessage());
        assertTrue(e.getMessage().endsWith(" in " + file + " (check <imagesFile> or -Dimages.file)"), "names the file: " + e.getMessage());
    }

    @Test
    @InjectMojo(goal = "pull", pom = POM)
    void aPlainHttpMirrorFailsTheBuildBeforeAnyRequestNamingTheParameter(PullMojo mojo) throws Exception {
        redirectOutput(mojo);
        try (RegistryServer registry = RegistryServer.start(); FaultProxy recorder = FaultProxy.start(registry.baseUrl())) {
            StandardFixtures.pushTo(registry.baseUrl());
            String image = recorder.address() + "/test/oci-image:1.0";
            MojoExtension.setVariableValueToObject(mojo, "platform", null);
            // the mirror is for another image's registry: a check made only when that image is pulled would come
            // after the first image's requests, so only a check of the configuration leaves the registry unasked
            MojoExtension.setVariableValueToObject(mojo, "images", List.of(new ImageSpec(image), new ImageSpec("registry.example/team/app:1.0")));
            MojoExtension.setVariableValueToObject(mojo, "mirrors", List.of(mirror("registry.example", "http://mirror.example:5000")));

            MojoFailureException e = assertThrows(MojoFailureException.class, mojo::execute);
            assertTrue(e.getMessage().contains("\"http://mirror.example:5000\""), e.getMessage());
            assertTrue(e.getMessage().endsWith(" (check <mirrors> or -Dimages.mirrors)"), "names the parameter: " + e.getMessage());
            assertEquals(List.of(), recorder.requests(), "no request was sent");
            assertFalse(Files.exists(work.resolve("out")));

            // the same build without the mistake goes through the recorder, so its silence above means something
            MojoExtension.setVariableValueToObject(mojo, "images", List.of(new ImageSpec(image)));
            MojoExtension.setVariableValueToObject(mojo, "mirrors", null);
            mojo.execute();
            assertFalse(recorder.requests().isEmpty());
            assertTrue(Files.isRegularFile(work.resolve("out/index.json")));
        }
    }

    @Test
    @InjectMojo(goal = "pull", pom = POM)
    void anUnreadableTrustStoreFailsTheBuildBeforeAnyRequestNamingTheParameter(PullMojo mojo) throws Exception {
        redirectOutput(mojo);
        try (RegistryServer registry = RegistryServer.start(); FaultProxy recorder = FaultProxy.start(registry.baseUrl())) {
            StandardFixtures.pushTo(registry.baseUrl());
            MojoExtension.setVariableValueToObject(mojo, "platform", null);
            // a plain-http loopback registry: the pull itself would never read the trust store
            MojoExtension.setVariableValueToObject(mojo, "images", List.of(new ImageSpec(recorder.address() + "/test/oci-image:1.0")));

            Path missing = work.resolve("no-such-ca.pem");
            MojoExtension.setVariableValueToObject(mojo, "trustStore", missing.toFile());
            MojoFailureException e = assertThrows(MojoFailureException.class, mojo::execute);
            assertEquals("the trust store " + missing + " does not exist (check <trustStore> or -Dimages.trustStore)", e.getMessage());

            Path notAStore = Files.writeString(work.resolve("ca.p12"), "not a key store\n");
            MojoExtension.setVariableValueToObject(mojo, "trustStore", notAStore.toFile());
            e = assertThrows(MojoFailureException.class, mojo::execute);
            assertTrue(e.getMessage().startsWith("cannot read the trust store " + notAStore), e.getMessage());
            assertTrue(e.getMessage().endsWith(" (check <trustStore> or -Dimages.trustStore)"), "names the parameter: " + e.getMessage());

            assertEquals(List.of(), recorder.requests(), "no request was sent");
            MojoExtension.setVariableValueToObject(mojo, "trustStore", null);
            mojo.execute();
            assertFalse(recorder.requests().isEmpty(), "the recorder sees the pull's requests");
        }
    }

    @Test
    @InjectMojo(goal = "pull", pom = POM)
    void pullsFromARealRegistryAndReportsAFailedPullAsExecutionFailure(PullMojo mojo) throws Exception {
        redirectOutput(mojo);
        try (RegistryServer registry = RegistryServer.start()) {
            StandardFixtures.pushTo(registry.baseUrl());
            MojoExtension.setVariableValueToObject(mojo, "platform", null);
            MojoExtension.setVariableValueToObject(mojo, "images", List.of(new ImageSpec(registry.address() + "/test/oci-image:1.0")));
            mojo.execute();
            assertTrue(Files.isRegularFile(work.resolve("out/index.json")));

            MojoExtension.setVariableValueToObject(mojo, "images", List.of(new ImageSpec(registry.address() + "/test/oci-image:gone")));
            MojoExecutionException e = assertThrows(MojoExecutionException.class, mojo::execute);
            assertTrue(e.getMessage().contains("MANIFEST_UNKNOWN"), e.getMessage());
            assertTrue(e.getMessage().contains("check the name and tag"), "the message says what to do: " + e.getMessage());
        }
    }

    static MirrorSpec mirror(String registry, String url) {
        MirrorSpec mirror = new MirrorSpec();
        mirror.setRegistry(registry);
        mirror.setUrl(url);
        return mirror;
    }

    private void redirectOutput(PullMojo mojo) throws IllegalAccessException {
        MojoExtension.setVariableValueToObject(mojo, "outputDirectory", new File(work.resolve("out").toString()));
        MojoExtension.setVariableValueToObject(mojo, "cacheDirectory", new File(work.resolve("cache").toString()));
    }
}
