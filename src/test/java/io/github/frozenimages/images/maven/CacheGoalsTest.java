package io.github.frozenimages.images.maven;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.frozenimages.images.core.ImagePuller;
import io.github.frozenimages.images.core.OutputFormat;
import io.github.frozenimages.images.core.PullRequest;
import io.github.frozenimages.images.core.auth.CredentialProvider;
import io.github.frozenimages.images.core.lock.ImageLock;
import io.github.frozenimages.images.core.ref.Digest;
import io.github.frozenimages.images.core.ref.ImageReference;
import io.github.frozenimages.images.core.ref.ImageRequest;
import io.github.frozenimages.images.core.ref.Platform;
import io.github.frozenimages.images.core.shared.PullListener;
import io.github.frozenimages.images.testing.RegistryServer;
import io.github.frozenimages.images.testing.StandardFixtures;
import io.github.frozenimages.images.testing.TestImage;
import io.github.frozenimages.images.testing.TestLayer;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;
import org.apache.maven.api.plugin.testing.InjectMojo;
import org.apache.maven.api.plugin.testing.MojoExtension;
import org.apache.maven.api.plugin.testing.MojoTest;
import org.apache.maven.plugin.AbstractMojo;
import org.apache.maven.plugin.MojoFailureException;
import org.apache.maven.plugin.logging.SystemStreamLog;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** images:prune and images:cache: what they remove, keep, log and print, and how they refuse a mistake. */
@MojoTest
class CacheGoalsTest {

    private static final String POM = "src/test/resources/unit/cache-config/pom.xml";
    private static final Platform AMD64 = Platform.parse("linux/amd64");

    @TempDir
    Path work;

    private final List<String> log = new CopyOnWriteArrayList<>();

    @Test
    @InjectMojo(goal = "prune", pom = POM)
    void pruneByAgeRemovesWhatNoBuildUsedAndKeepsWhatTheLockNames(PruneMojo prune) throws Exception {
        try (RegistryServer registry = RegistryServer.start()) {
            StandardFixtures fixtures = StandardFixtures.pushTo(registry.baseUrl());
            Path cache = work.resolve("cache");
            String oci = registry.address() + "/" + StandardFixtures.OCI_IMAGE + ":1.0";
            pull(cache, oci, registry.address() + "/" + StandardFixtures.DOCKER_IMAGE + ":1.0");
            ageUseStamps(cache, Duration.ofDays(40));
            Path lockFile = work.resolve(ImageLock.FILE_NAME);
            ImageLock.of(List.of(new ImageLock.Image(ImageReference.parse(oci), Optional.empty(),
                    Map.of(AMD64, Digest.parse(fixtures.ociImage().manifestDigest()))))).write(lockFile);
            configure(prune, cache);
            MojoExtension.setVariableValueToObject(prune, "olderThan", "30d");
            MojoExtension.setVariableValueToObject(prune, "keepLocked", true);
            MojoExtension.setVariableValueToObject(prune, "lockFile", new File(lockFile.toString()));

            prune.execute();

            Set<String> kept = blobsOf(fixtures.ociImage());
            Set<String> gone = blobsOf(fixtures.dockerImage());
            gone.removeAll(kept);
            for (String digest : kept) {
                assertTrue(Files.exists(blob(cache, digest)), "the locked image keeps " + digest);
            }
            for (String digest : gone) {
                assertFalse(Files.exists(blob(cache, digest)), "unused for 40 days: " + digest);
                assertTrue(log.stream().anyMatch(l -> l.startsWith("INFO removed " + digest + " (")
                        && l.endsWith(", last used " + LocalDate.now(ZoneOffset.UTC).minusDays(40) + ")")), log.toString());
            }
            String summary = log.get(log.size() - 1);
            assertTrue(summary.matches("INFO removed " + gone.size() + " blobs and 1 tag record from " + cache.toAbsolutePath()
                    + ", freed [0-9.]+ KB; it holds [0-9.]+ KB in " + kept.size() + " blobs, keeping the 1 manifests and indexes of "
                    + ImageLock.FILE_NAME + " with what they name"), summary);
        }
    }

    @Test
    @InjectMojo(goal = "prune", pom = POM)
    void pruneBySizeKeepsTheMostRecentlyUsedUnderTheLimit(PruneMojo prune) throws Exception {
        try (RegistryServer registry = RegistryServer.start()) {
            StandardFixtures fixtures = StandardFixtures.pushTo(registry.baseUrl());
            Path cache = work.resolve("cache");
            pull(cache, registry.address() + "/" + StandardFixtures.DOCKER_IMAGE + ":1.0");
            ageUseStamps(cache, Duration.ofDays(3));
            pull(cache, registry.address() + "/" + StandardFixtures.OCI_IMAGE + ":1.0");
            Set<String> recent = blobsOf(fixtures.ociImage());
            long recentBytes = 0;
            for (String digest : recent) {
                recentBytes += Files.size(blob(cache, digest));
            }
            configure(prune, cache);
            MojoExtension.setVariableValueToObject(prune, "maxSize", recentBytes + "B");

            prune.execute();

            try (Stream<Path> left = Files.list(cache.resolve("blobs/sha256"))) {
                assertEquals(recent, Set.copyOf(left.map(p -> "sha256:" + p.getFileName()).toList()),
                        "the blobs the last build used fit the limit, the older ones go");
            }
        }
    }

    @Test
    @InjectMojo(goal = "prune", pom = POM)
    void pruneRefusesToGuessALimitAndNamesTheParameterOfAMistake(PruneMojo prune) throws Exception {
        configure(prune, work.resolve("cache"));
        MojoFailureException none = assertThrows(MojoFailureException.class, prune::execute);
        assertTrue(none.getMessage().contains("-Dimages.prune.olderThan=30d"), none.getMessage());
        assertTrue(none.getMessage().contains("-Dimages.prune.maxSize=20GB"), none.getMessage());

        MojoExtension.setVariableValueToObject(prune, "maxSize", "20 gigs");
        MojoFailureException size = assertThrows(MojoFailureException.class, prune::execute);
        assertTrue(size.getMessage().endsWith("(check <maxSize> or -Dimages.prune.maxSize)"), size.getMessage());

        MojoExtension.setVariableValueToObject(prune, "maxSize", null);
        MojoExtension.setVariableValueToObject(prune, "olderThan", "30d");
        MojoExtension.setVariableValueToObject(prune, "keepLocked", true);
        MojoExtension.setVariableValueToObject(prune, "lockFile", new File(work.resolve("missing.lock.json").toString()));
        MojoFailureException lock = assertThrows(MojoFailureException.class, prune::execute);
        assertTrue(lock.getMessage().contains("no lock file " + work.resolve("missing.lock.json")), lock.getMessage());
    }

    @Test
    @InjectMojo(goal = "cache", pom = POM)
    void cachePrintsTheFolderItsSizeItsBlobsAndTheOldestUse(CacheMojo cacheGoal) throws Exception {
        try (RegistryServer registry = RegistryServer.start()) {
            StandardFixtures fixtures = StandardFixtures.pushTo(registry.baseUrl());
            Path cache = work.resolve("cache");
            pull(cache, registry.address() + "/" + StandardFixtures.OCI_IMAGE + ":1.0");
            ageUseStamps(cache, Duration.ofDays(12));
            Set<String> blobs = blobsOf(fixtures.ociImage());
            long bytes = 0;
            for (String digest : blobs) {
                bytes += Files.size(blob(cache, digest));
            }
            configure(cacheGoal, cache);

            cacheGoal.execute();

            assertEquals(List.of("INFO cache " + cache.toAbsolutePath() + ": " + String.format(java.util.Locale.ROOT, "%.1f KB", bytes / 1024.0)
                    + " in " + blobs.size() + " blobs, oldest use " + LocalDate.now(ZoneOffset.UTC).minusDays(12) + " (12 days ago)"), log);
        }
    }

    /** The manifest, config and layers of an image, as the cache names them. */
    private static Set<String> blobsOf(TestImage image) {
        Set<String> digests = new HashSet<>();
        digests.add(image.manifestDigest());
        digests.add(image.configDigest());
        image.layers().stream().map(TestLayer::digest).forEach(digests::add);
        return digests;
    }

    private static Path blob(Path cache, String digest) {
        return cache.resolve("blobs/sha256/" + digest.substring("sha256:".length()));
    }

    private void pull(Path cache, String... references) {
        List<ImageRequest> images = Stream.of(references).map(r -> new ImageRequest(ImageReference.parse(r), AMD64)).toList();
        new ImagePuller().pull(new PullRequest(images, work.resolve("out"), OutputFormat.OCI, Optional.empty(), 4, cache, Set.of(),
                CredentialProvider.ANONYMOUS, PullListener.SILENT));
    }

    /** As if every blob of the cache was last used that long ago. */
    private static void ageUseStamps(Path cache, Duration ago) throws IOException {
        FileTime then = FileTime.from(Instant.now().minus(ago));
        try (Stream<Path> stamps = Files.list(cache.resolve("used"))) {
            for (Path stamp : stamps.toList()) {
                Files.setLastModifiedTime(stamp, then);
            }
        }
    }

    private void configure(AbstractMojo mojo, Path cache) throws IllegalAccessException {
        log.clear();
        MojoExtension.setVariableValueToObject(mojo, "cacheDirectory", new File(cache.toString()));
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
}
