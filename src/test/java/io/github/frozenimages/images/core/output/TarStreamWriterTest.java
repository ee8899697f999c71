package io.github.frozenimages.images.core.output;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.frozenimages.images.core.ref.Platform;
import io.github.frozenimages.images.testing.GnuTar;
import java.io.ByteArrayOutputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The streamed tarball as its user sees it, read by GNU tar rather than by the library that writes it:
 * every file and folder of the tree under its own name, in sorted order, as a plain file or folder (never a
 * link: the tree's files are hard links into the cache, which the archive does not carry), owned by 0:0,
 * with fixed modes, the given time instead of the files' own, each file's size and bytes. The caller's
 * stream stays open.
 */
class TarStreamWriterTest {

    private static final Instant OUTPUT_TIMESTAMP = Instant.parse("2024-05-01T12:00:00Z");

    @TempDir
    Path temp;

    private boolean closedByTheWriter;

    @Test
    void dockerTreeIsStreamedAsTarListsAndExtractsIt() throws IOException {
        StoreFixture fixture = new StoreFixture(temp.resolve("cache"));
        StoreFixture.Image image = fixture.image(Platform.of("linux", "amd64", null), "stream",
                fixture.layer("base"), fixture.layer("top"));
        Path tree = temp.resolve("tree");
        new DockerLayoutWriter(fixture.store).write(tree, List.of(image.as("registry.example/app:1")));
        // a name beyond the 100 bytes a tar header holds: only an extended header carries it whole
        Path deep = Files.createDirectories(tree.resolve("deep/" + "folder-of-a-long-name/".repeat(5)));
        Files.writeString(deep.resolve("file"), "at the end of a long path");
        assertTrue(tree.relativize(deep.resolve("file")).toString().length() > 100);
        ageFiles(tree);

        Path archive = stream(tree, Instant.EPOCH);

        assertArchiveShows(tree, archive, Instant.EPOCH);
        assertFalse(closedByTheWriter, "the caller's stream stays open");
    }

    /** A layer listed twice: two folders whose layer.tar are one cache file; the archive holds both in full. */
    @Test
    void legacyTreeWithALayerTwiceHoldsBothCopiesAsFilesAtTheGivenTime() throws IOException {
        StoreFixture fixture = new StoreFixture(temp.resolve("cache"));
        StoreFixture.Layer base = fixture.layer("base");
        StoreFixture.Image image = fixture.image(Platform.of("linux", "amd64", null), "twice", base, fixture.layer("top"), base);
        Path tree = temp.resolve("tree");
        new LegacyLayoutWriter(fixture.store).write(tree, List.of(image.as("docker.io/library/app:1")));
        ageFiles(tree);
        List<Path> layerTars;
        try (Stream<Path> walk = Files.walk(tree)) {
            layerTars = walk.filter(p -> p.getFileName().toString().equals("layer.tar")).toList();
        }
        assertEquals(3, layerTars.size(), layerTars.toString());
        assertEquals(3, Files.getAttribute(fixture.store.path(base.blob().digest()), "unix:nlink"),
                "the cache file and the two layer.tar linked to it");

        Path archive = stream(tree, OUTPUT_TIMESTAMP);

        assertArchiveShows(tree, archive, OUTPUT_TIMESTAMP);
        assertFalse(closedByTheWriter, "the caller's stream stays open");
    }

    /** Streams the tree into a stream that notes being closed, and keeps the bytes in a file for tar. */
    private Path stream(Path tree, Instant entryTime) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        OutputStream callers = new FilterOutputStream(bytes) {
            @Override
            public void close() {
                closedByTheWriter = true;
            }
        };
        TarStreamWriter.write(tree, callers, entryTime);
        Path archive = temp.resolve("streamed.tar");
        Files.write(archive, bytes.toByteArray());
        return archive;
    }

    private void assertArchiveShows(Path tree, Path archive, Instant entryTime) throws IOException {
        List<String> names;
        try (Stream<Path> walk = Files.walk(tree)) {
            // in plain string order, folders before what they hold: the same tree always gives the same archive
            names = walk.filter(p -> !p.equals(tree)).map(p -> tree.relativize(p).toString()).sorted().toList();
        }
        List<String> expected = new ArrayList<>();
        for (String name : names) {
            Path p = tree.resolve(name);
            expected.add(Files.isDirectory(p)
                    ? "d rwxr-xr-x 0/0 0 " + entryTime + " " + name + "/"
                    : "- rw-r--r-- 0/0 " + Files.size(p) + " " + entryTime + " " + name);
        }
        // one line per entry; a link would show as type l or h, with its target after the name
        List<String> listed = GnuTar.list(archive).stream()
                .map(e -> e.type() + " " + e.permissions() + " " + e.uid() + "/" + e.gid() + " " + e.size() + " " + e.mtime() + " " + e.rest())
                .toList();
        assertEquals(String.join("\n", expected), String.join("\n", listed), "type, mode, owner, size, time and name of each entry, in order");

        Path extracted = Files.createDirectories(temp.resolve("extracted"));
        GnuTar.extract(archive, extracted);
        for (String name : names) {
            Path p = tree.resolve(name);
            Path copy = extracted.resolve(name);
            if (Files.isDirectory(p)) {
                assertTrue(Files.isDirectory(copy), "a folder: " + copy);
            } else {
                assertArrayEquals(Files.readAllBytes(p), Files.readAllBytes(copy), "the bytes of " + copy);
                assertEquals(1, Files.getAttribute(copy, "unix:nlink"), "a file of its own, not a link: " + copy);
            }
        }
        try (Stream<Path> walk = Files.walk(extracted)) {
            assertEquals(names.size(), walk.filter(p -> !p.equals(extracted)).count(), "nothing but the tree");
        }
    }

    /** Gives every file and folder of the tree a time of its own, which must not reach the archive. */
    private static void ageFiles(Path tree) throws IOException {
        try (Stream<Path> walk = Files.walk(tree)) {
            for (Path p : walk.toList()) {
                Files.setLastModifiedTime(p, FileTime.from(Instant.parse("2030-06-01T00:00:00Z")));
            }
        }
    }
}
