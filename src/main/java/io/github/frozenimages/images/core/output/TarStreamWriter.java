package io.github.frozenimages.images.core.output;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

/**
 * Streams an output tree as an uncompressed tarball into any stream, e.g. a socket, with no file in
 * between: the same entries, order, owner, modes and times as {@link TarArchiveWriter}, so the bytes are
 * those of the archive it would write. The stream is left open.
 */
public final class TarStreamWriter {

    private TarStreamWriter() {
    }

    public static void write(Path tree, OutputStream out) throws IOException {
        write(tree, out, Instant.EPOCH);
    }

    /** @param entryTime the time every entry carries, as for {@link TarArchiveWriter#write(Path, Path, Instant)} */
    public static void write(Path tree, OutputStream out, Instant entryTime) throws IOException {
        TarArchiveOutputStream tar = new TarArchiveOutputStream(new Unclosable(out));
        tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
        tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
        for (Path p : sortedEntries(tree)) {
            String name = tree.relativize(p).toString().replace('\\', '/');
            boolean dir = Files.isDirectory(p);
            TarArchiveEntry entry = new TarArchiveEntry(dir ? name + "/" : name);
            entry.setMode(dir ? 040755 : 0100644);
            entry.setUserId(0);
            entry.setGroupId(0);
            entry.setModTime(entryTime.toEpochMilli());
            if (!dir) {
                entry.setSize(Files.size(p));
            }
            tar.putArchiveEntry(entry);
            if (!dir) {
                Files.copy(p, tar);
            }
            tar.closeArchiveEntry();
        }
        tar.finish();
        tar.flush();
    }

    private static List<Path> sortedEntries(Path tree) throws IOException {
        try (Stream<Path> walk = Files.walk(tree)) {
            return walk.filter(p -> !p.equals(tree)).sorted().toList();
        }
    }

    /** Keeps the caller's stream open whatever the tar stream does on close. */
    private static final class Unclosable extends java.io.FilterOutputStream {
        Unclosable(OutputStream out) {
            super(out);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
        }

        @Override
        public void close() throws IOException {
            flush();
        }
    }
}
