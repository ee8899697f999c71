package io.github.frozenimages.images.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.frozenimages.images.testing.CosignSigner;
import io.github.frozenimages.images.testing.ForkedMaven;
import io.github.frozenimages.images.testing.RegistryPusher;
import io.github.frozenimages.images.testing.StandardFixtures;
import io.github.frozenimages.images.testing.TestImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code -Dimages.verify.publicKey} as a user types it, in a real Maven build with no POM: Maven turns the property's
 * text into the {@code <verify>} object, and the build fails on an unsigned image and passes a signed one.
 */
@Timeout(300)
class ForkedBuildVerifyTest extends ForkedBuildTestSupport {

    @Test
    void theCommandLineKeyFailsAnUnsignedImageAndPassesASignedOne() throws Exception {
        TestImage image = StandardFixtures.build().ociImage();
        RegistryPusher pusher = new RegistryPusher(registry.baseUrl());
        pusher.push("cli/unsigned", "1.0", image);
        pusher.push("cli/signed", "1.0", image);
        CosignSigner signer = CosignSigner.ecdsaP256();
        CosignSigner.push(pusher, "cli/signed", image.manifestDigest(),
                List.of(signer.sign(registry.address() + "/cli/signed", image.manifestDigest())));
        Path key = signer.writePublicKey(work.resolve("keys/cosign.pub"));
        Path empty = Files.createDirectories(work.resolve("no-pom"));

        ForkedMaven.Build unsigned = maven.start(empty, "", List.of(maven.plugin() + ":pull",
                "-Dimages=" + registry.address() + "/cli/unsigned:1.0", "-Dimages.platform=linux/amd64", "-Dimages.verify.publicKey=" + key,
                "-Dimages.cacheDirectory=" + work.resolve("cache")));
        assertEquals(1, unsigned.await(Duration.ofMinutes(3)), unsigned.log());
        assertTrue(unsigned.log().contains("could not verify the signature of " + registry.address() + "/cli/unsigned:1.0 ("
                + image.manifestDigest() + ") from " + registry.address() + ": no signature of the manifest " + image.manifestDigest()
                + " by the key " + signer.fingerprint() + " (" + key + ")"), unsigned.log());

        ForkedMaven.Build signed = maven.start(empty, "", List.of(maven.plugin() + ":pull",
                "-Dimages=" + registry.address() + "/cli/signed:1.0", "-Dimages.platform=linux/amd64", "-Dimages.verify.publicKey=" + key,
                "-Dimages.cacheDirectory=" + work.resolve("cache")));
        signed.assertSucceeds(Duration.ofMinutes(3));
        assertTrue(signed.log().contains("verified " + registry.address() + "/cli/signed:1.0: the manifest " + image.manifestDigest()
                + " is signed by the key " + signer.fingerprint()), signed.log());
        assertTrue(Files.isRegularFile(empty.resolve("target/images/blobs/sha256/" + image.manifestDigest().substring(7))), signed.log());
    }

    @Test
    void imagesVerifyChecksABundleOfflineAfterTheAirGap() throws Exception {
        TestImage image = StandardFixtures.build().ociImage();
        RegistryPusher pusher = new RegistryPusher(registry.baseUrl());
        pusher.push("cli/bundled", "1.0", image);
        CosignSigner signer = CosignSigner.ecdsaP256();
        CosignSigner.push(pusher, "cli/bundled", image.manifestDigest(),
                List.of(signer.sign(registry.address() + "/cli/bundled", image.manifestDigest())));
        Path key = signer.writePublicKey(work.resolve("keys/cosign.pub"));
        Path outside = Files.createDirectories(work.resolve("outside"));
        maven.start(outside, "", List.of(maven.plugin() + ":pull", "-Dimages=" + registry.address() + "/cli/bundled:1.0",
                "-Dimages.platform=linux/amd64", "-Dimages.verify.publicKey=" + key, "-Dimages.archive=target/bundle.tar.gz",
                "-Dimages.cacheDirectory=" + work.resolve("cache"))).assertSucceeds(Duration.ofMinutes(3));
        Path bundle = Files.copy(outside.resolve("target/bundle.tar.gz"), work.resolve("bundle.tar.gz"));
        registry.close(); // nothing to reach on the other side: the check must not need the registry

        Path inside = Files.createDirectories(work.resolve("inside"));
        ForkedMaven.Build verify = maven.start(inside, "", List.of("-o", maven.plugin() + ":verify", "-Dimages.archive=" + bundle,
                "-Dimages.verify.publicKey=" + key));
        verify.assertSucceeds(Duration.ofMinutes(3));
        assertTrue(verify.log().contains("verified 1 image of " + bundle + " against the key " + signer.fingerprint() + ", with no network"),
                verify.log());
        registry = io.github.frozenimages.images.testing.RegistryServer.start(); // for the class's other tests
    }

    @Test
    void aLockTakenOnlineRecordsTheSignatureAndMvnOfflineVerifiesFromTheCache() throws Exception {
        TestImage image = StandardFixtures.build().ociImage();
        RegistryPusher pusher = new RegistryPusher(registry.baseUrl());
        pusher.push("cli/locked", "1.0", image);
        CosignSigner signer = CosignSigner.ecdsaP256();
        byte[] signature = CosignSigner.push(pusher, "cli/locked", image.manifestDigest(),
                List.of(signer.sign(registry.address() + "/cli/locked", image.manifestDigest())));
        Path key = signer.writePublicKey(work.resolve("keys/cosign.pub"));
        Path project = Files.createDirectories(work.resolve("locked"));
        Path lockFile = project.resolve("images.lock.json");
        List<String> common = List.of(maven.plugin() + ":pull", "-Dimages=" + registry.address() + "/cli/locked:1.0",
                "-Dimages.platform=linux/amd64", "-Dimages.verify.publicKey=" + key, "-Dimages.lockFile=" + lockFile,
                "-Dimages.cacheDirectory=" + work.resolve("cache"));

        ForkedMaven.Build online = maven.start(project, "", concat(common, "-Dimages.lock.update=true"));
        online.assertSucceeds(Duration.ofMinutes(3));
        String lock = Files.readString(lockFile);
        assertTrue(lock.contains("\"" + image.manifestDigest() + "\": \"" + io.github.frozenimages.images.core.ref.Digest.sha256(signature)
                + "\""), lock);

        registry.close(); // offline means offline: the cache and the lock file are all there is
        try {
            // a fresh checkout beside the same warm cache: nothing in its output to vouch for the image
            Path checkout = Files.createDirectories(work.resolve("locked-checkout"));
            ForkedMaven.Build offline = maven.start(checkout, "", concat(List.of("-o"), common.toArray(String[]::new)));
            offline.assertSucceeds(Duration.ofMinutes(3));
            assertTrue(offline.log().contains("verified " + registry.address() + "/cli/locked:1.0@" + image.manifestDigest() + ": the manifest " + image.manifestDigest()
                    + " is signed by the key " + signer.fingerprint()), offline.log());
        } finally {
            registry = io.github.frozenimages.images.testing.RegistryServer.start(); // for the class's other tests
        }
    }

    private static List<String> concat(List<String> first, String... more) {
        List<String> all = new java.util.ArrayList<>(first);
        all.addAll(List.of(more));
        return all;
    }
}
