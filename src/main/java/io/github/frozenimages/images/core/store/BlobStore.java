package io.github.frozenimages.images.core.store;

import io.github.frozenimages.images.core.model.Descriptor;
import io.github.frozenimages.images.core.ref.Digest;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;

/**
 * A content-addressed blob cache, {@code <root>/blobs/<algorithm>/<hex>}, shared by every build of a user.
 * A blob enters only through {@link #ensure}: streamed into a temporary file beside its final place while it
 * is hashed and counted, checked against its descriptor, flushed to disk, then renamed atomically. A name in
 * {@code blobs/} therefore always means verified content, and a killed build leaves at most a temp file.
 */
public final class BlobStore {

    private static final int BUFFER = 256 * 1024;

    private final Path root;
    private final BlobLocks locks;

    public BlobStore(Path root) {
        this.root = root.toAbsolutePath();
        this.locks = new BlobLocks(this.root.resolve("locks"));
    }

    public Path root() {
        return root;
    }

    /** The path a blob has (or would have) in the store; built only from a validated digest. */
    public Path path(Digest digest) {
        return root.resolve("blobs").resolve(digest.algorithm()).resolve(digest.hex());
    }

    public boolean contains(Descriptor descriptor) {
        Path p = path(descriptor.digest());
        try {
            return Files.isRegularFile(p) && Files.size(p) == descriptor.size();
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * Makes sure the store holds the blob, downloading it from {@code source} only if no thread or process
     * has it yet; concurrent callers for one digest wait for the first.
     *
     * @return true if this call downloaded the blob, false if it was already there
     */
    public boolean ensure(Descriptor descriptor, BlobSource source) throws IOException {
        if (contains(descriptor)) {
            return false;
        }
        try (BlobLocks.Held ignored = locks.acquire(descriptor.digest().algorithm() + "-" + descriptor.digest().hex())) {
            if (contains(descriptor)) {
                return false;
            }
            try (InputStream in = source.open()) {
                ingest(descriptor, in);
            }
            return true;
        }
    }

    /** Stores bytes already in memory (manifests, configs) after checking them against their descriptor. */
    public void put(Descriptor descriptor, byte[] bytes) throws IOException {
        ensure(descriptor, () -> new java.io.ByteArrayInputStream(bytes));
    }

    public byte[] read(Descriptor descriptor, int limit) throws IOException {
        Path p = path(descriptor.digest());
        if (Files.size(p) > limit) {
            throw new IOException("blob " + descriptor.digest() + " is larger than " + limit + " bytes");
        }
        return Files.readAllBytes(p);
    }

    private void ingest(Descriptor descriptor, InputStream in) throws IOException {
        Path target = path(descriptor.digest());
        Path dir = target.getParent();
        Files.createDirectories(dir);
        Path temp = Files.createTempFile(dir, "." + descriptor.digest().hex() + "-", ".partial");
        boolean kept = false;
        try {
            MessageDigest hasher = descriptor.digest().newMessageDigest();
            long expected = descriptor.size();
            long written = 0;
            try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.WRITE);
                 OutputStream out = Channels.newOutputStream(channel)) {
                byte[] buffer = new byte[BUFFER];
                int n;
                // never read past the declared size plus one byte: enough to tell "too long" without buffering it
                while ((n = in.read(buffer, 0, (int) Math.min(buffer.length, expected - written + 1))) > 0) {
                    written += n;
                    if (written > expected) {
                        throw new BlobVerificationException("received more than the " + expected + " bytes the descriptor declares");
                    }
                    hasher.update(buffer, 0, n);
                    out.write(buffer, 0, n);
                }
                if (written != expected) {
                    throw new BlobVerificationException("received " + written + " bytes, the descriptor declares " + expected);
                }
                Digest actual = Digest.of(descriptor.digest().algorithm(), hasher.digest());
                if (!actual.equals(descriptor.digest())) {
                    throw new BlobVerificationException("the content hashes to " + actual + ", expected " + descriptor.digest());
                }
                out.flush();
                channel.force(true);
            }
            moveIntoPlace(temp, target);
            kept = true;
        } finally {
            if (!kept) {
                Files.deleteIfExists(temp);
            }
        }
    }

    private static void moveIntoPlace(Path temp, Path target) throws IOException {
        try {
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            throw new IOException("the cache folder " + target.getParent() + " does not support atomic renames", e);
        } catch (FileAlreadyExistsException e) {
            // another writer without our lock (an older cache user) got there first with identical content
            Files.deleteIfExists(temp);
        }
    }
}
