package io.github.frozenimages.images.core;

import io.github.frozenimages.images.core.shared.ImagePullException;
import io.github.frozenimages.images.core.ref.ImageRequest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.frozenimages.images.core.shared.ImagePullException.Reason;
import io.github.frozenimages.images.testing.StandardFixtures;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Each failure names the image, the registry and the digest where there is one, with the registry's own words. */
class PullErrorsTest extends RegistryTestSupport {

    @TempDir
    Path work;

    private ImagePullException failure(ImageRequest image) {
        ImagePullException e = assertThrows(ImagePullException.class, () -> pull(work, OutputFormat.DOCKER, image));
        assertFalse(Files.exists(work.resolve("out")), "a failed pull leaves no output");
        return e;
    }

    @Test
    void unknownTag() {
        ImagePullException e = failure(image(ref(StandardFixtures.OCI_IMAGE, "nope")));
        assertEquals(Reason.NOT_FOUND, e.reason());
        assertEquals("could not resolve " + registry.address() + "/test/oci-image:nope from " + registry.address()
                + ": MANIFEST_UNKNOWN: manifest unknown (HTTP 404)", e.getMessage());
    }

    @Test
    void unknownRepository() {
        ImagePullException e = failure(image(ref("test/nothing-here", "1.0")));
        assertEquals(Reason.NOT_FOUND, e.reason());
        // distribution 2.8 answers an unknown repository's manifest with MANIFEST_UNKNOWN, not NAME_UNKNOWN
        assertTrue(e.getMessage().contains("/test/nothing-here:1.0 from " + registry.address() + ": MANIFEST_UNKNOWN"), e.getMessage());
        assertTrue(e.messageWithAdvice().contains("needs credentials"), e.messageWithAdvice());
    }

    @Test
    void unknownDigestIsNamedInTheMessage() {
        String digest = "sha256:" + "0".repeat(64);
        ImagePullException e = failure(image(ref(StandardFixtures.OCI_IMAGE, digest)));
        assertEquals(Reason.NOT_FOUND, e.reason());
        assertTrue(e.getMessage().contains("(" + digest + ")"), e.getMessage());
    }

    @Test
    void unreachableRegistry() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort(); // closed again: nothing listens there now
        }
        ImagePullException e = failure(image("127.0.0.1:" + port + "/test/oci-image:1.0"));
        assertEquals(Reason.UNREACHABLE, e.reason());
        assertTrue(e.getMessage().startsWith("could not resolve 127.0.0.1:" + port + "/test/oci-image:1.0 from 127.0.0.1:" + port), e.getMessage());
        assertTrue(e.getMessage().contains("unreachable"), e.getMessage());
        assertTrue(e.getMessage().endsWith("(5 attempts)"), "the message counts the attempts: " + e.getMessage());
    }

    @Test
    void aPinnedDigestThatTheTagDoesNotHaveIsAMismatchNotASilentSwap() {
        // the registry serves the docker image's manifest under its digest; asking for it through the other repository fails
        String digest = fixtures.dockerImage().manifestDigest();
        ImagePullException e = failure(image(ref(StandardFixtures.OCI_IMAGE, digest)));
        assertEquals(Reason.NOT_FOUND, e.reason());
        assertTrue(e.getMessage().contains(digest), e.getMessage());
    }
}
