package io.github.frozenimages.images.core.lock;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.frozenimages.images.core.ref.ImageRequest;
import io.github.frozenimages.images.core.files.AtomicFile;
import io.github.frozenimages.images.core.files.Durability;
import io.github.frozenimages.images.core.model.Json;
import io.github.frozenimages.images.core.ref.Digest;
import io.github.frozenimages.images.core.ref.ImageReference;
import io.github.frozenimages.images.core.ref.Platform;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The content of {@code images.lock.json}: for each image reference, the digest its tag pointed to when it was
 * locked (the index, for a multi-platform image) and, per platform asked for, the digest of the platform's
 * manifest. A pull with the lock fetches exactly those manifests, whatever the tags point to since.
 *
 * <p>The file is written for code review: images sorted by reference, platforms by name, two spaces of
 * indentation, one value a line, a trailing newline. The same content always gives the same bytes, so a
 * lock that did not change leaves no diff. It is read strictly: a duplicate key (a merge gone wrong), an
 * invalid reference, platform or digest, or an unknown version is refused with a message.
 *
 * <p>{@code signatures} is there only for images with a {@code <verify>} policy: for each digest a signature was
 * accepted for (the index or a platform manifest), the digest of the signature manifest that vouched for it, so that
 * a pull under {@code mvn -o} can check the same signature from the cache. A lock written without a policy has none,
 * and older locks read as before.
 *
 * <pre>
 * {
 *   "version": 1,
 *   "images": [
 *     {
 *       "reference": "docker.io/library/alpine:3.20",
 *       "index": "sha256:...",
 *       "manifests": {
 *         "linux/amd64": "sha256:...",
 *         "linux/arm64": "sha256:..."
 *       },
 *       "signatures": {
 *         "sha256:...": "sha256:..."
 *       }
 *     }
 *   ]
 * }
 * </pre>
 */
public final class ImageLock {

    /** The lock file's name, beside the POM. */
    public static final String FILE_NAME = "images.lock.json";

    /** The format version this class reads and writes. */
    public static final int VERSION = 1;

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final Comparator<ImageReference> BY_REFERENCE = Comparator.comparing(ImageReference::toString);

    /**
     * One locked reference.
     *
     * @param reference the image as configured, normalised ({@code docker.io/library/alpine:3.20})
     * @param index     the index (or manifest list) the reference pointed to; empty for a single-platform manifest
     * @param manifests per platform asked for, the digest of the manifest to pull, sorted by platform
     * @param signatures signed digest to the signature manifest accepted for it when the lock was made, sorted
     */
    public record Image(ImageReference reference, Optional<Digest> index, Map<Platform, Digest> manifests,
                        Map<Digest, Digest> signatures) {

        public Image(ImageReference reference, Optional<Digest> index, Map<Platform, Digest> manifests) {
            this(reference, index, manifests, Map.of());
        }

        public Image {
            Objects.requireNonNull(reference, "reference");
            Objects.requireNonNull(index, "index");
            if (manifests.isEmpty()) {
                throw new IllegalArgumentException(reference + " has no locked platform");
            }
            TreeMap<Platform, Digest> sorted = new TreeMap<>(Comparator.comparing(Platform::toString));
            sorted.putAll(manifests);
            manifests = Collections.unmodifiableMap(sorted);
            TreeMap<Digest, Digest> signedBy = new TreeMap<>(Comparator.comparing(Digest::toString));
            signedBy.putAll(signatures);
            signatures = Collections.unmodifiableMap(signedBy);
        }
    }

    /**
     * The configured images after the lock was applied.
     *
     * @param images  the requests in their order, each locked one pinned to its manifest digest (its tag kept)
     * @param locked  how many requests the lock pinned
     * @param missing the requests the lock has no entry for, unchanged in {@code images}
     */
    public record Applied(List<ImageRequest> images, int locked, List<ImageRequest> missing) {

        public Applied {
            images = List.copyOf(images);
            missing = List.copyOf(missing);
        }
    }

    private final List<Image> images;

    private ImageLock(List<Image> images) {
        this.images = images;
    }

    /** A lock of these images, sorted by reference; one reference may appear only once. */
    public static ImageLock of(Collection<Image> images) {
        List<Image> sorted = new ArrayList<>(images);
        sorted.sort(Comparator.comparing(Image::reference, BY_REFERENCE));
        for (int i = 1; i < sorted.size(); i++) {
            if (sorted.get(i).reference().equals(sorted.get(i - 1).reference())) {
                throw new IllegalArgumentException(sorted.get(i).reference() + " is locked twice");
            }
        }
        return new ImageLock(List.copyOf(sorted));
    }

    /** The locked images, sorted by reference. */
    public List<Image> images() {
        return images;
    }

    /** The entry of a reference, compared in its normalised form. */
    public Optional<Image> image(ImageReference reference) {
        return images.stream().filter(i -> i.reference().equals(reference)).findFirst();
    }

    /** The manifest digest locked for a reference and platform. */
    public Optional<Digest> manifest(ImageReference reference, Platform platform) {
        return image(reference).map(i -> i.manifests().get(platform));
    }

    /**
     * Pins each request the lock knows to its locked digest: a one-platform request to the platform's manifest,
     * a request for several (or all) platforms to the index, which fixes every platform it holds (the lock must
     * hold each platform asked for, so that its review shows them). The tag stays in the reference, so the
     * output names the image by its tag as before: {@code name:tag@digest} fetches the digest, names by tag.
     */
    public Applied apply(List<ImageRequest> requests) {
        List<ImageRequest> result = new ArrayList<>();
        List<ImageRequest> missing = new ArrayList<>();
        int locked = 0;
        for (ImageRequest request : requests) {
            Optional<Digest> digest = lockedDigest(request);
            if (digest.isPresent()) {
                result.add(new ImageRequest(request.reference().withDigest(digest.get()), request.platform(),
                        request.platforms(), request.all()));
                locked++;
            } else {
                result.add(request);
                missing.add(request);
            }
        }
        return new Applied(result, locked, missing);
    }

    private Optional<Digest> lockedDigest(ImageRequest request) {
        if (!request.multiPlatform()) {
            return manifest(request.reference(), request.platform());
        }
        return image(request.reference())
                .filter(i -> request.all() || i.manifests().keySet().containsAll(request.platforms()))
                .flatMap(Image::index);
    }

    /** The file's bytes: stable for the same content, indented, with a trailing newline. */
    public byte[] toBytes() {
        ObjectNode root = NODES.objectNode();
        root.put("version", VERSION);
        ArrayNode list = root.putArray("images");
        for (Image image : images) {
            ObjectNode entry = list.addObject();
            entry.put("reference", image.reference().toString());
            image.index().ifPresent(d -> entry.put("index", d.toString()));
            ObjectNode manifests = entry.putObject("manifests");
            image.manifests().forEach((platform, digest) -> manifests.put(platform.toString(), digest.toString()));
            if (!image.signatures().isEmpty()) {
                ObjectNode signatures = entry.putObject("signatures");
                image.signatures().forEach((signed, signature) -> signatures.put(signed.toString(), signature.toString()));
            }
        }
        StringBuilder out = new StringBuilder();
        pretty(root, 0, out);
        out.append('\n');
        return out.toString().getBytes(StandardCharsets.UTF_8);
    }

    /** Reads a lock file's bytes; any problem is an IOException that says what and where. */
    public static ImageLock parse(byte[] bytes) throws IOException {
        JsonNode root;
        try {
            root = Json.readObject(bytes);
        } catch (IOException e) {
            throw new IOException("not a valid lock file: " + e.getMessage(), e);
        }
        JsonNode version = root.get("version");
        if (version == null || !version.isIntegralNumber() || version.asInt() != VERSION) {
            throw new IOException("unsupported lock file version " + version + ", this plugin reads version " + VERSION);
        }
        JsonNode list = root.get("images");
        if (list == null || !list.isArray()) {
            throw new IOException("the lock file has no \"images\" array");
        }
        List<Image> images = new ArrayList<>();
        for (int i = 0; i < list.size(); i++) {
            images.add(readImage(list.get(i), "images[" + i + "]"));
        }
        try {
            return of(images);
        } catch (IllegalArgumentException e) {
            throw new IOException(e.getMessage(), e);
        }
    }

    public static ImageLock read(Path file) throws IOException {
        return parse(Files.readAllBytes(file));
    }

    /**
     * Writes the file unless it already holds exactly these bytes, replacing it atomically.
     *
     * @return whether the file changed
     */
    public boolean write(Path file) throws IOException {
        byte[] bytes = toBytes();
        if (Files.isRegularFile(file) && java.util.Arrays.equals(Files.readAllBytes(file), bytes)) {
            return false;
        }
        // synced: the lock is the project's own file, and a crash that left it empty would lose every pin
        // and fail the next build; it changes seldom, so the sync costs nothing that shows
        AtomicFile.write(file, bytes, Durability.SYNCED);
        return true;
    }

    private static Image readImage(JsonNode node, String where) throws IOException {
        if (node == null || !node.isObject()) {
            throw new IOException(where + " is not an object");
        }
        String referenceText = Json.text(node, "reference");
        if (referenceText == null) {
            throw new IOException(where + " has no reference");
        }
        ImageReference reference;
        try {
            reference = ImageReference.parse(referenceText);
        } catch (IllegalArgumentException e) {
            throw new IOException(where + ": " + e.getMessage(), e);
        }
        String at = where + " (" + referenceText + ")";
        String indexText = Json.text(node, "index");
        Optional<Digest> index = indexText == null ? Optional.empty() : Optional.of(digest(indexText, at));
        JsonNode manifests = node.get("manifests");
        if (manifests == null || !manifests.isObject() || manifests.isEmpty()) {
            throw new IOException(at + " has no \"manifests\" object with a digest per platform");
        }
        Map<Platform, Digest> byPlatform = new TreeMap<>(Comparator.comparing(Platform::toString));
        for (Iterator<Map.Entry<String, JsonNode>> it = manifests.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            Platform platform;
            try {
                platform = Platform.parse(e.getKey());
            } catch (IllegalArgumentException ex) {
                throw new IOException(at + ": " + ex.getMessage(), ex);
            }
            if (!e.getValue().isTextual()) {
                throw new IOException(at + ": the digest for " + e.getKey() + " must be a string");
            }
            if (byPlatform.put(platform, digest(e.getValue().textValue(), at)) != null) {
                throw new IOException(at + " locks platform " + platform + " twice");
            }
        }
        Map<Digest, Digest> signatures = new TreeMap<>(Comparator.comparing(Digest::toString));
        JsonNode signed = node.get("signatures");
        if (signed != null) {
            if (!signed.isObject()) {
                throw new IOException(at + ": \"signatures\" must be an object of signed digest to signature digest");
            }
            for (Iterator<Map.Entry<String, JsonNode>> it = signed.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                if (!e.getValue().isTextual()) {
                    throw new IOException(at + ": the signature of " + e.getKey() + " must be a string");
                }
                signatures.put(digest(e.getKey(), at), digest(e.getValue().textValue(), at));
            }
        }
        try {
            return new Image(reference, index, byPlatform, signatures);
        } catch (IllegalArgumentException e) {
            throw new IOException(at + ": " + e.getMessage(), e);
        }
    }

    private static Digest digest(String text, String where) throws IOException {
        try {
            return Digest.parse(text);
        } catch (IllegalArgumentException e) {
            throw new IOException(where + ": " + e.getMessage(), e);
        }
    }

    /** Two spaces per level, {@code "key": value}, one member a line; empty containers as {@code {}} and {@code []}. */
    private static void pretty(JsonNode node, int depth, StringBuilder out) {
        if (node.isObject() || node.isArray()) {
            boolean object = node.isObject();
            if (node.isEmpty()) {
                out.append(object ? "{}" : "[]");
                return;
            }
            out.append(object ? '{' : '[');
            String inner = "  ".repeat(depth + 1);
            Iterator<Map.Entry<String, JsonNode>> fields = object ? node.fields() : null;
            Iterator<JsonNode> items = object ? null : node.elements();
            boolean first = true;
            while (object ? fields.hasNext() : items.hasNext()) {
                out.append(first ? "\n" : ",\n").append(inner);
                first = false;
                JsonNode value;
                if (object) {
                    Map.Entry<String, JsonNode> e = fields.next();
                    quote(e.getKey(), out);
                    out.append(": ");
                    value = e.getValue();
                } else {
                    value = items.next();
                }
                pretty(value, depth + 1, out);
            }
            out.append('\n').append("  ".repeat(depth)).append(object ? '}' : ']');
        } else if (node.isTextual()) {
            quote(node.textValue(), out);
        } else {
            out.append(node.toString());
        }
    }

    private static void quote(String s, StringBuilder out) {
        out.append('"');
        JsonStringEncoder.getInstance().quoteAsString(s, out);
        out.append('"');
    }
}
