package io.github.frozenimages.images.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * Seeds a registry through its storage rather than its API: the filesystem driver reads the tree on every
 * request (the test registries have no cache), so content pushed into one registry can be served by another
 * one that a plain-http test client cannot push to, e.g. one that only speaks (mutual) TLS.
 */
public final class RegistryStorage {

    private RegistryStorage() {
    }

    /** Copies every file of {@code from}'s storage into {@code to}'s, keeping what {@code to} already has. */
    public static void copy(RegistryServer from, RegistryServer to) {
        Path source = from.storageRoot();
        Path target = to.storageRoot();
        List<Path> files;
        try (Stream<Path> walk = Files.walk(source)) {
            files = walk.filter(Files::isRegularFile).toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + source, e);
        }
        for (Path file : files) {
            Path copy = target.resolve(source.relativize(file).toString());
            try {
                Files.createDirectories(copy.getParent());
                if (Files.notExists(copy)) {
                    Files.copy(file, copy);
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot copy " + file + " to " + copy, e);
            }
        }
    }

    /** The blob digests ({@code sha256:<hex>}) whose data the registry's storage holds. */
    public static List<String> blobDigests(RegistryServer registry) {
        Path blobs = registry.storageRoot().resolve("docker/registry/v2/blobs/sha256");
        if (!Files.isDirectory(blobs)) {
            return List.of();
        }
        try (Stream<Path> walk = Files.walk(blobs)) {
            return walk.filter(p -> p.getFileName().toString().equals("data") && Files.isRegularFile(p))
                    .map(p -> "sha256:" + p.getParent().getFileName())
                    .sorted()
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + blobs, e);
        }
    }
}
