package io.github.frozenimages.images.testing;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;

/**
 * Writes straight into a Distribution 2.8 registry's filesystem storage (the "X" helpers of the reliability
 * catalogue), bypassing the checks the registry makes on pushes: a document the registry would refuse, or a blob
 * too large to upload from memory. The layout:
 * {@code docker/registry/v2/blobs/sha256/<hex[0:2]>/<hex>/data} for content, and under
 * {@code repositories/<name>/} the links {@code _layers/sha256/<hex>/link}, {@code _manifests/revisions/sha256/<hex>/link}
 * and {@code _manifests/tags/<tag>/current/link} (plus the tag's {@code index/}).
 *
 * <p>Use it on a registry without {@code storage.cache} (the test configuration has none), so that what is
 * planted is what is served.
 */
public final class RegistryPlanter {

    /** Writes blob content into a stream, for content generated on the fly. */
    @FunctionalInterface
    public interface Content {
        void writeTo(OutputStream out) throws IOException;
    }

    private final Path root;
    private final Path v2;

    public RegistryPlanter(Path storageRoot) {
        this.root = storageRoot;
        this.v2 = storageRoot.resolve("docker/registry/v2");
    }

    public static RegistryPlanter of(RegistryServer server) {
        return new RegistryPlanter(server.storageRoot());
    }

    /** Where the registry keeps the content of {@code digest}. */
    public Path blobData(String digest) {
        String hex = Sha256.hexOf(digest);
        return v2.resolve("blobs/sha256").resolve(hex.substring(0, 2)).resolve(hex).resolve("data");
    }

    /** Stores {@code content} as a layer (or config) blob of {@code repository}; returns its digest. */
    public String plantBlob(String repository, byte[] content) {
        String digest = Sha256.digest(content);
        write(blobData(digest), content);
        link(repository, "_layers", digest);
        return digest;
    }

    /**
     * Streams generated content into the storage as a blob of {@code repository}, hashing it on the way, and
     * returns its digest and size. Nothing of it is held in memory.
     */
    public Planted plantBlob(String repository, Content content) {
        try {
            Path staging = Files.createDirectories(root.resolve("test-staging"));
            Path temp = Files.createTempFile(staging, "blob", ".data");
            MessageDigest sha = Sha256.newDigest();
            long size;
            try (OutputStream file = Files.newOutputStream(temp);
                 HashingStream out = new HashingStream(file, sha)) {
                content.writeTo(out);
                size = out.count;
            }
            String digest = "sha256:" + HexFormat.of().formatHex(sha.digest());
            Path data = blobData(digest);
            Files.createDirectories(data.getParent());
            Files.move(temp, data, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            link(repository, "_layers", digest);
            return new Planted(digest, size);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot plant a blob in " + v2, e);
        }
    }

    /** A planted blob's name and size. */
    public record Planted(String digest, long size) {
    }

    /**
     * Stores {@code manifest} under {@code tag} of {@code repository} exactly as given, whatever it contains; the
     * registry serves it with the Content-Type its {@code mediaType} field names (as far as it can parse it).
     */
    public String plantManifest(String repository, String tag, byte[] manifest) {
        String digest = Sha256.digest(manifest);
        write(blobData(digest), manifest);
        link(repository, "_manifests/revisions", digest);
        Path tags = repositoryDir(repository).resolve("_manifests/tags").resolve(tag);
        write(tags.resolve("current/link"), digest.getBytes(StandardCharsets.US_ASCII));
        write(tags.resolve("index/sha256").resolve(Sha256.hexOf(digest)).resolve("link"), digest.getBytes(StandardCharsets.US_ASCII));
        return digest;
    }

    /** Replaces the stored content of {@code digest}; the registry serves the new bytes under the old name. */
    public void overwrite(String digest, byte[] content) {
        write(blobData(digest), content);
    }

    /** Deletes a planted blob's content (the links stay). */
    public void deleteData(String digest) {
        try {
            Files.deleteIfExists(blobData(digest));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private Path repositoryDir(String repository) {
        return v2.resolve("repositories").resolve(repository);
    }

    private void link(String repository, String area, String digest) {
        Path link = repositoryDir(repository).resolve(area).resolve("sha256").resolve(Sha256.hexOf(digest)).resolve("link");
        write(link, digest.getBytes(StandardCharsets.US_ASCII));
    }

    private static void write(Path file, byte[] content) {
        try {
            Files.createDirectories(file.getParent());
            Files.write(file, content);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }

    private static final class HashingStream extends java.io.FilterOutputStream {
        private final MessageDigest sha;
        long count;

        HashingStream(OutputStream out, MessageDigest sha) {
            super(out);
            this.sha = sha;
        }

        @Override
        public void write(int b) throws IOException {
            out.write(b);
            sha.update((byte) b);
            count++;
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
            sha.update(b, off, len);
            count += len;
        }
    }
}
