package io.github.frozenimages.images.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.frozenimages.images.core.ImagePuller;
import io.github.frozenimages.images.core.OutputFormat;
import io.github.frozenimages.images.core.PullRequest;
import io.github.frozenimages.images.core.auth.CredentialProvider;
import io.github.frozenimages.images.core.ref.ImageReference;
import io.github.frozenimages.images.core.ref.ImageRequest;
import io.github.frozenimages.images.core.ref.Platform;
import io.github.frozenimages.images.core.shared.PullListener;
import io.github.frozenimages.images.testing.Consumers;
import io.github.frozenimages.images.testing.ForkedMaven;
import io.github.frozenimages.images.testing.RegistryServer;
import io.github.frozenimages.images.testing.StandardFixtures;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The other side of the air gap, as a user runs it: no POM, only a bundle that is a Maven artifact in a repository
 * (a file repository the test makes, reached through settings.xml like any other), pushed by a real Maven build into
 * a registry of its own. What arrives is the bundle's images under their own digests.
 */
@Timeout(300)
class ForkedBuildPushTest extends ForkedBuildTestSupport {

    @Test
    void copyTakesImagesFromOneRegistryToAnotherAndASecondCopySendsNothing() throws Exception {
        StandardFixtures fixtures = StandardFixtures.pushTo(registry.baseUrl());
        try (RegistryServer target = RegistryServer.start()) {
            Path dir = Files.createDirectories(work.resolve("copy"));
            List<String> copy = List.of(maven.plugin() + ":copy", "-Dimages=" + registry.address() + "/" + StandardFixtures.MULTI_OCI + ":1.0",
                    "-Dimages.platform=linux/arm64", "-Dimages.cacheDirectory=" + work.resolve("cache"),
                    "-Dimages.push.target=" + target.address() + "/promoted");
            ForkedMaven.Build first = maven.start(dir, "", copy);
            first.assertSucceeds(Duration.ofMinutes(3));

            String at = target.address() + "/promoted/" + StandardFixtures.MULTI_OCI + ":1.0";
            assertEquals(fixtures.multiOci().image("linux/arm64").manifestDigest(),
                    new ObjectMapper().readTree(Consumers.skopeoInspect("docker://" + at)).get("Digest").asText(), first.log());
            Files.delete(dir.resolve("build.log"));
            ForkedMaven.Build second = maven.start(dir, "", copy);
            second.assertSucceeds(Duration.ofMinutes(3));
            assertTrue(second.log().contains("pushed 1 image, 0 B sent"), second.log());
        }
    }

    @Test
    void aBundleResolvedFromAMavenRepositoryIsPushedWithNoPom() throws Exception {
        StandardFixtures fixtures = StandardFixtures.pushTo(registry.baseUrl());
        Path bundle = work.resolve("file-repository/com/acme/app-images/1.0/app-images-1.0-images.tar.gz");
        Files.createDirectories(bundle.getParent());
        ImageRequest image = new ImageRequest(ImageReference.parse(registry.address() + "/" + StandardFixtures.OCI_IMAGE + ":1.0"),
                Platform.parse("linux/amd64"));
        new ImagePuller().pull(new PullRequest(List.of(image), work.resolve("images"), OutputFormat.DOCKER, Optional.of(bundle), 2,
                work.resolve("cache"), Set.of(), CredentialProvider.ANONYMOUS, PullListener.SILENT));
        // as a deploy leaves it: the artifact with its checksum, which the resolver checks
        byte[] sha1 = java.security.MessageDigest.getInstance("SHA-1").digest(Files.readAllBytes(bundle));
        Files.writeString(bundle.resolveSibling(bundle.getFileName() + ".sha1"), java.util.HexFormat.of().formatHex(sha1));
        // the launcher's settings send every repository to a dead address; this one lets the bundle's repository through
        Files.writeString(work.resolve("settings.xml"), """
                <settings>
                  <mirrors>
                    <mirror><id>no-network</id><mirrorOf>*,!bundles</mirrorOf><url>http://127.0.0.1:9/no-network-in-tests</url></mirror>
                  </mirrors>
                  <profiles>
                    <profile>
                      <id>bundles</id>
                      <repositories>
                        <repository><id>bundles</id><url>%s</url></repository>
                      </repositories>
                    </profile>
                  </profiles>
                  <activeProfiles><activeProfile>bundles</activeProfile></activeProfiles>
                </settings>
                """.formatted(work.resolve("file-repository").toUri()), StandardCharsets.UTF_8);

        try (RegistryServer target = RegistryServer.start()) {
            Path empty = Files.createDirectories(work.resolve("air-gapped"));
            ForkedMaven.Build build = maven.start(empty, "", List.of(maven.plugin() + ":push",
                    "-Dimages.artifact=com.acme:app-images:1.0:tar.gz:images", "-Dimages.push.target=" + target.address() + "/mirror"));
            build.assertSucceeds(Duration.ofMinutes(3));

            String at = target.address() + "/mirror/" + StandardFixtures.OCI_IMAGE + ":1.0";
            assertEquals(fixtures.ociImage().manifestDigest(),
                    new ObjectMapper().readTree(Consumers.skopeoInspect("docker://" + at)).get("Digest").asText(), build.log());
            assertTrue(build.log().contains("pushing the bundle com.acme:app-images:1.0:tar.gz:images"), build.log());
            assertTrue(build.log().contains("pushed 1 image"), build.log());
            assertTrue(build.log().lines().noneMatch(l -> l.startsWith("[WARNING]")), build.log());
        }
    }
}
