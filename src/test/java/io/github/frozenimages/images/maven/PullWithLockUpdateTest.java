package io.github.frozenimages.images.maven;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.frozenimages.images.core.StubTokenService;
import io.github.frozenimages.images.core.lock.ImageLock;
import io.github.frozenimages.images.core.ref.Digest;
import io.github.frozenimages.images.core.ref.ImageReference;
import io.github.frozenimages.images.core.ref.Platform;
import io.github.frozenimages.images.testing.FaultProxy;
import io.github.frozenimages.images.testing.RecordedRequest;
import io.github.frozenimages.images.testing.RegistryConfig;
import io.github.frozenimages.images.testing.RegistryPusher;
import io.github.frozenimages.images.testing.RegistryServer;
import io.github.frozenimages.images.testing.StandardFixtures;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.apache.maven.api.plugin.testing.InjectMojo;
import org.apache.maven.api.plugin.testing.MojoExtension;
import org.apache.maven.api.plugin.testing.MojoTest;
import org.apache.maven.plugin.logging.SystemStreamLog;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code images:pull -Dimages.lock.update=true} writes the lock and pulls with it through one registry session:
 * the token registry (the real registry in its Bearer mode, behind a recording proxy) is pinged once, and the one
 * repository's token is fetched once, for the lock's HEAD and the pull's requests alike.
 */
@MojoTest
class PullWithLockUpdateTest {

    private static final String POM = "src/test/resources/unit/pull-config/pom.xml";

    @TempDir
    Path work;

    @Test
    @InjectMojo(goal = "pull", pom = POM)
    void aPullThatUpdatesItsLockPingsAndAuthenticatesTheRegistryOnce(PullMojo pull) throws Exception {
        try (StubTokenService tokens = new StubTokenService(300);
             RegistryServer registry = RegistryServer.start(RegistryConfig.plain()
                     .set("auth.silly.realm", tokens.realm()).set("auth.silly.service", "test-registry"));
             FaultProxy proxy = FaultProxy.start(registry.baseUrl())) {
            StandardFixtures fixtures = StandardFixtures.build();
            new RegistryPusher(registry.baseUrl(), "Bearer push").push(StandardFixtures.MULTI_OCI, "1.0", fixtures.multiOci());
            String image = proxy.address() + "/" + StandardFixtures.MULTI_OCI + ":1.0";
            MojoExtension.setVariableValueToObject(pull, "images", List.of(new ImageSpec(image)));
            MojoExtension.setVariableValueToObject(pull, "platform", "linux/arm64");
            MojoExtension.setVariableValueToObject(pull, "cacheDirectory", new File(work.resolve("cache").toString()));
            MojoExtension.setVariableValueToObject(pull, "lockFile", new File(work.resolve(ImageLock.FILE_NAME).toString()));
            MojoExtension.setVariableValueToObject(pull, "outputDirectory", new File(work.resolve("out").toString()));
            MojoExtension.setVariableValueToObject(pull, "lockUpdate", true);
            pull.setLog(new SystemStreamLog());

            pull.execute();

            String arm64 = fixtures.multiOci().image("linux/arm64").manifestDigest();
            assertEquals(Optional.of(Digest.parse(arm64)), ImageLock.read(work.resolve(ImageLock.FILE_NAME))
                    .manifest(ImageReference.parse(image), Platform.parse("linux/arm64")));
            assertTrue(Files.isRegularFile(work.resolve("out/index.json")));
            List<String> seen = proxy.requests().stream().map(r -> r.method() + " " + r.path()).toList();
            assertEquals(1, proxy.requests().stream().filter(r -> r.path().equals("/v2/")).count(), "pings: " + seen);
            assertTrue(seen.contains("HEAD /v2/" + StandardFixtures.MULTI_OCI + "/manifests/1.0"), "the lock asked with HEAD: " + seen);
            assertEquals(1, tokens.requests().size(), "one token for the one repository, lock and pull together: " + tokens.requests());
            assertTrue(proxy.requests().stream().filter(r -> !r.path().equals("/v2/")).allMatch(RecordedRequest::hasAuthorization),
                    "every request after the ping carried the token: " + seen);
        }
    }
}
