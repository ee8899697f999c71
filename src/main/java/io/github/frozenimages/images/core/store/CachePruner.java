package io.github.frozenimages.images.core.store;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.frozenimages.images.core.model.Json;
import io.github.frozenimages.images.core.ref.Digest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;

/**
 * Removes from one cache folder the blobs no build has used for a while, or the least recently used until the
 * cache fits a size, with their stamps and the tag records that pointed to them. Never a blob a running build
 * downloads ({@code locks/<blob>.lock}) or uses ({@code locks/<blob>.use}): the prune takes both locks without
 * waiting, or leaves the blob. A build that checks a blob after the prune removed it downloads it again.
 */
public final class CachePruner {

    /** Manifests and indexes are small; a larger blob is a layer, which names nothing to keep. */
    private static final long MAX_DOCUMENT_BYTES = 4L << 20;

    /**
     * @param olderThan remove what was last used longer ago than this
     * @param maxBytes  then remove the least recently used until the blobs take at most this much
     * @param keep      manifests and indexes kept with everything they name, e.g. those of the project's lock file
     */
    public record Policy(Optional<Duration> olderThan, OptionalLong maxBytes, Set<Digest> keep) {
        public Policy {
            keep = Set.copyOf(keep);
        }
    }

    /** A blob removed, or left because a build had it. */
    public record Blob(Digest digest, long bytes, Instant lastUse) {
    }

    /**
     * @param kept the blobs the policy would have removed but a running build downloads or uses
     */
    public record Result(List<Blob> removed, List<Blob> kept, int tagRecordsRemoved, CacheInventory after) {
        public long bytesFreed() {
            return removed.stream().mapToLong(Blob::bytes).sum();
        }
    }

    private final BlobStore store;
    private final Clock clock;

    public CachePruner(Path cacheFolder) {
        this(cacheFolder, Clock.systemUTC());
    }

    CachePruner(Path cacheFolder, Clock clock) {
        this.store = new BlobStore(cacheFolder);
        this.clock = clock;
    }

    public Result prune(Policy policy) throws IOException {
        Instant now = clock.instant();
        Set<Digest> keep = closure(policy.keep());
        List<Blob> candidates = new ArrayList<>();
        long total = 0;
        for (Blob blob : CacheInventory.blobs(store)) {
            total += blob.bytes();
            if (!keep.contains(blob.digest())) {
                candidates.add(blob);
            }
        }
        candidates.sort(Comparator.comparing(Blob::lastUse));
        Optional<Instant> cutoff = policy.olderThan().map(now::minus);
        List<Blob> removed = new ArrayList<>();
        List<Blob> busy = new ArrayList<>();
        for (Blob blob : candidates) {
            boolean old = cutoff.isPresent() && blob.lastUse().isBefore(cutoff.get());
            boolean tooBig = policy.maxBytes().isPresent() && total > policy.maxBytes().getAsLong();
            if (!old && !tooBig) {
                continue;
            }
            if (removeUnlessInUse(blob, old ? cutoff.get() : null)) {
                removed.add(blob);
                total -= blob.bytes();
            } else {
                busy.add(blob);
            }
        }
        removeStalePartials(cutoff);
        int tags = removeDanglingTagRecords();
        removeOrphanStamps();
        return new Result(removed, busy, tags, CacheInventory.of(store));
    }

    /**
     * Takes the blob's download lock and its use lock, both without waiting, and removes it only if it is still
     * unused by then: a build may have used it between the listing and the locks.
     *
     * @param cutoff for a removal by age, the time its last use must still be before; null for one by size
     */
    private boolean removeUnlessInUse(Blob blob, Instant cutoff) throws IOException {
        String key = BlobStore.key(blob.digest());
        Optional<BlobLocks.Held> download = store.locks().tryAcquire(key);
        if (download.isEmpty()) {
            return false;
        }
        try (BlobLocks.Held ignored = download.get()) {
            Optional<BlobLocks.Held> use = store.leases().tryExclusive(key);
            if (use.isEmpty()) {
                return false;
            }
            try (BlobLocks.Held alsoIgnored = use.get()) {
                if (!Files.exists(store.path(blob.digest()))) {
                    return true; // another prune was first; it counts as gone
                }
                Instant lastUse = store.lastUse(blob.digest());
                if (cutoff != null ? !lastUse.isBefore(cutoff) : lastUse.isAfter(blob.lastUse())) {
                    return false;
                }
                store.remove(blob.digest());
                return true;
            }
        }
    }

    /** The kept documents and, for each that is a manifest or an index in the cache, what it names, all the way down. */
    private Set<Digest> closure(Set<Digest> roots) {
        Set<Digest> seen = new HashSet<>(roots);
        Deque<Digest> todo = new ArrayDeque<>(roots);
        while (!todo.isEmpty()) {
            Path file = store.path(todo.pop());
            try {
                if (!Files.isRegularFile(file) || Files.size(file) > MAX_DOCUMENT_BYTES) {
                    continue;
                }
                List<Digest> named = new ArrayList<>();
                collectDigests(Json.readObject(Files.readAllBytes(file)), named);
                for (Digest d : named) {
                    if (seen.add(d)) {
                        todo.push(d);
                    }
                }
            } catch (IOException | RuntimeException e) {
                // not JSON (a small layer), or damaged: it names nothing
            }
        }
        return seen;
    }

    /** Every {@code digest} of a descriptor, and every {@code blobSum} of a schema 1 manifest. */
    private static void collectDigests(JsonNode node, List<Digest> into) {
        if (node.isObject()) {
            node.fields().forEachRemaining(field -> {
                if ((field.getKey().equals("digest") || field.getKey().equals("blobSum")) && field.getValue().isTextual()) {
                    try {
                        into.add(Digest.parse(field.getValue().asText()));
                    } catch (IllegalArgumentException e) {
                        // not a digest after all
                    }
                } else {
                    collectDigests(field.getValue(), into);
                }
            });
        } else if (node.isArray()) {
            node.forEach(element -> collectDigests(element, into));
        }
    }

    /** A partial download left longer ago than the age limit: the build that would resume it is long gone. */
    private void removeStalePartials(Optional<Instant> cutoff) throws IOException {
        if (cutoff.isEmpty()) {
            return;
        }
        for (Path partial : CacheInventory.partials(store)) {
            String name = partial.getFileName().toString();
            String hex = name.substring(1, name.length() - ".partial".length());
            String algorithm = partial.getParent().getFileName().toString();
            Optional<BlobLocks.Held> lock = store.locks().tryAcquire(algorithm + "-" + hex);
            if (lock.isPresent()) {
                try (BlobLocks.Held ignored = lock.get()) {
                    if (Files.exists(partial) && Files.getLastModifiedTime(partial).toInstant().isBefore(cutoff.get())) {
                        Files.deleteIfExists(partial);
                    }
                }
            }
        }
    }

    /** A tag record whose manifest is gone would send an offline build to a blob the cache no longer has. */
    private int removeDanglingTagRecords() throws IOException {
        int removed = 0;
        for (TagRecords.Tagged record : store.tags().all()) {
            if (!Files.exists(store.path(record.top().digest()))) {
                Files.deleteIfExists(record.file());
                removed++;
            }
        }
        return removed;
    }

    /** Stamps of blobs no longer in the cache, e.g. removed by hand. */
    private void removeOrphanStamps() throws IOException {
        for (String area : List.of("verified", "used")) {
            Path directory = store.root().resolve(area);
            if (!Files.isDirectory(directory)) {
                continue;
            }
            try (var files = Files.list(directory)) {
                for (Path stamp : files.toList()) {
                    String name = stamp.getFileName().toString();
                    int dash = name.indexOf('-');
                    if (name.startsWith(".") || dash < 0) {
                        continue; // a temp file of a write in progress, or not a stamp
                    }
                    Path blob = store.root().resolve("blobs").resolve(name.substring(0, dash)).resolve(name.substring(dash + 1));
                    if (!Files.exists(blob)) {
                        Files.deleteIfExists(stamp);
                    }
                }
            }
        }
    }
}
