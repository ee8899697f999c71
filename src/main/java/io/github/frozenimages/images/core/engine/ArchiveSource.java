package io.github.frozenimages.images.core.engine;

import io.github.frozenimages.images.core.output.TarStreamWriter;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * What is sent to the engine: a tarball as it is on disk ({@code .tar}, or compressed: engines detect gzip
 * themselves), or an output folder tarred on the fly, with no temporary file.
 */
public abstract class ArchiveSource {

    private final Path path;

    private ArchiveSource(Path path) {
        this.path = path;
    }

    /**
     * A tarball file, or a folder (such as the pull goal's output) to stream as a tarball.
     *
     * @throws IllegalArgumentException when the path does not exist
     */
    public static ArchiveSource of(Path path) {
        if (Files.isDirectory(path)) {
            return new Tree(path);
        }
        if (Files.isRegularFile(path)) {
            return new File(path);
        }
        throw new IllegalArgumentException("there is no archive or image folder at " + path);
    }

    public Path path() {
        return path;
    }

    /** Whether the bytes come from a folder tarred while sending. */
    public abstract boolean isTree();

    /** The number of bytes, or -1 when it is known only once sent (a folder tarred on the fly). */
    abstract long length() throws IOException;

    abstract void writeTo(OutputStream out) throws IOException;

    @Override
    public String toString() {
        return path.toString();
    }

    private static final class File extends ArchiveSource {
        File(Path path) {
            super(path);
        }

        @Override
        public boolean isTree() {
            return false;
        }

        @Override
        long length() throws IOException {
            return Files.size(path());
        }

        @Override
        void writeTo(OutputStream out) throws IOException {
            Files.copy(path(), out);
        }
    }

    private static final class Tree extends ArchiveSource {
        Tree(Path path) {
            super(path);
        }

        @Override
        public boolean isTree() {
            return true;
        }

        @Override
        long length() {
            return -1;
        }

        @Override
        void writeTo(OutputStream out) throws IOException {
            TarStreamWriter.write(path(), out);
        }
    }
}
