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
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A content-addressed blob cache, {@code <root>/blobs/<algorithm>/<hex>}, shared by every build of a user.
 * A blob enters only through {@link #ensure}: streamed into a partial file beside its final place while it
 * is hashed and counted, checked against its descriptor, flushed to disk, then renamed atomically. A name in
 * {@code blobs/} therefore means verified content; a file changed since its verification is hashed again
 * before use and evicted if it no longer matches.
 */
public final class BlobStore implements AutoCloseable {

    /** Ends the leases of a store its caller forgot to close, once it is garbage. */
    private static final java.lang.ref.Cleaner CLEANER = java.lang.ref.Cleaner.create();

    /** How a message tells the user to put the cache elsewhere. */
    public static final String MOVE_THE_CACHE = "<cacheDirectory> or -Dimages.cacheDirectory";

    private final Path root;
    private final List<Path> readOnly;
    private final BlobLocks locks;
    private final VerifiedStamps stamps;
    private final List<VerifiedStamps> readOnlyStamps;
    private final UseStamps uses;
    private final BlobLeases leases;
    private final java.lang.ref.Cleaner.Cleanable cleanup;
    /** Files of read-only folders that failed verification: they cannot be evicted, so they are passed over. */
    private final Set<Path> rejected = ConcurrentHashMap.newKeySet();
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
        this(CacheFolders.of(root), rehashCached);
    }

    /**
     * A store over several cache folders: new blobs go to the writable one, which is looked at first; the
     * read-only ones serve what they hold, verified as usual, and are never written (a blob of theirs that fails
     * verification is passed over and downloaded into the writable folder).
     */
    public BlobStore(CacheFolders folders, boolean rehashCached) {
        this.rehashCached = rehashCached;
        this.root = folders.writable().toAbsolutePath();
        this.readOnly = folders.readOnly().stream().map(Path::toAbsolutePath).filter(p -> !p.equals(this.root)).toList();
        this.locks = new BlobLocks(this.root.resolve("locks"));
        this.stamps = new VerifiedStamps(this.root.resolve("verified"));
        this.readOnlyStamps = readOnly.stream().map(p -> new VerifiedStamps(p.resolve("verified"))).toList();
        this.tags = new TagRecords(this.root.resolve("tags"), readOnly.stream().map(p -> p.resolve("tags")).toList());
        this.uses = new UseStamps(this.root.resolve("used"));
        this.leases = new BlobLeases(this.root.resolve("locks"));
        this.cleanup = CLEANER.register(this, leases::releaseAll);
    }

    /**
     * Ends this store's leases on the blobs it has checked, so that a prune may take them again; call it once
     * the outputs that link to them are written.
     */
    @Override
    public void close() {
        cleanup.clean();
    }

    /** When the blob was last used by a build: its use stamp, else the time it entered the cache. */
    java.time.Instant lastUse(Digest digest) throws IOException {
        java.util.Optional<java.time.Instant> stamped = uses.lastUse(key(digest));
        return stamped.isPresent() ? stamped.get() : Files.getLastModifiedTime(blobIn(root, digest)).toInstant();
    }

    BlobLocks locks() {
        return locks;
    }

    BlobLeases leases() {
        return leases;
    }

    /** Deletes a blob of the writable folder and its stamps; the caller holds its download lock and its lease exclusively. */
    void remove(Digest digest) throws IOException {
        String key = key(digest);
        Files.deleteIfExists(blobIn(root, digest));
        Files.deleteIfExists(blobIn(root, digest).resolveSibling("." + digest.hex() + ".partial"));
        stamps.forget(key);
        uses.forget(key);
        verifiedHere.remove(key);
    }

    /** The last digest each tag resolved to online. */
    public TagRecords tags() {
        return tags;
    }

    public Path root() {
        return root;
    }

    /** The read-only folders this store also reads, in order. */
    public List<Path> readOnlyFolders() {
        return readOnly;
    }

    /**
     * The path a blob has (or would have) in the store; built only from a validated digest. A blob held only by a
     * read-only folder is there; any other is (or will be) in the writable folder.
     */
    public Path path(Digest digest) {
        Path own = blobIn(root, digest);
        if (readOnly.isEmpty() || Files.exists(own, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            return own;
        }
        for (Path folder : readOnly) {
            Path theirs = blobIn(folder, digest);
            if (!rejected.contains(theirs) && Files.isRegularFile(theirs, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                return theirs;
            }
        }
        return own;
    }

    private static Path blobIn(Path folder, Digest digest) {
        return folder.resolve("blobs").resolve(digest.algorithm()).resolve(digest.hex());
    }

    /** Whether the blob is present and known good, re-verifying (and evicting) a file changed since it was verified. */
    public boolean contains(Descriptor descriptor) throws IOException {
        // leased before it is looked at: a prune then either removed it already, and it is downloaded again, or
        // leaves it until this store is closed
        leases.lease(key(descriptor.digest()));
        Path p = path(descriptor.digest());
        if (!p.startsWith(root)) {
            return containsReadOnly(descriptor, p);
        }
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
        boolean sizeFits = descriptor.size() < 0 || found.size() == descriptor.size();
        if (sizeFits && stamps.matches(p, key) && (!rehashCached || verifiedHere.contains(key))) {
            uses.touch(key);
            return true;
        }
        if (sizeFits && hashOf(p, descriptor.digest()).equals(descriptor.digest())) {
            stamps.record(p, key);
            verifiedHere.add(key);
            uses.touch(key);
            return true;
        }
        stamps.forget(key);
        Files.deleteIfExists(p);
        return false;
    }

    /**
     * A blob of a read-only folder: trusted by that folder's own stamp or by one this store's writable folder
     * keeps for it, else hashed (and the stamp kept in the writable folder); one that fails is passed over.
     */
    private boolean containsReadOnly(Descriptor descriptor, Path p) throws IOException {
        String key = key(descriptor.digest());
        boolean sizeFits = descriptor.size() < 0 || Files.size(p) == descriptor.size();
        boolean stamped = readOnlyStamps.get(readOnly.indexOf(folderOf(p))).matches(p, key) || stamps.matches(p, key);
        if (sizeFits && stamped && (!rehashCached || verifiedHere.contains(key))) {
            return true;
        }
        if (sizeFits && hashOf(p, descriptor.digest()).equals(descriptor.digest())) {
            stamps.record(p, key);
            verifiedHere.add(key);
            return true;
        }
        rejected.add(p);
        return false;
    }

    /** The cache folder a blob's path is in: {@code <folder>/blobs/<algorithm>/<hex>}. */
    private static Path folderOf(Path blob) {
        return blob.getParent().getParent().getParent();
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
            Path target = blobIn(root, descriptor.digest());
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
                uses.touch(key(descriptor.digest()));
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

    static String key(Digest digest) {
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
