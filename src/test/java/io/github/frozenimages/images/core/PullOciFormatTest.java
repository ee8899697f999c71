package io.github.frozenimages.images.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.frozenimages.images.testing.Consumers;
import io.github.frozenimages.images.testing.StandardFixtures;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The oci format, read by skopeo's oci: and oci-archive: transports, umoci and podman. */
class PullOciFormatTest extends RegistryTestSupport {

    @TempDir
    Path work;

    @Test
    void skopeoSeesTheExactRegistryManifestAndPodmanLoadsIt() throws Exception {
        pull(work, OutputFormat.OCI, image(ref(StandardFixtures.OCI_IMAGE, "1.0")));
        Path out = work.resolve("out");
        assertFalse(Files.exists(out.resolve("manifest.json")));

        String raw = Consumers.skopeoInspectRaw("oci:" + out + ":1.0");
        assertArrayEquals(fixtures.ociImage().manifestBytes(), raw.getBytes(StandardCharsets.UTF_8));
        assertTrue(Consumers.umociStat(out, "1.0").length() > 0);

        Path ociArchive = work.resolve("image-oci.tar");
        Consumers.skopeoCopy("oci:" + out + ":1.0", "oci-archive:" + ociArchive + ":1.0");
        String id = fixtures.ociImage().configDigest().substring("sha256:".length());
        assertEquals(java.util.List.of(id), Consumers.podmanLoad(ociArchive));
    }

    @Test
    void aDockerV2ImageKeepsItsExactManifestAndMediaTypeInTheOciLayout() throws Exception {
        // re-labelling would change the manifest digest; containerd and Docker read Docker types in a layout
        // (skopeo 1.9 and umoci look only for OCI types, so this case is proven through the docker format)
        pull(work, OutputFormat.OCI, image(ref(StandardFixtures.DOCKER_IMAGE, "1.0")));
        Path manifest = work.resolve("out/blobs/sha256/" + fixtures.dockerImage().manifestDigest().substring(7));
        assertArrayEquals(fixtures.dockerImage().manifestBytes(), Files.readAllBytes(manifest));
        String index = Files.readString(work.resolve("out/index.json"));
        assertTrue(index.contains("\"mediaType\":\"application/vnd.docker.distribution.manifest.v2+json\""), index);
    }
}
