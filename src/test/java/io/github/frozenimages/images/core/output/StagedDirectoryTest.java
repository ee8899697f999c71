package io.github.frozenimages.images.core.output;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** An output folder is replaced whole or not at all. */
class StagedDirectoryTest {

    @TempDir
    Path parent;

    private List<String> siblingNames() throws IOException {
        try (Stream<Path> list = Files.list(parent)) {
            return list.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    private List<String> contentOf(Path dir) throws IOException {
        try (Stream<Path> walk = Files.walk(dir)) {
            return walk.filter(p -> !p.equals(dir)).map(p -> dir.relativize(p).toString().replace('\\', '/')).sorted().toList();
        }
    }

    private Path previousRun() throws IOException {
        Path target = parent.resolve("images");
        Files.createDirectories(target.resolve("blobs"));
        Files.writeString(target.resolve("index.json"), "old index");
        Files.writeString(target.resolve("blobs").resolve("stray"), "left over from an earlier run");
        return target;
    }

    @Test
    void createsTheFolderWhenAbsent() throws IOException {
        Path target = parent.resolve("a").resolve("images");
        StagedDirectory.replace(target, dir -> Files.writeString(dir.resolve("index.json"), "new"));
        assertEquals("new", Files.readString(target.resolve("index.json")));
    }

    @Test
    void replacesTheWholeFolder() throws IOException {
        Path target = previousRun();
        StagedDirectory.replace(target, dir -> Files.writeString(dir.resolve("index.json"), "new index"));

        // nothing of the earlier run lingers, not even files the new content does not mention
        assertEquals(List.of("index.json"), contentOf(target));
        assertEquals("new index", Files.readString(target.resolve("index.json")));
        // neither the staging folder nor the moved-aside old one remains
        assertEquals(List.of("images"), siblingNames());
    }

    @Test
    void failedWriteLeavesThePreviousFolderUntouched() throws IOException {
        Path target = previousRun();
        IOException failure = new IOException("disk full");
        IOException thrown = assertThrows(IOException.class, () -> StagedDirectory.replace(target, dir -> {
            Files.writeString(dir.resolve("index.json"), "half written");
            throw failure;
        }));

        assertSame(failure, thrown);
        assertEquals(List.of("blobs", "blobs/stray", "index.json"), contentOf(target));
        assertEquals("old index", Files.readString(target.resolve("index.json")));
        // no ".images-new-*" staging folder is left behind
        assertEquals(List.of("images"), siblingNames());
    }

    @Test
    void runtimeFailureIsCleanedUpToo() throws IOException {
        Path target = previousRun();
        assertThrows(IllegalStateException.class, () -> StagedDirectory.replace(target, dir -> {
            Files.createDirectories(dir.resolve("blobs/sha256"));
            throw new IllegalStateException("bug in a writer");
        }));
        assertEquals("old index", Files.readString(target.resolve("index.json")));
        assertEquals(List.of("images"), siblingNames());
    }

    @Test
    void contentIsWrittenBesideTheTargetNotInIt() throws IOException {
        Path target = previousRun();
        StagedDirectory.replace(target, dir -> {
            // same parent, so the final rename is atomic; hidden, so nobody mistakes it for output
            assertEquals(parent, dir.getParent());
            assertTrue(dir.getFileName().toString().startsWith(".images-new-"), dir.toString());
            // while writing, the previous output is still complete under its name
            assertEquals("old index", Files.readString(target.resolve("index.json")));
            Files.writeString(dir.resolve("index.json"), "new");
        });
        assertFalse(Files.exists(target.resolve("blobs")));
    }

    @Test
    void deleteTreeDoesNotFollowSymbolicLinksOut() throws IOException {
        Path outside = parent.resolve("outside");
        Files.createDirectories(outside);
        Files.writeString(outside.resolve("keep"), "precious");
        Path tree = parent.resolve("tree");
        Files.createDirectories(tree);
        try {
            Files.createSymbolicLink(tree.resolve("link"), outside);
        } catch (UnsupportedOperationException | IOException e) {
            org.junit.jupiter.api.Assumptions.abort("no symbolic links here: " + e);
        }
        StagedDirectory.deleteTree(tree);
        assertFalse(Files.exists(tree));
        assertEquals("precious", Files.readString(outside.resolve("keep")));
    }
}
