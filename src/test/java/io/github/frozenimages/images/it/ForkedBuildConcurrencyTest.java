package io.github.frozenimages.images.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.frozenimages.images.testing.Faults;
import io.github.frozenimages.images.testing.ForkedMaven;
import io.github.frozenimages.images.testing.RecordedRequest;
import io.github.frozenimages.images.testing.RegistryPusher;
import io.github.frozenimages.images.testing.Rule;
import io.github.frozenimages.images.testing.StandardFixtures;
import io.github.frozenimages.images.testing.TestImage;
import io.github.frozenimages.images.testing.TestLayer;
import io.github.frozenimages.images.testing.WireFaults;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Real Maven builds sharing one cache (reliability catalogue §3.7 items 42 and 43): two builds started together on
 * an empty cache, and one {@code mvn -T 4} reactor of eight modules that share a base image. The proxy holds the
 * first download of the shared layer back until the others have resolved their images, so the builds (or module
 * threads) are certain to meet at that blob's lock: across processes the FileChannel lock, inside one JVM the
 * thread lock. Every build succeeds, each blob crosses the wire once, identical requests give byte-identical
 * outputs, no OverlappingFileLockException is logged, and no lock is left held.
 */
@Timeout(400)
class ForkedBuildConcurrencyTest extends ForkedBuildTestSupport {

    private static final String BIG = "test/concurrent-big";
    private static StandardFixtures fixtures;
    private static TestLayer bigLayer;

    @BeforeAll
    static void pushImages() {
        fixtures = StandardFixtures.pushTo(registry.baseUrl());
        bigLayer = TestLayer.plain("forked-concurrency/big", 16 * 1024 * 1024);
        TestImage big = TestImage.builder().oci(true).layer(TestLayer.gzip("forked-concurrency/small", 10_000)).layer(bigLayer).build();
        new RegistryPusher(registry.baseUrl()).push(BIG, "1.0", big);
    }

    @Test
    void twoBuildsStartedTogetherOnAnEmptyCacheBothSucceedAndFetchEachBlobOnce() throws Exception {
        String manifest = "/v2/" + BIG + "/manifests/1.0";
        String blob = "/v2/" + BIG + "/blobs/" + bigLayer.digest();
        // the first build's download of the large layer waits for the second build to resolve the image, then takes ~2 s
        proxy.add(Rule.onPath("GET", blob).then(WireFaults.gated(WireFaults.throttled(8 * 1024 * 1024, 64 * 1024),
                () -> count(manifest) >= 2, Duration.ofSeconds(120))));
        Path cache = work.resolve("cache");
        String images = String.join(",", proxy.address() + "/" + BIG + ":1.0", proxy.address() + "/" + StandardFixtures.OCI_IMAGE + ":1.0",
                proxy.address() + "/" + StandardFixtures.SHARED_BASE + ":1.0");

        List<ForkedMaven.Build> builds = new ArrayList<>();
        for (String name : List.of("a", "b")) {
            builds.add(maven.start(work.resolve(name), "", List.of(maven.plugin() + ":pull", "-Dimages=" + images,
                    "-Dimages.cacheDirectory=" + cache, "-Dimages.outputDirectory=" + work.resolve(name + "/images"),
                    "-Dimages.platform=linux/amd64")));
        }
        for (ForkedMaven.Build build : builds) {
            build.assertSucceeds(Duration.ofSeconds(240));
            assertFalse(build.log().contains("OverlappingFileLockException"), build.describe());
        }

        assertEquals(2, count(manifest), "both builds resolved the tag themselves, at the same time");
        assertEachBlobFetchedOnce();
        assertSameTree(work.resolve("a/images"), work.resolve("b/images"));
        assertLocksFree(cache);
        ForkedBuildCrashTest.assertBlobsNamedByContent(cache.resolve("blobs/sha256"));
    }

    @Test
    void aParallelReactorOfEightModulesSharingABaseImageFetchesEachBlobOnce() throws Exception {
        String base = "/v2/" + StandardFixtures.SHARED_BASE + "/blobs/" + fixtures.sharedLayer().digest();
        // hold the shared layer back until at least three modules have resolved a shared-base tag
        proxy.add(Rule.onPath("GET", base).then(WireFaults.gated(Faults.passThrough(),
                () -> count("/v2/" + StandardFixtures.SHARED_BASE + "/manifests/1.0") + count("/v2/" + StandardFixtures.SHARED_BASE + "/manifests/2.0") >= 3,
                Duration.ofSeconds(60))));
        String r = proxy.address() + "/";
        List<List<String>> modules = List.of(
                List.of(r + "test/shared-base:1.0", r + "test/oci-image:1.0"),
                List.of(r + "test/shared-base:1.0", r + "test/oci-image:1.0"),
                List.of(r + "test/shared-base:1.0", r + "test/docker-image:1.0"),
                List.of(r + "test/shared-base:1.0", r + "test/docker-image:1.0"),
                List.of(r + "test/shared-base:2.0", r + "test/dup-layer:1.0"),
                List.of(r + "test/shared-base:2.0", r + "test/dup-layer:1.0"),
                List.of(r + "test/shared-base:1.0", r + "test/multi-oci:1.0"),
                List.of(r + "test/shared-base:2.0", r + "test/multi-docker:1.0"));
        Path reactor = work.resolve("reactor");
        writeReactor(reactor, modules);
        Path cache = work.resolve("cache");

        ForkedMaven.Build build = maven.start(reactor, "", List.of("-T", "4", "pre-integration-test",
                "-Dimages.cacheDirectory=" + cache, "-Dimages.platform=linux/amd64"));
        build.assertSucceeds(Duration.ofSeconds(240));

        String log = build.log();
        assertFalse(log.contains("OverlappingFileLockException"), build.describe());
        assertTrue(log.contains("MultiThreadedBuilder"), "not a parallel build:\n" + build.describe());
        assertEachBlobFetchedOnce();
        for (int i = 0; i < modules.size(); i += 2) {
            if (modules.get(i).equals(modules.get(i + 1))) {
                assertSameTree(reactor.resolve("m" + (i + 1) + "/target/images"), reactor.resolve("m" + (i + 2) + "/target/images"));
            }
        }
        assertLocksFree(cache);
        ForkedBuildCrashTest.assertBlobsNamedByContent(cache.resolve("blobs/sha256"));
    }

    private void writeReactor(Path reactor, List<List<String>> modules) throws Exception {
        StringBuilder parent = new StringBuilder("""
                <project xmlns="http://maven.apache.org/POM/4.0.0">
                  <modelVersion>4.0.0</modelVersion>
                  <groupId>it.images</groupId>
                  <artifactId>reactor</artifactId>
                  <version>1.0</version>
                  <packaging>pom</packaging>
                  <modules>
                """);
        for (int i = 1; i <= modules.size(); i++) {
            parent.append("    <module>m").append(i).append("</module>\n");
            StringBuilder images = new StringBuilder();
            modules.get(i - 1).forEach(image -> images.append("            <image>").append(image).append("</image>\n"));
            Path module = Files.createDirectories(reactor.resolve("m" + i));
            Files.writeString(module.resolve("pom.xml"), """
                    <project xmlns="http://maven.apache.org/POM/4.0.0">
                      <modelVersion>4.0.0</modelVersion>
                      <groupId>it.images</groupId>
                      <artifactId>m%d</artifactId>
                      <version>1.0</version>
                      <packaging>pom</packaging>
                      <build>
                        <plugins>
                          <plugin>
                            <groupId>%s</groupId>
                            <artifactId>%s</artifactId>
                            <version>%s</version>
                            <executions><execution><goals><goal>pull</goal></goals></execution></executions>
                            <configuration>
                              <images>
                    %s          </images>
                            </configuration>
                          </plugin>
                        </plugins>
                      </build>
                    </project>
                    """.formatted(i, maven.groupId(), maven.artifactId(), maven.version(), images), StandardCharsets.UTF_8);
        }
        parent.append("  </modules>\n</project>\n");
        Files.writeString(reactor.resolve("pom.xml"), parent.toString(), StandardCharsets.UTF_8);
    }

    private long count(String path) {
        return proxy.requests().stream().filter(r -> r.path().equals(path)).count();
    }

    private void assertEachBlobFetchedOnce() {
        Map<String, Long> gets = proxy.requests().stream().map(RecordedRequest::path).filter(p -> p.contains("/blobs/"))
                .collect(Collectors.groupingBy(p -> p.substring(p.lastIndexOf('/') + 1), TreeMap::new, Collectors.counting()));
        assertFalse(gets.isEmpty());
        gets.forEach((digest, n) -> assertEquals(1L, n, digest + " was downloaded " + n + " times: " + gets));
    }

    private static void assertLocksFree(Path cache) throws Exception {
        try (Stream<Path> locks = Files.list(cache.resolve("locks"))) {
            for (Path lock : locks.toList()) {
                try (FileChannel channel = FileChannel.open(lock, StandardOpenOption.WRITE); FileLock held = channel.tryLock()) {
                    assertTrue(held != null, lock + " is still held");
                }
            }
        }
    }

    private static void assertSameTree(Path a, Path b) throws Exception {
        Map<String, Path> left = files(a);
        Map<String, Path> right = files(b);
        assertEquals(left.keySet(), right.keySet(), a + " and " + b + " hold different files");
        for (String name : left.keySet()) {
            assertArrayEquals(Files.readAllBytes(left.get(name)), Files.readAllBytes(right.get(name)), name + " differs");
        }
    }

    private static Map<String, Path> files(Path root) throws Exception {
        assertTrue(Files.isDirectory(root), root + " was not written");
        try (Stream<Path> walk = Files.walk(root)) {
            return walk.filter(Files::isRegularFile).collect(Collectors.toMap(p -> root.relativize(p).toString(), p -> p, (x, y) -> x, TreeMap::new));
        }
    }
}
