package io.github.frozenimages.images.maven;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.frozenimages.images.testing.CosignSigner;
import io.github.frozenimages.images.testing.RegistryPusher;
import io.github.frozenimages.images.testing.RegistryServer;
import io.github.frozenimages.images.testing.SigstoreBundleSigner;
import io.github.frozenimages.images.testing.SigstoreTestAuthority;
import io.github.frozenimages.images.testing.SigstoreTestAuthority.KeylessSigner;
import io.github.frozenimages.images.testing.StandardFixtures;
import io.github.frozenimages.images.testing.TestImage;
import io.github.frozenimages.images.testing.TestIndex;
import io.github.frozenimages.images.core.lock.ImageLock;
import io.github.frozenimages.images.core.ref.Digest;
import io.github.frozenimages.images.core.ref.ImageReference;
import io.github.frozenimages.images.core.ref.Platform;
import java.util.Optional;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.maven.api.plugin.testing.InjectMojo;
import org.apache.maven.api.plugin.testing.MojoExtension;
import org.apache.maven.api.plugin.testing.MojoTest;
import org.apache.maven.plugin.MojoExecutionException;
import org.apache.maven.plugin.MojoFailureException;
import org.apache.maven.plugin.logging.SystemStreamLog;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code <verify>} of the pull goal, goal-wide, per image and from {@code -Dimages.verify.publicKey}. */
@MojoTest
class PullWithVerifyTest {

    private static final String POM = "src/test/resources/unit/pull-config/pom.xml";

    @TempDir
    Path work;

    private final CosignSigner signer = CosignSigner.ecdsaP256();

    private void configure(PullMojo pull, List<ImageSpec> images) throws Exception {
        MojoExtension.setVariableValueToObject(pull, "images", images);
        MojoExtension.setVariableValueToObject(pull, "platform", "linux/amd64");
        MojoExtension.setVariableValueToObject(pull, "cacheDirectory", new File(work.resolve("cache").toString()));
        MojoExtension.setVariableValueToObject(pull, "lockFile", new File(work.resolve("no-lock.json").toString()));
        MojoExtension.setVariableValueToObject(pull, "outputDirectory", new File(work.resolve("out").toString()));
        pull.setLog(new SystemStreamLog());
    }

    private static VerifySpec verify(Path key) {
        VerifySpec verify = new VerifySpec();
        verify.setPublicKey(key.toFile());
        return verify;
    }

    @Test
    @InjectMojo(goal = "pull", pom = POM)
    void aGoalWideKeyFailsAnUnsignedImageAndAnImagesOwnKeyPassesItsSignedOne(PullMojo pull) throws Exception {
        try (RegistryServer registry = RegistryServer.start()) {
            TestImage image = StandardFixtures.build().ociImage();
            RegistryPusher pusher = new RegistryPusher(registry.baseUrl());
            pusher.push("app/signed", "1.0", image);
            pusher.push("app/unsigned", "1.0", image);
            CosignSigner.push(pusher, "app/signed", image.manifestDigest(),
                    List.of(signer.sign(registry.address() + "/app/signed", image.manifestDigest())));
            Path key = signer.writePublicKey(work.resolve("cosign.pub"));

            configure(pull, List.of(new ImageSpec(registry.address() + "/app/unsigned:1.0")));
            MojoExtension.setVariableValueToObject(pull, "verify", verify(key));
            MojoExecutionException e = assertThrows(MojoExecutionException.class, pull::execute);
            assertEquals("could not verify the signature of " + registry.address() + "/app/unsigned:1.0 (" + image.manifestDigest()
                    + ") from " + registry.address() + ": no signature of the manifest " + image.manifestDigest() + " by the key "
                    + signer.fingerprint() + " (" + key + "); found for the manifest " + image.manifestDigest() + ": no signature (no tag "
                    + CosignSigner.tagFor(image.manifestDigest()) + ") (sign the image as <verify> asks (cosign sign --key with its"
                    + " <publicKey>'s key, or keyless as its <keyless> identity), or name the key or identity that signed it)", e.getMessage());
            assertFalse(Files.exists(work.resolve("out")));

            // the image's own <verify> covers it alone; the goal has none
            ImageSpec signed = new ImageSpec(registry.address() + "/app/signed:1.0");
            signed.setVerify(verify(key));
            configure(pull, List.of(signed));
            MojoExtension.setVariableValueToObject(pull, "verify", null);
            pull.execute();
            assertTrue(Files.isRegularFile(work.resolve("out/blobs/sha256/" + image.manifestDigest().substring(7))));
        }
    }

    @Test
    @InjectMojo(goal = "pull", pom = POM)
    void aKeyFileThatHoldsNoKeyFailsNamingTheParameter(PullMojo pull) throws Exception {
        Path notAKey = Files.writeString(work.resolve("cosign.key"), "-----BEGIN ENCRYPTED SIGSTORE PRIVATE KEY-----\n");
        configure(pull, List.of(new ImageSpec("127.0.0.1:1/app:1.0")));
        VerifySpec fromCommandLine = new VerifySpec();
        fromCommandLine.set(notAKey.toString());
        MojoExtension.setVariableValueToObject(pull, "verify", fromCommandLine);

        MojoFailureException e = assertThrows(MojoFailureException.class, pull::execute);

        assertEquals("could not read the public key " + notAKey + ": " + notAKey + " holds no -----BEGIN PUBLIC KEY----- block"
                + " (a key as cosign generate-key-pair writes cosign.pub) (check <verify> or -Dimages.verify.publicKey)", e.getMessage());
    }

    @Test
    @InjectMojo(goal = "pull", pom = POM)
    void aLockedPlatformManifestIsVouchedForByTheSignatureOfTheIndexItWasLockedFrom(PullMojo pull) throws Exception {
        try (RegistryServer registry = RegistryServer.start()) {
            TestIndex index = StandardFixtures.build().multiOci();
            RegistryPusher pusher = new RegistryPusher(registry.baseUrl());
            pusher.push("app/multi", "1.0", index);
            // cosign sign on a multi-platform tag signs the index only
            CosignSigner.push(pusher, "app/multi", index.digest(), List.of(signer.sign(registry.address() + "/app/multi", index.digest())));
            Path key = signer.writePublicKey(work.resolve("cosign.pub"));
            configure(pull, List.of(new ImageSpec(registry.address() + "/app/multi:1.0")));
            MojoExtension.setVariableValueToObject(pull, "verify", verify(key));
            MojoExtension.setVariableValueToObject(pull, "lockFile", new File(work.resolve(ImageLock.FILE_NAME).toString()));
            MojoExtension.setVariableValueToObject(pull, "lockUpdate", true);

            pull.execute();

            String amd64 = index.image("linux/amd64").manifestDigest();
            // the pull went by the locked platform manifest's digest, which no signature names itself
            assertEquals(Optional.of(Digest.parse(amd64)), ImageLock.read(work.resolve(ImageLock.FILE_NAME))
                    .manifest(ImageReference.parse(registry.address() + "/app/multi:1.0"), Platform.parse("linux/amd64")));
            assertTrue(Files.isRegularFile(work.resolve("out/blobs/sha256/" + amd64.substring(7))));
        }
    }

    @Test
    @InjectMojo(goal = "pull", pom = POM)
    void anImagesOwnKeylessPolicyTakesTheBundleOfItsIdentityAndRefusesAnother(PullMojo pull) throws Exception {
        SigstoreTestAuthority authority = SigstoreTestAuthority.create();
        String issuer = "https://token.actions.test";
        KeylessSigner release = authority.signer(issuer, "release@acme.test");
        Path root = authority.writeTrustedRoot(work.resolve("trusted_root.json"));
        try (RegistryServer registry = RegistryServer.start()) {
            TestImage image = StandardFixtures.build().ociImage();
            RegistryPusher pusher = new RegistryPusher(registry.baseUrl());
            pusher.push("app/keyless", "1.0", image);
            SigstoreBundleSigner.push(pusher, "app/keyless", image.manifestMediaType(), image.manifestDigest(), image.manifestBytes().length,
                    authority.bundle(release, Digest.parse(image.manifestDigest())));
            ImageSpec spec = new ImageSpec(registry.address() + "/app/keyless:1.0");
            spec.setVerify(keyless(issuer, "someone@acme.test", root));
            configure(pull, List.of(spec));
            // the real Sigstore client, from the test class path: resolving it is SigstoreClientResolutionTest's and the forked builds' part
            MojoExtension.setVariableValueToObject(pull, "verifyPolicies", new VerifyPolicies(
                    r -> SigstoreClientLoader.instantiate(SigstoreClientLoaderTest.testClassPathJars(), getClass().getClassLoader(), r)));

            MojoExecutionException e = assertThrows(MojoExecutionException.class, pull::execute);
            assertTrue(e.getMessage().contains(": no signature of the manifest " + image.manifestDigest() + " by a keyless signer with issuer "
                    + issuer + " and identity someone@acme.test; found for the manifest " + image.manifestDigest()
                    + ": 1 Sigstore bundle (a certificate for identity release@acme.test, issuer " + issuer + ")"), e.getMessage());
            assertFalse(Files.exists(work.resolve("out")));

            spec.setVerify(keyless(issuer, "release@acme.test", root));
            configure(pull, List.of(spec));
            pull.execute();
            assertTrue(Files.isRegularFile(work.resolve("out/blobs/sha256/" + image.manifestDigest().substring(7))));
        }
    }

    private static VerifySpec keyless(String issuer, String identity, Path trustedRoot) {
        KeylessSpec keyless = new KeylessSpec();
        keyless.setIssuer(issuer);
        keyless.setIdentity(identity);
        VerifySpec verify = new VerifySpec();
        verify.setKeyless(keyless);
        verify.setTrustedRoot(trustedRoot.toFile());
        return verify;
    }
}
