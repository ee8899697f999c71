package io.github.frozenimages.images.core.output;

import io.github.frozenimages.images.core.files.AtomicFile;
import io.github.frozenimages.images.core.files.Durability;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * A record, beside the output folder, of what a successful pull of digest-pinned images wrote: the request
 * and every file with its size, time and inode. When a later build asks for exactly the same and finds the
 * files untouched, there is nothing to resolve, fetch or write, and the goal ends in milliseconds without
 * starting an HTTP client or reading a manifest. Tags never take this path: what they name can change.
 */
public final class PullState {

    private final Path stateFile;
    private final Path outputDirectory;
    private final Optional<Path> archive;

    public PullState(Path outputDirectory, Optional<Path> archive) {
        Path out = outputDirectory.toAbsolutePath().normalize();
        this.outputDirectory = out;
        this.stateFile = out.resolveSibling("." + out.getFileName() + ".pull-state");
        this.archive = archive.map(p -> p.toAbsolutePath().normalize());
    }

    /** True when the last pull recorded this same request and its files are all as it left them. */
    public boolean upToDate(String request) {
        try {
            if (!Files.isRegularFile(stateFile)) {
                return false;
            }
            return Files.readString(stateFile, StandardCharsets.UTF_8).equals(describe(request));
        } catch (IOException e) {
            return false;
        }
    }

    public void record(String request) throws IOException {
        // not synced: upToDate compares the whole record with the files as they are, so a record a crash
        // tore never matches and costs one full pull, never a skipped one
        AtomicFile.write(stateFile, describe(request).getBytes(StandardCharsets.UTF_8), Durability.UNSYNCED);
    }

    /** Forgets the record: the next build does the full work. */
    public void clear() throws IOException {
        Files.deleteIfExists(stateFile);
    }

    private String describe(String request) throws IOException {
        StringBuilder sb = new StringBuilder(request).append('\n');
        List<Path> files = new ArrayList<>();
        try (Stream<Path> walk = Files.walk(outputDirectory)) {
            walk.filter(p -> !Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)).sorted().forEach(files::add);
        }
        if (archive.isPresent()) {
            files.add(archive.get());
        }
        for (Path f : files) {
            BasicFileAttributes a = Files.readAttributes(f, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            sb.append(f).append(' ').append(a.size()).append(' ').append(a.lastModifiedTime().toMillis()).append(' ')
                    .append(a.fileKey()).append('\n');
        }
        return sb.toString();
    }
}
