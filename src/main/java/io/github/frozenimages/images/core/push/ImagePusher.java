package io.github.frozenimages.images.core.push;

import io.github.frozenimages.images.core.files.ArchiveUnpacker;
import io.github.frozenimages.images.core.model.Descriptor;
import io.github.frozenimages.images.core.model.ImageIndex;
import io.github.frozenimages.images.core.model.ImageManifest;
import io.github.frozenimages.images.core.model.ManifestDocument;
import io.github.frozenimages.images.core.model.MediaTypes;
import io.github.frozenimages.images.core.model.ReferrersIndex;
import io.github.frozenimages.images.core.ref.Digest;
import io.github.frozenimages.images.core.ref.ImageReference;
import io.github.frozenimages.images.core.registry.FetchedManifest;
import io.github.frozenimages.images.core.registry.Operation;
import io.github.frozenimages.images.core.registry.RegistryClient;
import io.github.frozenimages.images.core.registry.RegistrySession;
import io.github.frozenimages.images.core.shared.ImagePullException;
import io.github.frozenimages.images.core.shared.ImagePullException.Reason;
import io.github.frozenimages.images.core.shared.Waiting;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;

/**
 * Pushes what {@code pull} wrote (its output tree, or its archive) into a registry, byte for byte: every manifest
 * and index as its exact bytes, so each digest at the target is the source's and a lock file stays true; blobs the
 * target has are not sent, blobs another repository of the target got in this run are mounted, the rest uploaded,
 * several at once. After the push each tag is asked with {@code HEAD}, and must name the digest pushed.
 */
public final class ImagePusher {

    private static final java.util.regex.Pattern REFERRERS_TAG = java.util.regex.Pattern.compile("sha256-[0-9a-f]{64}");

    public List<PushedImage> push(PushRequest request) {
        long start = System.nanoTime();
        Path layout = request.layout();
        boolean unpacked = false;
        ExecutorService pool = Executors.newFixedThreadPool(request.parallelUploads(), daemonThreads());
        try (RegistrySession session = new RegistrySession(request.parallelUploads(), request.insecureRegistries(),
                request.credentials(), request.network(), request.listener())) {
            if (request.archive().isPresent()) {
                ArchiveUnpacker.unpack(request.archive().get(), layout);
                unpacked = true;
            }
            SourceLayout source = new SourceLayout(layout);
            TargetNames names = new TargetNames(request.target(), request.pushAs());
            Map<String, Map<Digest, String>> held = new ConcurrentHashMap<>();
            List<PushedImage> pushed = new ArrayList<>();
            for (SourceLayout.SourceImage image : source.images()) {
                ImageReference target = names.targetFor(image.name());
                RegistryClient client = session.registryOf(target);
                pushed.add(new OneImage(client, source, image, target, held.computeIfAbsent(target.registry(), k -> new ConcurrentHashMap<>()),
                        pool, request).push());
            }
            PushReport.write(request.report(), pushed);
            PushReport.table(pushed).forEach(line -> request.listener().info(line));
            long sent = pushed.stream().mapToLong(PushedImage::bytesSent).sum();
            request.listener().info(String.format(java.util.Locale.ROOT, "pushed %d image%s, %s sent, in %.3f s", pushed.size(),
                    pushed.size() == 1 ? "" : "s", io.github.frozenimages.images.core.output.PulledImage.humanBytes(sent),
                    (System.nanoTime() - start) / 1e9));
            return pushed;
        } catch (IOException e) {
            throw new ImagePullException(Reason.IO, "could not read the images to push from "
                    + request.archive().orElse(layout) + ": " + e.getMessage(), e);
        } finally {
            pool.shutdownNow();
            if (unpacked) {
                deleteQuietly(layout);
            }
        }
    }

    /** The push of one image: its blobs (in parallel), its manifests (children first), then the check of its tag. */
    private static final class OneImage {
        private final RegistryClient client;
        private final SourceLayout source;
        private final SourceLayout.SourceImage image;
        private final ImageReference target;
        private final Map<Digest, String> held;
        private final ExecutorService pool;
        private final PushRequest request;

        OneImage(RegistryClient client, SourceLayout source, SourceLayout.SourceImage image, ImageReference target,
                 Map<Digest, String> held, ExecutorService pool, PushRequest request) {
            this.client = client;
            this.source = source;
            this.image = image;
            this.target = target;
            this.held = held;
            this.pool = pool;
            this.request = request;
        }

        PushedImage push() throws IOException {
            Descriptor top = image.top();
            // a tag that already names this digest holds everything under it (a registry takes no manifest whose
            // blobs it lacks): nothing to send, as crane and skopeo find too
            Operation check = client.operation(target, "check the tag of", top.digest()).pushing();
            Optional<Descriptor> there = client.headManifest(check, target.manifestReference());
            if (there.isPresent() && there.get().digest().equals(top.digest())) {
                request.listener().debug(target + " already names " + top.digest() + "; nothing to push");
                return new PushedImage(image.name(), target, top.digest(), 0, 0, 0, 0);
            }
            Map<Digest, Manifest> manifests = new LinkedHashMap<>();
            Map<Digest, Descriptor> blobs = new LinkedHashMap<>();
            collect(top, manifests, blobs, 0);
            Tally tally = pushBlobs(blobs.values());
            Operation op = client.operation(target, "push", top.digest()).pushing();
            // a referrers fallback tag is shared with whoever else lists referrers of that digest there: added to, never replaced
            Manifest last = manifests.get(top.digest());
            if (isReferrersTag(target, top)) {
                last = mergedReferrers(op, last);
                manifests.put(top.digest(), last);
            }
            Digest pushedTop = last.descriptor().digest();
            for (Manifest m : manifests.values()) {
                Descriptor d = m.descriptor();
                boolean isTop = m == last;
                String reference = isTop ? target.manifestReference() : d.digest().toString();
                Optional<Digest> stored = client.putManifest(op.then(isTop ? "push" : "push a manifest of", d.digest()), reference,
                        d.mediaType(), m.bytes());
                if (stored.isPresent() && !stored.get().equals(d.digest())) {
                    throw op.failure(Reason.DIGEST_MISMATCH, "the registry stored the manifest as " + stored.get() + ", not as " + d.digest());
                }
            }
            Optional<Descriptor> head = client.headManifest(op.then("check the pushed tag of", pushedTop), target.manifestReference());
            if (head.isEmpty() || !head.get().digest().equals(pushedTop)) {
                throw op.failure(Reason.PROTOCOL, "after the push, HEAD of " + target.manifestReference() + " answers "
                        + head.map(h -> h.digest().toString()).orElse("no digest") + ", not the pushed " + pushedTop);
            }
            request.listener().debug("pushed " + image.name().familiarString() + " to " + target + " (" + pushedTop + ")");
            return new PushedImage(image.name(), target, pushedTop, tally.uploaded(), tally.mounted(), tally.present(), tally.bytes());
        }

        /** Whether the entry is a referrers index under its fallback tag {@code sha256-<hex>}, as a pull carries a Sigstore bundle. */
        private static boolean isReferrersTag(ImageReference target, Descriptor top) {
            return MediaTypes.OCI_INDEX.equals(top.mediaType()) && target.tag().filter(t -> REFERRERS_TAG.matcher(t).matches()).isPresent();
        }

        /**
         * The target's referrers index under the tag with the source's entries added (read, add, put): the target may
         * list other referrers of the digest there (attestations, other signatures), which a put of the source's index
         * alone would drop. Unchanged when the target already lists them all.
         */
        private Manifest mergedReferrers(Operation op, Manifest source) throws IOException {
            FetchedManifest existing;
            try {
                existing = client.getManifest(op.then("read the referrers index of", source.descriptor().digest()), target.manifestReference(), null);
            } catch (ImagePullException e) {
                if (e.reason() == Reason.NOT_FOUND) {
                    return source;
                }
                throw e;
            }
            if (!(existing.document() instanceof ImageIndex)) {
                throw op.failure(Reason.PROTOCOL, "the target's tag " + target.manifestReference() + " names a " + existing.mediaType()
                        + ", not the referrers index that tag is kept for; it is left as it is (remove it to push the signatures)");
            }
            byte[] merged;
            try {
                merged = ReferrersIndex.merge(existing.bytes(), source.bytes());
            } catch (IOException e) {
                throw op.failure(Reason.PROTOCOL, "the target's referrers index under " + target.manifestReference() + " cannot be added to: "
                        + e.getMessage(), e);
            }
            return new Manifest(new Descriptor(MediaTypes.OCI_INDEX, Digest.sha256(merged), merged.length), merged);
        }

        /** The manifests to put (children before their index) and the blobs they name, each once. */
        /** A manifest or index to put, with its exact bytes. */
        private record Manifest(Descriptor descriptor, byte[] bytes) {
        }

        private void collect(Descriptor d, Map<Digest, Manifest> manifests, Map<Digest, Descriptor> blobs, int depth) throws IOException {
            if (depth > 4) {
                throw new IOException("indexes in " + source.root() + " are nested more than 4 deep");
            }
            byte[] bytes = source.manifest(d);
            ManifestDocument document = ManifestDocument.parse(bytes, d.mediaType());
            if (document instanceof ImageIndex index) {
                for (Descriptor child : index.manifests()) {
                    if (!source.has(child)) {
                        throw new IOException(source.root() + " lacks " + child.digest() + ", listed in the index of "
                                + image.name().familiarString() + "; pull it with all its platforms (images.platforms=all) to push the index");
                    }
                    collect(child, manifests, blobs, depth + 1);
                }
            } else if (document instanceof ImageManifest manifest) {
                blobs.putIfAbsent(manifest.config().digest(), manifest.config());
                for (Descriptor layer : manifest.layers()) {
                    if (source.has(layer)) {
                        blobs.putIfAbsent(layer.digest(), layer);
                    } else if (!MediaTypes.isNondistributable(layer.mediaType())) {
                        throw new IOException(source.root() + " lacks layer " + layer.digest() + " of " + image.name().familiarString());
                    }
                }
            } else {
                throw new IOException(d.digest() + " in " + source.root() + " is a schema 1 manifest, which registries no longer take");
            }
            manifests.putIfAbsent(d.digest(), new Manifest(d, bytes));
        }

        private record Tally(int uploaded, int mounted, int present, long bytes) {
        }

        private Tally pushBlobs(java.util.Collection<Descriptor> blobs) {
            List<Future<String>> results = new ArrayList<>();
            for (Descriptor blob : blobs) {
                results.add(pool.submit(() -> pushBlob(blob)));
            }
            int uploaded = 0;
            int mounted = 0;
            int present = 0;
            long bytes = 0;
            List<Descriptor> list = List.copyOf(blobs);
            for (int i = 0; i < results.size(); i++) {
                switch (Waiting.forResult(results.get(i), "the push")) {
                    case "uploaded" -> {
                        uploaded++;
                        bytes += list.get(i).size();
                    }
                    case "mounted" -> mounted++;
                    default -> present++;
                }
            }
            return new Tally(uploaded, mounted, present, bytes);
        }

        /** One blob: not at all when the target has it, mounted when another repository there got it, else uploaded. */
        private String pushBlob(Descriptor blob) throws IOException {
            Operation op = client.operation(target, "push a blob of", blob.digest()).pushing();
            String repository = target.repository();
            if (client.blobExists(op, blob.digest())) {
                held.putIfAbsent(blob.digest(), repository);
                return "present";
            }
            Optional<String> from = Optional.ofNullable(held.get(blob.digest())).filter(r -> !r.equals(repository));
            Operation push = from.map(op::pushing).orElse(op);
            boolean mounted = client.pushBlob(push, blob, source.blob(blob), from);
            held.putIfAbsent(blob.digest(), repository);
            return mounted ? "mounted" : "uploaded";
        }

    }

    private static java.util.concurrent.ThreadFactory daemonThreads() {
        java.util.concurrent.atomic.AtomicInteger count = new java.util.concurrent.atomic.AtomicInteger();
        return runnable -> {
            Thread t = new Thread(runnable, "images-upload-" + count.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }

    private static void deleteQuietly(Path folder) {
        try (Stream<Path> walk = Files.walk(folder)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // a staging folder under target/ that could not be removed costs disk space, not correctness
        }
    }
}
