package io.github.frozenimages.images.core.output;

import io.github.frozenimages.images.core.files.NoSpaceException;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Every file of an output tree, decided before anything is written: small documents as bytes, blobs as
 * files of the store. Knowing the whole tree up front lets a build tell that an existing output already
 * is exactly this tree and leave it alone.
 */
public final class LayoutPlan {

    private final Map<String, byte[]> documents = new LinkedHashMap<>();
    private final Map<String, Path> blobs = new LinkedHashMap<>();

    void document(String relativePath, byte[] content) {
        documents.put(relativePath, content);
    }

    void blob(String relativePath, Path storeFile) {
        blobs.putIfAbsent(relativePath, storeFile);
    }

    public Map<String, byte[]> documents() {
        return documents;
    }

    /** How a message tells the user to put the output elsewhere. */
    static final String MOVE_THE_OUTPUT = "<outputDirectory> or -Dimages.outputDirectory";

    /**
     * Writes the tree into an empty folder: blobs as hard links to the store where possible, copies elsewhere
     * (another file system than the cache's, or one without hard links). A copy keeps its store file's
     * modification time, which is how {@link #isSatisfiedBy} knows it for the next build.
     */
    public void writeTo(Path directory) throws IOException {
        boolean linksWork = true;
        long stillToCopy = blobs.values().stream().mapToLong(LayoutPlan::sizeOf).sum();
        for (Map.Entry<String, Path> blob : blobs.entrySet()) {
            Path target = directory.resolve(blob.getKey());
            long size = sizeOf(blob.getValue());
            try {
                Files.createDirectories(target.getParent());
                if (linksWork) {
                    try {
                        Files.createLink(target, blob.getValue());
                        stillToCopy -= size;
                        continue;
                    } catch (FileAlreadyExistsException e) {
                        stillToCopy -= size;
                        continue;
                    } catch (IOException | UnsupportedOperationException e) {
                        linksWork = false; // another file system, or no link support: copies from here on
                    }
                }
                copy(blob.getValue(), target);
            } catch (FileAlreadyExistsException e) {
                // a blob the tree names twice was copied already
            } catch (IOException e) {
                throw NoSpaceException.whenFull(e, blob.getKey() + " of the new output", directory.getParent(), target,
                        stillToCopy, MOVE_THE_OUTPUT);
            }
            stillToCopy -= size;
        }
        for (Map.Entry<String, byte[]> doc : documents.entrySet()) {
            Path target = directory.resolve(doc.getKey());
            try {
                Files.createDirectories(target.getParent());
                Files.write(target, doc.getValue());
            } catch (IOException e) {
                throw NoSpaceException.whenFull(e, doc.getKey() + " of the new output", directory.getParent(), target,
                        doc.getValue().length, MOVE_THE_OUTPUT);
            }
        }
    }

    /**
     * Copies in the kernel ({@code sendfile}/{@code copy_file_range} behind transferTo), which for the benchmark's
     * 1 GiB image onto a tmpfs took about half the time of {@link Files#copy}'s read/write loop in JDK 17, then gives
     * the copy its store file's modification time.
     */
    private static void copy(Path source, Path target) throws IOException {
        try (FileChannel in = FileChannel.open(source, StandardOpenOption.READ);
             FileChannel out = FileChannel.open(target, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            long size = in.size();
            long position = 0;
            while (position < size) {
                long n = in.transferTo(position, size - position, out);
                if (n <= 0) {
                    throw new IOException("the copy of " + source + " to " + target + " stopped at byte " + position + " of " + size);
                }
                position += n;
            }
        }
        Files.setLastModifiedTime(target, Files.getLastModifiedTime(source));
    }

    private static long sizeOf(Path file) {
        try {
            return Files.size(file);
        } catch (IOException e) {
            return 0; // the copy that follows reports the missing file
        }
    }

    /**
     * True when the folder holds exactly this tree: the same documents byte for byte, each blob as a link
     * to its store file or an untouched copy of it, and nothing else.
     */
    public boolean isSatisfiedBy(Path directory) throws IOException {
        if (!Files.isDirectory(directory, LinkOption.NOFOLLOW_LINKS)) {
            return false;
        }
        Set<String> expected = new HashSet<>(documents.keySet());
        expected.addAll(blobs.keySet());
        try (Stream<Path> files = Files.walk(directory)) {
            for (Path p : (Iterable<Path>) files::iterator) {
                if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
                    continue;
                }
                if (!expected.remove(directory.relativize(p).toString().replace('\\', '/'))) {
                    return false;
                }
            }
        }
        if (!expected.isEmpty()) {
            return false;
        }
        for (Map.Entry<String, byte[]> doc : documents.entrySet()) {
            if (!java.util.Arrays.equals(Files.readAllBytes(directory.resolve(doc.getKey())), doc.getValue())) {
                return false;
            }
        }
        for (Map.Entry<String, Path> blob : blobs.entrySet()) {
            if (!sameFile(directory.resolve(blob.getKey()), blob.getValue())) {
                return false;
            }
        }
        return true;
    }

    /**
     * A link to the store file, or a copy of it as {@link #writeTo} leaves one: the same size and modification
     * time. Whatever writes into a copy changes its time, so a changed copy is rewritten,
     * while an untouched one costs a warm build two stats rather than reading the blob again.
     */
    private static boolean sameFile(Path output, Path store) throws IOException {
        BasicFileAttributes a = Files.readAttributes(output, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        BasicFileAttributes b = Files.readAttributes(store, BasicFileAttributes.class);
        if (!a.isRegularFile()) {
            return false;
        }
        if (a.fileKey() != null && Objects.equals(a.fileKey(), b.fileKey())) {
            return true;
        }
        // in microseconds: the JDK copies a file's time at that precision, which file systems keep in nanoseconds
        return a.size() == b.size()
                && a.lastModifiedTime().to(TimeUnit.MICROSECONDS) == b.lastModifiedTime().to(TimeUnit.MICROSECONDS);
    }
}
