package io.github.frozenimages.images.core.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.frozenimages.images.core.model.Descriptor;
import io.github.frozenimages.images.core.ref.Digest;
import io.github.frozenimages.images.core.ref.ImageReference;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TagRecordsTest {

    private static final String MANIFEST = "application/vnd.oci.image.manifest.v1+json";

    @TempDir
    Path dir;

    @Test
    void aTagResolvesOfflineToWhatItLastResolvedTo() throws IOException {
        TagRecords tags = new TagRecords(dir);
        ImageReference app = ImageReference.parse("registry.example:5000/team/app:1.0");
        Descriptor first = manifest("first");
        Descriptor second = manifest("second");

        tags.record(app, first);
        assertEquals(Optional.of(first), tags.lookup(app));
        tags.record(app, second);
        assertEquals(Optional.of(second), tags.lookup(app), "a tag that moved is recorded anew");
        assertEquals(Optional.empty(), tags.lookup(ImageReference.parse("registry.example:5000/team/app:2.0")));
    }

    @Test
    void aTagThatHasNotMovedLeavesItsRecordUntouched() throws IOException {
        TagRecords tags = new TagRecords(dir);
        ImageReference app = ImageReference.parse("registry.example:5000/team/app:1.0");
        tags.record(app, manifest("same"));
        Path record = onlyFile();
        Object before = Files.readAttributes(record, BasicFileAttributes.class).fileKey();

        tags.record(app, manifest("same"));
        assertEquals(before, Files.readAttributes(onlyFile(), BasicFileAttributes.class).fileKey(),
                "a warm build does not rewrite the record (a rewrite renames a new file into place)");

        tags.record(app, manifest("moved"));
        assertNotEquals(before, Files.readAttributes(onlyFile(), BasicFileAttributes.class).fileKey());
    }

    private Path onlyFile() throws IOException {
        try (var files = Files.list(dir)) {
            List<Path> all = files.toList();
            assertEquals(1, all.size(), all.toString());
            assertTrue(all.get(0).getFileName().toString().endsWith(".json"));
            return all.get(0);
        }
    }

    private static Descriptor manifest(String content) {
        byte[] bytes = content.getBytes(StandardCharsets.UTF_8);
        return new Descriptor(MANIFEST, Digest.sha256(bytes), bytes.length);
    }
}
