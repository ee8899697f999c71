package io.github.frozenimages.images.maven;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.frozenimages.images.testing.RegistryServer;
import io.github.frozenimages.images.testing.StandardFixtures;
import io.github.frozenimages.images.testing.TestLayer;
import io.github.frozenimages.images.testing.TmpfsMount;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.maven.api.plugin.testing.InjectMojo;
import org.apache.maven.api.plugin.testing.MojoExtension;
import org.apache.maven.api.plugin.testing.MojoTest;
import org.apache.maven.plugin.logging.SystemStreamLog;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** images:pull with a cache on a read-only mount: one WARN line, the build goes on, the fallback takes what is new. */
@MojoTest
class ReadOnlyCacheMojoTest {

    private static final String POM = "src/test/resources/unit/pull-config/pom.xml";

    @TempDir
    Path work;

    private final List<String> log = new CopyOnWriteArrayList<>();

    @Test
    @InjectMojo(goal = "pull", pom = POM)
    void aReadOnlyCacheIsOneWarningAndNoFailure(PullMojo pull) throws Exception {
        Path fallback = CacheLocation.fallback(pull.project, pull.session).toAbsolutePath().normalize();
        try (RegistryServer registry = RegistryServer.start();
             TmpfsMount disk = TmpfsMount.of(work.resolve("ci-cache"), 16)) {
            StandardFixtures fixtures = StandardFixtures.pushTo(registry.baseUrl());
            String oci = registry.address() + "/" + StandardFixtures.OCI_IMAGE + ":1.0";
            String docker = registry.address() + "/" + StandardFixtures.DOCKER_IMAGE + ":1.0";
            configure(pull, disk.path(), "first", oci);
            pull.execute();
            disk.readOnly();

            configure(pull, disk.path(), "second", oci, docker);
            pull.execute();

            List<String> warnings = log.stream().filter(l -> l.startsWith("WARN")).toList();
            assertEquals(List.of("WARN the cache " + disk.path() + " (Read-only file system) cannot be written: the blobs it holds are"
                    + " used and verified as usual, and what it lacks is downloaded into " + fallback), warnings);
            for (TestLayer layer : fixtures.dockerImage().layers()) {
                assertTrue(Files.isRegularFile(fallback.resolve("blobs/sha256/" + layer.digest().substring(7))), layer.digest());
            }
            assertTrue(Files.isRegularFile(work.resolve("second/index.json")));
        } finally {
            io.github.frozenimages.images.core.output.StagedDirectory.deleteTree(fallback); // the harness's build folder is no temp folder
        }
    }

    private void configure(PullMojo pull, Path cache, String output, String... images) throws IllegalAccessException {
        log.clear();
        MojoExtension.setVariableValueToObject(pull, "images", java.util.Arrays.stream(images).map(ImageSpec::new).toList());
        MojoExtension.setVariableValueToObject(pull, "platform", "linux/amd64");
        MojoExtension.setVariableValueToObject(pull, "cacheDirectory", new File(cache.toString()));
        MojoExtension.setVariableValueToObject(pull, "outputDirectory", new File(work.resolve(output).toString()));
        MojoExtension.setVariableValueToObject(pull, "lockFile", new File(work.resolve("images.lock.json").toString()));
        pull.setLog(new SystemStreamLog() {
            @Override
            public void info(CharSequence content) {
                log.add("INFO " + content);
            }

            @Override
            public void warn(CharSequence content) {
                log.add("WARN " + content);
            }

            @Override
            public void warn(CharSequence content, Throwable error) {
                log.add("WARN " + content + " " + error);
            }
        });
    }
}
