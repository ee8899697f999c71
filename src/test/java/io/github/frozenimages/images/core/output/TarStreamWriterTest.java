package io.github.frozenimages.images.core.output;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.github.frozenimages.images.core.ref.Platform;
import java.io.ByteArrayOutputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The streamed tarball is byte for byte the file {@link TarArchiveWriter} writes, and leaves the stream open. */
class TarStreamWriterTest {

    @TempDir
    Path temp;

    @Test
    void streamsTheSameBytesAsTheArchiveFile() throws IOException {
        StoreFixture fixture = new StoreFixture(temp.resolve("cache"));
        StoreFixture.Image image = fixture.image(Platform.of("linux", "amd64", null), "stream",
                fixture.layer("base"), fixture.layer("top"));
        Path tree = temp.resolve("tree");
        new DockerLayoutWriter(fixture.store).write(tree, List.of(image.as("registry.example/" + "long-name/".repeat(12) + "app:1")));
        Path file = temp.resolve("images.tar");
        TarArchiveWriter.write(tree, file);

        ByteArrayOutputStream streamed = new ByteArrayOutputStream();
        boolean[] closed = {false};
        TarStreamWriter.write(tree, new FilterOutputStream(streamed) {
            @Override
            public void close() {
                closed[0] = true;
            }
        });
        assertArrayEquals(Files.readAllBytes(file), streamed.toByteArray());
        assertFalse(closed[0], "the caller's stream stays open");

        Instant outputTimestamp = Instant.parse("2024-05-01T12:00:00Z");
        TarArchiveWriter.write(tree, file, outputTimestamp);
        ByteArrayOutputStream dated = new ByteArrayOutputStream();
        TarStreamWriter.write(tree, dated, outputTimestamp);
        assertArrayEquals(Files.readAllBytes(file), dated.toByteArray());
    }
}
