package io.github.frozenimages.images.maven;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.frozenimages.images.core.lock.ImageLock;
import io.github.frozenimages.images.core.ref.Digest;
import io.github.frozenimages.images.core.ref.ImageReference;
import io.github.frozenimages.images.core.ref.Platform;
import io.github.frozenimages.images.testing.FaultProxy;
import io.github.frozenimages.images.testing.RegistryServer;
import io.github.frozenimages.images.testing.StandardFixtures;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.maven.api.plugin.testing.InjectMojo;
import org.apache.maven.api.plugin.testing.MojoExtension;
import org.apache.maven.api.plugin.testing.MojoTest;
import org.apache.maven.plugin.AbstractMojo;
import org.apache.maven.plugin.MojoExecutionException;
import org.apache.maven.plugin.MojoFailureException;
import org.apache.maven.plugin.logging.SystemStreamLog;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** images:lock and pull's use of the lock file: what is logged, pinned, warned about, refused and refreshed. */
@MojoTest
class LockMojoTest {

    private static final String POM = "src/test/resources/unit/pull-config/pom.xml";

    @TempDir
    Path work;

    private final List<String> log = new CopyOnWriteArrayList<>();

    @Test
    @InjectMojo(goal = "lock", pom = POM)
    void lockWritesTheFileAndLeavesItAloneWhenNothingChanged(LockMojo lock) throws Exception {
        try (RegistryServer registry = RegistryServer.start()) {
            StandardFixtures fixtures = StandardFixtures.pushTo(registry.baseUrl());
            String multi = registry.address() + "/test/multi-oci:1.0";
            Path lockFile = work.resolve(ImageLock.FILE_NAME);
            configure(lock, multi);
            lock.execute();
            String arm64 = fixtures.multiOci().image("linux/arm64").manifestDigest();
            assertEquals(Optional.of(Digest.parse(arm64)), ImageLock.read(lockFile).manifest(ImageReference.parse(multi), Platform.parse("linux/arm64")));
            assertTrue(log.contains("INFO locked " + multi + " linux/arm64 to " + arm64), log.toString());
            assertTrue(log.contains("INFO wrote " + lockFile + " (1 image, 1 platform manifest)"), log.toString());

            byte[] before = Files.readAllBytes(lockFile);
            log.clear();
            lock.execute();
            assertTrue(log.contains("INFO " + lockFile + " is up to date (1 image, 1 platform manifest)"), log.toString());
            assertArrayEquals(before, Files.readAllBytes(lockFile));
        }
    }

    @Test
    @InjectMojo(goal = "pull", pom = POM)
    void pullUsesTheLockWarnsAboutWhatItLacksFailsWhenStrictAndRefreshesItOnRequest(PullMojo pull) throws Exception {
        try (RegistryServer registry = RegistryServer.start()) {
            StandardFixtures fixtures = StandardFixtures.pushTo(registry.baseUrl());
            String multi = registry.address() + "/test/multi-oci:1.0";
            String single = registry.address() + "/test/oci-image:1.0";
            Path lockFile = work.resolve(ImageLock.FILE_NAME);
            String arm64 = fixtures.multiOci().image("linux/arm64").manifestDigest();

            // images.lock.update: the lock is written first, then used
            configure(pull, multi);
            MojoExtension.setVariableValueToObject(pull, "outputDirectory", new File(work.resolve("first").toString()));
            MojoExtension.setVariableValueToObject(pull, "lockUpdate", true);
            pull.execute();
            assertTrue(log.contains("INFO locked " + multi + " linux/arm64 to " + arm64), log.toString());
            assertTrue(log.contains("INFO using 1 locked digest from images.lock.json"), log.toString());
            assertEquals(1, ImageLock.read(lockFile).images().size());

            // an image the lock lacks: the locked one pinned, the other pulled as it is now, with a warning
            configure(pull, multi, single);
            MojoExtension.setVariableValueToObject(pull, "lockUpdate", false);
            MojoExtension.setVariableValueToObject(pull, "outputDirectory", new File(work.resolve("out").toString()));
            log.clear();
            pull.execute();
            assertTrue(log.contains("INFO using 1 locked digest from images.lock.json"), log.toString());
            assertTrue(log.contains("WARN images.lock.json has no locked digest for " + single
                    + " (linux/arm64): pulled as the registry has them now; add them with mvn images:lock"), log.toString());
            assertEquals(Map.of(multi, arm64, single, fixtures.ociImage().manifestDigest()), namesToDigests(work.resolve("out")));

            // strict: the same is a configuration failure, before anything is pulled
            MojoExtension.setVariableValueToObject(pull, "lockStrict", true);
            MojoExtension.setVariableValueToObject(pull, "outputDirectory", new File(work.resolve("strict").toString()));
            MojoFailureException e = assertThrows(MojoFailureException.class, pull::execute);
            assertEquals("images.lock.json has no locked digest for " + single + " (linux/arm64) (images.lock.strict=true);"
                    + " add them with mvn images:lock, or -Dimages.lock.update=true", e.getMessage());
            assertFalse(Files.exists(work.resolve("strict")));

            // strict with update: the lock gains the missing image, and the pull goes through
            MojoExtension.setVariableValueToObject(pull, "lockUpdate", true);
            log.clear();
            pull.execute();
            assertTrue(log.contains("INFO locked " + single + " linux/arm64 to " + fixtures.ociImage().manifestDigest() + " (new)"), log.toString());
            assertTrue(log.contains("INFO using 2 locked digests from images.lock.json"), log.toString());
            assertEquals(2, ImageLock.read(lockFile).images().size());
        }
    }

    @Test
    @InjectMojo(goal = "lock", pom = POM)
    void aPlainHttpMirrorFailsTheLockBeforeAnyRequestAndAFailedLockIsAnExecutionFailure(LockMojo lock) throws Exception {
        try (RegistryServer registry = RegistryServer.start(); FaultProxy recorder = FaultProxy.start(registry.baseUrl())) {
            StandardFixtures fixtures = StandardFixtures.pushTo(registry.baseUrl());
            String image = recorder.address() + "/test/oci-image:1.0";
            Path lockFile = work.resolve(ImageLock.FILE_NAME);
            // images are locked one after the other: a mirror checked only when its image's turn comes would
            // leave the first image already asked for
            configure(lock, image, "registry.example/team/app:1.0");
            MojoExtension.setVariableValueToObject(lock, "mirrors", List.of(PullMojoTest.mirror("registry.example", "http://mirror.example:5000")));

            MojoFailureException e = assertThrows(MojoFailureException.class, lock::execute);
            assertTrue(e.getMessage().contains("\"http://mirror.example:5000\""), e.getMessage());
            assertTrue(e.getMessage().endsWith(" (check <mirrors> or -Dimages.mirrors)"), "names the parameter: " + e.getMessage());
            assertEquals(List.of(), recorder.requests(), "no request was sent");
            assertFalse(Files.exists(lockFile));

            // without the mistake the lock goes through the recorder, so its silence above means something
            configure(lock, image);
            MojoExtension.setVariableValueToObject(lock, "mirrors", null);
            lock.execute();
            assertFalse(recorder.requests().isEmpty());
            assertEquals(Optional.of(Digest.parse(fixtures.ociImage().manifestDigest())),
                    ImageLock.read(lockFile).manifest(ImageReference.parse(image), Platform.parse("linux/arm64")));

            // a tag the registry lacks is no configuration mistake but a failed lock, with the core's advice
            configure(lock, recorder.address() + "/test/oci-image:gone");
            MojoExecutionException failed = assertThrows(MojoExecutionException.class, lock::execute);
            assertTrue(failed.getMessage().contains("MANIFEST_UNKNOWN"), failed.getMessage());
            assertTrue(failed.getMessage().endsWith("(check the name and tag, and whether the repository needs credentials)"),
                    "the message says what to do: " + failed.getMessage());
        }
    }

    @Test
    @InjectMojo(goal = "pull", pom = POM)
    void anUnreadableLockIsAConfigurationFailureThatSaysHowToFixIt(PullMojo pull) throws Exception {
        configure(pull, "alpine:3.20");
        Files.writeString(work.resolve(ImageLock.FILE_NAME), "{\"version\": 7, \"images\": []}\n");
        MojoFailureException e = assertThrows(MojoFailureException.class, pull::execute);
        assertTrue(e.getMessage().startsWith("could not read the lock file " + work.resolve(ImageLock.FILE_NAME)
                + ": unsupported lock file version 7"), e.getMessage());
        assertTrue(e.getMessage().endsWith("write it anew with mvn images:lock"), e.getMessage());
    }

    private void configure(AbstractMojo mojo, String... images) throws IllegalAccessException {
        log.clear();
        MojoExtension.setVariableValueToObject(mojo, "images", Arrays.stream(images).map(ImageSpec::new).toList());
        MojoExtension.setVariableValueToObject(mojo, "platform", "linux/arm64");
        MojoExtension.setVariableValueToObject(mojo, "cacheDirectory", new File(work.resolve("cache").toString()));
        MojoExtension.setVariableValueToObject(mojo, "lockFile", new File(work.resolve(ImageLock.FILE_NAME).toString()));
        mojo.setLog(new SystemStreamLog() {
            @Override
            public void info(CharSequence content) {
                log.add("INFO " + content);
            }

            @Override
            public void warn(CharSequence content) {
                log.add("WARN " + content);
            }
        });
    }

    private static Map<String, String> namesToDigests(Path out) throws Exception {
        JsonNode index = new ObjectMapper().readTree(out.resolve("index.json").toFile());
        Map<String, String> names = new HashMap<>();
        for (JsonNode m : index.get("manifests")) {
            names.put(m.path("annotations").path("io.containerd.image.name").asText(), m.get("digest").asText());
        }
        return names;
    }
}
