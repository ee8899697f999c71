package io.github.frozenimages.images.core.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.frozenimages.images.core.ref.Digest;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Referrers indexes as the referrers API answers them and the fallback tag holds them: read, written, added to. */
class ReferrersIndexTest {

    private static final String BUNDLE = "application/vnd.dev.sigstore.bundle.v0.3+json";
    private static final Digest FIRST = Digest.sha256(bytes("first referrer"));
    private static final Digest SECOND = Digest.sha256(bytes("second referrer"));

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static String entry(Digest digest, String extra) {
        return "{\"mediaType\":\"" + MediaTypes.OCI_MANIFEST + "\",\"digest\":\"" + digest + "\",\"size\":10" + extra + "}";
    }

    private static byte[] index(String... entries) {
        return bytes("{\"schemaVersion\":2,\"mediaType\":\"" + MediaTypes.OCI_INDEX + "\",\"manifests\":[" + String.join(",", entries) + "]}");
    }

    @Test
    void eachEntryKeepsItsArtifactTypeOrNoneWhenItDeclaresNone() throws IOException {
        List<Referrer> referrers = ReferrersIndex.parse(index(entry(FIRST, ",\"artifactType\":\"" + BUNDLE + "\""), entry(SECOND, "")));

        assertEquals(List.of(new Referrer(new Descriptor(MediaTypes.OCI_MANIFEST, FIRST, 10), BUNDLE),
                new Referrer(new Descriptor(MediaTypes.OCI_MANIFEST, SECOND, 10), null)), referrers);
    }

    @Test
    void aManifestOrAnArtifactTypeThatIsNoStringIsNoReferrersIndex() {
        IOException manifest = assertThrows(IOException.class, () -> ReferrersIndex.parse(bytes("{\"schemaVersion\":2,\"mediaType\":\""
                + MediaTypes.OCI_MANIFEST + "\",\"config\":{},\"layers\":[]}")));
        assertEquals("the referrers index declares mediaType " + MediaTypes.OCI_MANIFEST + ", not " + MediaTypes.OCI_INDEX, manifest.getMessage());

        IOException type = assertThrows(IOException.class, () -> ReferrersIndex.parse(index(entry(FIRST, ",\"artifactType\":7"))));
        assertEquals("field \"artifactType\" must be a string", type.getMessage());
    }

    @Test
    void writtenAndReadBackItIsTheSameList() throws IOException {
        List<Referrer> referrers = List.of(new Referrer(new Descriptor(MediaTypes.OCI_MANIFEST, FIRST, 10), BUNDLE));

        assertEquals(referrers, ReferrersIndex.parse(ReferrersIndex.write(referrers)));
    }

    @Test
    void mergingKeepsTheExistingEntriesExactlyAndAddsOnlyWhatIsMissing() throws IOException {
        String annotated = entry(FIRST, ",\"artifactType\":\"application/spdx+json\",\"annotations\":{\"org.example\":\"kept\"},\"x-unknown\":1");
        byte[] existing = index(annotated);

        byte[] merged = ReferrersIndex.merge(existing, index(entry(FIRST, ""), entry(SECOND, ",\"artifactType\":\"" + BUNDLE + "\"")));

        String text = new String(merged, StandardCharsets.UTF_8);
        assertTrue(text.contains(annotated), "the existing entry, as it was: " + text);
        assertEquals(List.of(FIRST, SECOND), ReferrersIndex.parse(merged).stream().map(r -> r.manifest().digest()).toList());
        assertSame(existing, ReferrersIndex.merge(existing, index(entry(FIRST, ""))), "nothing to add: the existing bytes, unchanged");
    }
}
