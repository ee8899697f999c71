package io.github.frozenimages.images.core.output;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.frozenimages.images.core.ref.Platform;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The tarball for {@code docker load -i}: the tree's content, in a reproducible byte stream. */
class TarArchiveWriterTest {

    @TempDir
    Path temp;

    private Path tree;

    @BeforeEach
    void writeTree() throws IOException {
        StoreFixture fixture = new StoreFixture(temp.resolve("cache"));
        StoreFixture.Layer base = fixture.layer("base");
        StoreFixture.Image image = fixture.image(Platform.of("linux", "amd64", null), "tar", base, fixture.layer("top"));
        tree = temp.resolve("tree");
        new DockerLayoutWriter(fixture.store).write(tree, List.of(image.as("alpine:3.20")));
    }

    /** Relative names of the tree, directories with a trailing slash, in plain string order. */
    private List<String> expectedNames() throws IOException {
        try (Stream<Path> walk = Files.walk(tree)) {
            return walk.filter(p -> !p.equals(tree))
                    .map(p -> tree.relativize(p).toString().replace('\\', '/') + (Files.isDirectory(p) ? "/" : ""))
                    .sorted()
                    .toList();
        }
    }

    /** name -> content (null for directories), in archive order; checks the fixed metadata on the way. */
    private static Map<String, byte[]> readBack(Path archive, boolean gzip) throws IOException {
        Map<String, byte[]> entries = new LinkedHashMap<>();
        try (InputStream file = new BufferedInputStream(Files.newInputStream(archive));
             InputStream body = gzip ? new GzipCompressorInputStream(file) : file;
             TarArchiveInputStream tar = new TarArchiveInputStream(body)) {
            TarArchiveEntry entry;
            while ((entry = tar.getNextEntry()) != null) {
                String name = entry.getName();
                assertEquals(0L, entry.getModTime().getTime(), name + " mtime");
                assertEquals(0L, entry.getLongUserId(), name + " uid");
                assertEquals(0L, entry.getLongGroupId(), name + " gid");
                assertEquals(entry.isDirectory() ? 040755 : 0100644, entry.getMode(), name + " mode");
                entries.put(name, entry.isDirectory() ? null : tar.readAllBytes());
            }
        }
        return entries;
    }

    @ParameterizedTest
    @CsvSource({"image.tar, false", "image.tar.gz, true", "image.tgz, true"})
    void archiveHoldsTheTreeInSortedOrder(String fileName, boolean gzip) throws IOException {
        Path archive = temp.resolve(fileName);
        TarArchiveWriter.write(tree, archive);

        Map<String, byte[]> entries = readBack(archive, gzip);
        List<String> names = new ArrayList<>(entries.keySet());
        assertEquals(expectedNames(), names);
        // the docker-archive's own files are at the top level, where docker load looks for them
        assertTrue(names.containsAll(List.of("blobs/", "blobs/sha256/", "index.json", "manifest.json", "oci-layout", "repositories")), names.toString());
        for (Map.Entry<String, byte[]> e : entries.entrySet()) {
            if (e.getValue() != null) {
                assertArrayEquals(Files.readAllBytes(tree.resolve(e.getKey())), e.getValue(), e.getKey());
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"image.tar", "image.tar.gz"})
    void sameTreeGivesIdenticalBytes(String fileName) throws IOException {
        Path one = temp.resolve("one-" + fileName);
        Path two = temp.resolve("two-" + fileName);
        TarArchiveWriter.write(tree, one);
        // file times differ between builds; they must not reach the archive
        try (Stream<Path> walk = Files.walk(tree)) {
            for (Path p : walk.toList()) {
                Files.setLastModifiedTime(p, FileTime.from(Instant.parse("2030-06-01T00:00:00Z")));
            }
        }
        TarArchiveWriter.write(tree, two);
        assertArrayEquals(Files.readAllBytes(one), Files.readAllBytes(two));
    }

    @Test
    void overwritesAnExistingArchiveAndLeavesNoTempFile() throws IOException {
        Path archive = temp.resolve("out").resolve("image.tar");
        Files.createDirectories(archive.getParent());
        Files.writeString(archive, "stale content from an earlier build");
        TarArchiveWriter.write(tree, archive);

        assertEquals(expectedNames(), new ArrayList<>(readBack(archive, false).keySet()));
        try (Stream<Path> siblings = Files.list(archive.getParent())) {
            // the archive and its checksum file, nothing else
            assertEquals(List.of(archive, archive.resolveSibling(archive.getFileName() + ".sha256")), siblings.sorted().toList());
        }
    }

    @Test
    void aFailedWriteKeepsTheEarlierArchiveAndItsChecksum() throws IOException {
        Path archive = temp.resolve("out").resolve("image.tar");
        TarArchiveWriter.write(tree, archive);
        Path checksum = archive.resolveSibling(archive.getFileName() + ".sha256");
        byte[] earlier = Files.readAllBytes(archive);
        String earlierChecksum = Files.readString(checksum);

        assertThrows(IOException.class, () -> TarArchiveWriter.write(temp.resolve("no-such-tree"), archive));

        assertArrayEquals(earlier, Files.readAllBytes(archive));
        assertEquals(earlierChecksum, Files.readString(checksum));
        try (Stream<Path> siblings = Files.list(archive.getParent())) {
            assertEquals(List.of(archive, checksum), siblings.sorted().toList(), "no temporary file left behind");
        }
    }

    @ParameterizedTest
    @CsvSource({"a.tar.gz, true", "A.TGZ, true", "a.tgz, true", "a.tar, false", "a.gz, false", "tar.gz.tar, false"})
    void gzipIsChosenByName(String name, boolean gzip) {
        assertEquals(gzip, TarArchiveWriter.isGzip(Path.of(name)));
    }
}
