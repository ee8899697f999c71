package io.github.frozenimages.images.core.store;

import io.github.frozenimages.images.core.files.NoSpaceException;
import io.github.frozenimages.images.core.model.Descriptor;
import io.github.frozenimages.images.core.ref.Digest;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A content-addressed blob cache, {@code <root>/blobs/<algorithm>/<hex>}, shared by every build of a user.
 * A blob enters only through {@link #ensure}: streamed into a partial file beside its final place while it
 * is hashed and counted, checked against its descriptor, flushed to disk, then renamed atomically. A name in
 * {@code blobs/} therefore means verified content; a file changed since its verification is hashed again
 * before use and evicted if it no longer matches.
 */
public final class BlobStore {

    /** How a message tells the user to put the cache elsewhere. */
    public static final String MOVE_THE_CACHE = "<cacheDirectory> or -Dimages.cacheDirectory";

    private final Path root;
    private final BlobLocks locks;
    private final VerifiedStamps stamps;
    private final TagRecords tags;

    /** Set when cached blobs are re-hashed: the ones verified by this store, so each is hashed once per build. */
    private final Set<String> verifiedHere = ConcurrentHashMap.newKeySet();
    private final boolean rehashCached;

    public BlobStore(Path root) {
        this(root, false);
    }

    /**
     * @param rehashCached re-hash every cached blob (once per store) before trusting it, rather than trusting
     *                     the stamp of size, time and inode taken when it was verified: a flipped bit that keeps
     *                     all three (bit rot, a tool that restores times) is then caught, at the cost of reading
     *                     every blob an output needs
     */
    public BlobStore(Path root, boolean rehashCached) {
        this.rehashCached = rehashCached;
        this.root = root.toAbsolutePath();
        this.locks = new BlobLocks(this.root.resolve("locks"));
        this.stamps = new VerifiedStamps(this.root.resolve("verified"));
        this.tags = new TagRecords(this.root.resolve("tags"));
    }

    /** The last digest each tag resolved to online. */
    public TagRecords tags() {
        return tags;
    }

    public Path root() {
        return root;
    }

    /** The path a blob has (or would have) in the store; built only from a validated digest. */
    public Path path(Digest digest) {
        return root.resolve("blobs").resolve(digest.algorithm()).resolve(digest.hex());
    }

    /** Whether the blob is present and known good, re-verifying (and evicting) a file changed since it was verified. */
    public boolean contains(Descriptor descriptor) throws IOException {
        Path p = path(descriptor.digest());
        java.nio.file.attribute.BasicFileAttributes found;
        try {
            // one look at the path: asking "regular file?" and then "exists?" would let a blob another thread
            // renames into place in between pass for a stranger, and be deleted
            found = Files.readAttributes(p, java.nio.file.attribute.BasicFileAttributes.class, java.nio.file.LinkOption.NOFOLLOW_LINKS);
        } catch (java.nio.file.NoSuchFileException e) {
            return false;
        }
        if (!found.isRegularFile()) {
            // a symbolic link (or anything else) in place of a blob is not the store's: never followed into an output
            stamps.forget(key(descriptor.digest()));
            Files.deleteIfExists(p);
            return false;
        }
        String key = key(descriptor.digest());
        boolean sizeFits = descriptor.size() < 0 || Files.size(p) == descriptor.size();
        if (sizeFits && stamps.matches(p, key) && (!rehashCached || verifiedHere.contains(key))) {
            return true;
        }
        if (sizeFits && hashOf(p, descriptor.digest()).equals(descriptor.digest())) {
            stamps.record(p, key);
            verifiedHere.add(key);
            return true;
        }
        stamps.forget(key);
        Files.deleteIfExists(p);
        return false;
    }

    /**
     * Makes sure the store holds the blob, downloading it from {@code source} only if no thread or process
     * has it yet; concurrent callers for one digest wait for the first.
     *
     * @return true if this call downloaded the blob, false if it was already there
     */
    public boolean ensure(Descriptor descriptor, BlobSource source, IngestObserver observer) throws IOException {
        if (contains(descriptor)) {
            return false;
        }
        try (BlobLocks.Held ignored = locks.acquire(key(descriptor.digest()))) {
            if (contains(descriptor)) {
                return false;
            }
            Path target = path(descriptor.digest());
            Path partial = target.resolveSibling("." + descriptor.digest().hex() + ".partial");
            try {
                Files.createDirectories(target.getParent());
                new BlobIngest(descriptor, partial, observer).run(source);
                try {
                    Files.move(partial, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                } catch (AtomicMoveNotSupportedException e) {
                    throw new IOException("the cache folder " + target.getParent() + " does not support atomic renames", e);
                }
                stamps.record(target, key(descriptor.digest()));
            } catch (DownloadBrokeOffException | BlobVerificationException e) {
                throw e; // the network or the registry, not the disk
            } catch (IOException e) {
                // the partial file stays: it is a true prefix of the blob, which the next build with room resumes
                throw NoSpaceException.whenFull(e, "blob " + descriptor.digest(), root, partial, descriptor.size() - sizeOf(partial),
                        MOVE_THE_CACHE);
            }
            verifiedHere.add(key(descriptor.digest()));
            return true;
        }
    }

    private static long sizeOf(Path file) {
        try {
            return Files.size(file);
        } catch (IOException e) {
            return 0;
        }
    }

    public boolean ensure(Descriptor descriptor, BlobSource source) throws IOException {
        return ensure(descriptor, source, IngestObserver.NONE);
    }

    /** Stores bytes already in memory (manifests, configs) after checking them against their descriptor. */
    public void put(Descriptor descriptor, byte[] bytes) throws IOException {
        ensure(descriptor, BlobSource.of(bytes));
    }

    public byte[] read(Descriptor descriptor, int limit) throws IOException {
        Path p = path(descriptor.digest());
        if (Files.size(p) > limit) {
            throw new IOException("blob " + descriptor.digest() + " is larger than " + limit + " bytes");
        }
        return Files.readAllBytes(p);
    }

    private static String key(Digest digest) {
        return digest.algorithm() + "-" + digest.hex();
    }

    private static Digest hashOf(Path file, Digest like) throws IOException {
        MessageDigest md = like.newMessageDigest();
        byte[] buffer = new byte[256 * 1024];
        try (InputStream in = Files.newInputStream(file)) {
            int n;
            while ((n = in.read(buffer)) > 0) {
                md.update(buffer, 0, n);
            }
        }
        return Digest.of(like.algorithm(), md.digest());
    }
}
