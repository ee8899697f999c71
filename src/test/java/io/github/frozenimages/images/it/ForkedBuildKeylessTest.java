package io.github.frozenimages.images.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.frozenimages.images.core.ref.Digest;
import io.github.frozenimages.images.testing.ForkedMaven;
import io.github.frozenimages.images.testing.RegistryPusher;
import io.github.frozenimages.images.testing.RegistryServer;
import io.github.frozenimages.images.testing.SigstoreBundleSigner;
import io.github.frozenimages.images.testing.SigstoreTestAuthority;
import io.github.frozenimages.images.testing.SigstoreTestAuthority.KeylessSigner;
import io.github.frozenimages.images.testing.StandardFixtures;
import io.github.frozenimages.images.testing.TestImage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Keyless verification as a user sets it up, in real Maven builds: a POM's {@code <verify><keyless>} with a
 * {@code <trustedRoot>}, and the command line's {@code -Dimages.verify.*} for {@code images:verify} on the other side
 * of an air gap. The images are signed with Sigstore bundles made against a certificate authority and transparency
 * log of the test's own, attached as referrers (the fallback tag: the registry has no referrers API). The builds bring
 * in the real Sigstore client through Maven's resolver, as a user's build does.
 */
@Timeout(300)
class ForkedBuildKeylessTest extends ForkedBuildTestSupport {

    private static final String ISSUER = "https://token.actions.test";
    private static final String IDENTITY = "https://ci.test/acme/app/.github/workflows/release.yml@refs/heads/main";

    private final SigstoreTestAuthority authority = SigstoreTestAuthority.create();
    private final KeylessSigner signer = authority.signer(ISSUER, IDENTITY);

    /** Pushes the image and a keyless bundle for its manifest; returns the image. */
    private TestImage pushSigned(String repository) {
        TestImage image = StandardFixtures.build().ociImage();
        RegistryPusher pusher = new RegistryPusher(registry.baseUrl());
        pusher.push(repository, "1.0", image);
        SigstoreBundleSigner.push(pusher, repository, image.manifestMediaType(), image.manifestDigest(), image.manifestBytes().length,
                authority.bundle(signer, Digest.parse(image.manifestDigest())));
        return image;
    }

    private void writePom(Path project, String image, String identityElement) throws Exception {
        Files.writeString(project.resolve("pom.xml"), """
                <project xmlns="http://maven.apache.org/POM/4.0.0">
                  <modelVersion>4.0.0</modelVersion>
                  <groupId>it.images</groupId>
                  <artifactId>keyless</artifactId>
                  <version>1.0</version>
                  <packaging>pom</packaging>
                  <build>
                    <plugins>
                      <plugin>
                        <groupId>%s</groupId>
                        <artifactId>%s</artifactId>
                        <version>%s</version>
                        <configuration>
                          <images><image>%s</image></images>
                          <platform>linux/amd64</platform>
                          <verify>
                            <keyless>
                              <issuer>%s</issuer>
                              %s
                            </keyless>
                            <trustedRoot>${project.basedir}/trusted_root.json</trustedRoot>
                          </verify>
                        </configuration>
                      </plugin>
                    </plugins>
                  </build>
                </project>
                """.formatted(maven.groupId(), maven.artifactId(), maven.version(), image, ISSUER, identityElement), StandardCharsets.UTF_8);
        authority.writeTrustedRoot(project.resolve("trusted_root.json"));
    }

    @Test
    void aPomsKeylessPolicyLetsInTheIdentityItNamesAndNoOther() throws Exception {
        TestImage image = pushSigned("keyless/app");
        String reference = registry.address() + "/keyless/app:1.0";

        Path trusting = Files.createDirectories(work.resolve("trusting"));
        writePom(trusting, reference, "<identity>" + IDENTITY + "</identity>");
        ForkedMaven.Build passing = maven.start(trusting, "", List.of(maven.plugin() + ":pull", "-Dimages.cacheDirectory=" + work.resolve("cache")));
        passing.assertSucceeds(Duration.ofMinutes(3));
        assertTrue(passing.log().contains("verified " + reference + ": the manifest " + image.manifestDigest() + " is signed by issuer "
                + ISSUER + " and identity " + IDENTITY + " (Sigstore bundle sha256:"), passing.log());
        assertTrue(Files.isRegularFile(trusting.resolve("target/images/blobs/sha256/" + image.manifestDigest().substring(7))), passing.log());

        // another team's release workflow: the certificate is genuine, the identity is not the one asked for
        Path other = Files.createDirectories(work.resolve("other"));
        writePom(other, reference, "<identityPattern>https://ci\\.test/acme/other/.*</identityPattern>");
        ForkedMaven.Build refused = maven.start(other, "", List.of(maven.plugin() + ":pull", "-Dimages.cacheDirectory=" + work.resolve("cache")));
        assertEquals(1, refused.await(Duration.ofMinutes(3)), refused.log());
        assertTrue(refused.log().contains("could not verify the signature of " + reference + " (" + image.manifestDigest() + ") from "
                + registry.address() + ": no signature of the manifest " + image.manifestDigest() + " by a keyless signer with issuer "
                + ISSUER + " and identity matching /https://ci\\.test/acme/other/.*/; found for the manifest " + image.manifestDigest()
                + ": 1 Sigstore bundle (a certificate for identity " + IDENTITY + ", issuer " + ISSUER + ")"), refused.log());
        assertFalse(Files.exists(other.resolve("target/images")), refused.log());
    }

    @Test
    void imagesVerifyChecksAKeylessArchiveWithNoNetworkFromTheCommandLine() throws Exception {
        TestImage image = pushSigned("keyless/bundled");
        Path trustedRoot = authority.writeTrustedRoot(Files.createDirectories(work.resolve("trust")).resolve("trusted_root.json"));
        List<String> keyless = List.of("-Dimages.verify.issuer=" + ISSUER, "-Dimages.verify.identity=" + IDENTITY,
                "-Dimages.verify.trustedRoot=" + trustedRoot);
        Path outside = Files.createDirectories(work.resolve("outside"));
        maven.start(outside, "", concat(List.of(maven.plugin() + ":pull", "-Dimages=" + registry.address() + "/keyless/bundled:1.0",
                "-Dimages.platform=linux/amd64", "-Dimages.archive=target/bundle.tar.gz", "-Dimages.cacheDirectory=" + work.resolve("cache")),
                keyless)).assertSucceeds(Duration.ofMinutes(3));
        Path bundle = Files.copy(outside.resolve("target/bundle.tar.gz"), work.resolve("bundle.tar.gz"));
        registry.close(); // the other side of the air gap: no registry, and -o
        try {
            Path inside = Files.createDirectories(work.resolve("inside"));
            ForkedMaven.Build verify = maven.start(inside, "", concat(List.of("-o", maven.plugin() + ":verify", "-Dimages.archive=" + bundle),
                    keyless));
            verify.assertSucceeds(Duration.ofMinutes(3));
            assertTrue(verify.log().contains("verified 1 image of " + bundle + " against a keyless signature by issuer " + ISSUER
                    + " and identity " + IDENTITY + ", with no network"), verify.log());

            ForkedMaven.Build stranger = maven.start(inside, "", List.of("-o", maven.plugin() + ":verify", "-Dimages.archive=" + bundle,
                    "-Dimages.verify.issuer=" + ISSUER, "-Dimages.verify.identity=someone@else.test", "-Dimages.verify.trustedRoot=" + trustedRoot));
            assertEquals(1, stranger.await(Duration.ofMinutes(3)), stranger.log());
            assertTrue(stranger.log().contains("by a keyless signer with issuer " + ISSUER + " and identity someone@else.test"), stranger.log());
            assertTrue(stranger.log().contains("a certificate for identity " + IDENTITY + ", issuer " + ISSUER), stranger.log());
        } finally {
            registry = RegistryServer.start(); // for the class's other tests
        }
    }

    @Test
    void aKeylessLockTakenOnlineLetsMvnOfflineVerifyFromTheCache() throws Exception {
        TestImage image = pushSigned("keyless/locked");
        String reference = registry.address() + "/keyless/locked:1.0";
        Path project = Files.createDirectories(work.resolve("locked"));
        writePom(project, reference, "<identity>" + IDENTITY + "</identity>");
        List<String> pull = List.of(maven.plugin() + ":pull", "-Dimages.cacheDirectory=" + work.resolve("cache"));

        maven.start(project, "", concat(pull, List.of("-Dimages.lock.update=true"))).assertSucceeds(Duration.ofMinutes(3));
        String lock = Files.readString(project.resolve("images.lock.json"));
        assertTrue(lock.contains("\"signatures\"") && lock.contains("\"" + image.manifestDigest() + "\": \"sha256:"), lock);

        registry.close(); // offline means offline: the lock, the cache and the local repository are all there is
        try {
            Path checkout = Files.createDirectories(work.resolve("locked-checkout"));
            writePom(checkout, reference, "<identity>" + IDENTITY + "</identity>");
            Files.copy(project.resolve("images.lock.json"), checkout.resolve("images.lock.json"));
            ForkedMaven.Build offline = maven.start(checkout, "", concat(List.of("-o"), pull));
            offline.assertSucceeds(Duration.ofMinutes(3));
            assertTrue(offline.log().contains("verified " + reference + "@" + image.manifestDigest() + ": the manifest "
                    + image.manifestDigest() + " is signed by issuer " + ISSUER + " and identity " + IDENTITY), offline.log());
            assertTrue(Files.isRegularFile(checkout.resolve("target/images/blobs/sha256/" + image.manifestDigest().substring(7))),
                    offline.log());
        } finally {
            registry = RegistryServer.start(); // for the class's other tests
        }
    }

    private static List<String> concat(List<String> first, List<String> more) {
        List<String> all = new java.util.ArrayList<>(first);
        all.addAll(more);
        return all;
    }
}
