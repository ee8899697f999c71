package io.github.frozenimages.images.core.files;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class AtomicFileTest {

    @TempDir
    Path dir;

    @ParameterizedTest
    @EnumSource(Durability.class)
    void replacesTheOldFileWithExactlyTheNewBytes(Durability durability) throws IOException {
        Path target = dir.resolve("record.json");
        Files.writeString(target, "an older and longer content than the new one");

        AtomicFile.write(target, "{\"new\":1}".getBytes(StandardCharsets.UTF_8), durability);

        assertEquals("{\"new\":1}", Files.readString(target));
        assertEquals(List.of(target), filesIn(dir), "no temporary file left behind");
    }

    @Test
    void createsTheFileAndItsMissingFolders() throws IOException {
        Path target = dir.resolve("cache/tags/abc.json");

        AtomicFile.write(target, new byte[] {1, 2, 3}, Durability.SYNCED);

        assertArrayEquals(new byte[] {1, 2, 3}, Files.readAllBytes(target));
    }

    @Test
    void aFailureWhileWritingLeavesTheOldFileAsItWasAndNoTemporaryFile() throws IOException {
        Path target = dir.resolve("images.tar");
        byte[] old = "the archive of the last build".getBytes(StandardCharsets.US_ASCII);
        Files.write(target, old);
        IOException broken = new IOException("the tree went away");

        IOException thrown = assertThrows(IOException.class, () -> AtomicFile.write(target, Durability.UNSYNCED, out -> {
            out.write(new byte[100_000]);
            throw broken;
        }));

        assertSame(broken, thrown, "the caller's own failure reaches the caller");
        assertArrayEquals(old, Files.readAllBytes(target));
        assertEquals(List.of(target), filesIn(dir));
    }

    @Test
    void anUncheckedFailureWhileWritingAlsoLeavesNoTemporaryFile() throws IOException {
        Path target = dir.resolve("report.json");

        assertThrows(UncheckedIOException.class, () -> AtomicFile.write(target, Durability.UNSYNCED, out -> {
            out.write('{');
            throw new UncheckedIOException(new IOException("a stream of the caller broke"));
        }));

        assertEquals(List.of(), filesIn(dir), "no file under the name, none beside it");
    }

    @Test
    void aRenameThatFailsLeavesWhatWasThereAndNoTemporaryFile() throws IOException {
        // a file cannot replace a folder that holds something: the rename itself fails
        Path target = dir.resolve("taken");
        Files.createDirectories(target);
        Files.writeString(target.resolve("inside"), "kept");

        assertThrows(IOException.class, () -> AtomicFile.write(target, "new".getBytes(StandardCharsets.UTF_8), Durability.SYNCED));

        assertEquals("kept", Files.readString(target.resolve("inside")));
        assertEquals(List.of(target), filesIn(dir));
    }

    @Test
    void aFolderWithoutAtomicRenamesRefusesTheWriteAndKeepsTheOldFile() throws IOException {
        Path target = dir.resolve("images.lock.json");
        Files.writeString(target, "old lock");
        AtomicFile.Rename unsupported = (source, to) -> {
            throw new AtomicMoveNotSupportedException(source.toString(), to.toString(), "no rename here");
        };

        IOException thrown = assertThrows(IOException.class, () -> AtomicFile.write(target, Durability.SYNCED,
                out -> out.write("new lock".getBytes(StandardCharsets.UTF_8)), unsupported));

        assertTrue(thrown.getMessage().contains(target.toString()) && thrown.getMessage().contains("does not support atomic renames"),
                thrown.getMessage());
        assertEquals("old lock", Files.readString(target));
        assertEquals(List.of(target), filesIn(dir));
    }

    @Test
    void aStreamTheCallerClosesIsStillWrittenWhole() throws IOException {
        Path target = dir.resolve("images.tar.gz");
        byte[] body = new byte[300_000];
        for (int i = 0; i < body.length; i++) {
            body[i] = (byte) (i * 31 / 7);
        }

        // a gzip stream writes its trailer when closed, and closes what it wraps
        AtomicFile.write(target, Durability.SYNCED, out -> {
            try (GZIPOutputStream gzip = new GZIPOutputStream(out)) {
                for (int off = 0; off < body.length; off += 4096) {
                    gzip.write(body, off, Math.min(4096, body.length - off));
                }
            }
        });

        try (InputStream in = new GZIPInputStream(Files.newInputStream(target))) {
            assertArrayEquals(body, in.readAllBytes());
        }
    }

    @Test
    void theFileGetsThePermissionsOfAPlainWrite() throws IOException {
        assumeTrue(dir.getFileSystem().supportedFileAttributeViews().contains("posix"), "the file system has no POSIX permissions to compare");
        Path plain = dir.resolve("plain");
        Files.write(plain, new byte[] {1});
        Path atomic = dir.resolve("atomic");

        AtomicFile.write(atomic, new byte[] {1}, Durability.UNSYNCED);

        // a temporary file made private to its owner would leave the report or archive unreadable to others
        assertEquals(Files.getPosixFilePermissions(plain), Files.getPosixFilePermissions(atomic));
    }

    @Test
    void readersNeverSeeAPartOfAFileWhileWritersReplaceIt() throws Exception {
        Path target = dir.resolve("stamp");
        byte[][] versions = new byte[3][];
        for (int v = 0; v < versions.length; v++) {
            // of different lengths, so that a reader of a half-replaced file would find a length or a byte out of place
            versions[v] = new byte[(v + 1) * 96 * 1024 + v];
            Arrays.fill(versions[v], (byte) ('a' + v));
        }
        AtomicFile.write(target, versions[0], Durability.UNSYNCED);

        int writes = 150;
        int reads = 400;
        ExecutorService threads = Executors.newFixedThreadPool(4);
        try {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<List<String>>> results = new ArrayList<>();
            for (int w = 0; w < 2; w++) {
                int writer = w;
                results.add(threads.submit(() -> {
                    start.await();
                    for (int i = 0; i < writes; i++) {
                        AtomicFile.write(target, versions[(i + writer) % versions.length], Durability.UNSYNCED);
                    }
                    return List.of();
                }));
            }
            for (int r = 0; r < 2; r++) {
                results.add(threads.submit(() -> {
                    start.await();
                    List<String> torn = new ArrayList<>();
                    for (int i = 0; i < reads; i++) {
                        byte[] read = Files.readAllBytes(target);
                        if (Arrays.stream(versions).noneMatch(v -> Arrays.equals(v, read))) {
                            torn.add(read.length + " bytes");
                        }
                    }
                    return torn;
                }));
            }
            start.countDown();
            List<String> torn = new ArrayList<>();
            for (Future<List<String>> result : results) {
                // the bound only keeps a broken build from hanging; no assertion rests on time
                torn.addAll(result.get(5, TimeUnit.MINUTES));
            }
            assertEquals(0, torn.size(), torn.size() + " of " + 2 * reads + " reads found part of a file, e.g. "
                    + torn.subList(0, Math.min(5, torn.size())));
        } finally {
            threads.shutdownNow();
        }
        assertEquals(List.of(target), filesIn(dir), "no writer left its temporary file");
    }

    private static List<Path> filesIn(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.sorted().toList();
        }
    }
}
