package io.github.frozenimages.images.core.model;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.frozenimages.images.core.ref.Digest;
import io.github.frozenimages.images.core.ref.Platform;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A content descriptor: what a manifest or index says about a blob it points to. The digest is validated
 * strictly when read, so no request or path is ever built from an unchecked digest.
 */
public record Descriptor(String mediaType, Digest digest, long size, Platform platform,
                         Map<String, String> annotations, List<String> urls) {

    /** Descriptors larger than this are refused outright: no registry stores a single blob this large. */
    public static final long MAX_BLOB_SIZE = 1L << 40;

    public Descriptor {
        Objects.requireNonNull(digest, "digest");
        annotations = annotations == null ? Map.of() : Map.copyOf(annotations);
        urls = urls == null ? List.of() : List.copyOf(urls);
    }

    public Descriptor(String mediaType, Digest digest, long size) {
        this(mediaType, digest, size, null, Map.of(), List.of());
    }

    public Descriptor withPlatform(Platform p) {
        return new Descriptor(mediaType, digest, size, p, annotations, urls);
    }

    /**
     * Whether this index entry is an image for a platform. BuildKit lists its attestations beside the images, as
     * {@code unknown/unknown} with a {@code vnd.docker.reference.type} annotation; an entry without a platform names
     * nothing to run on either.
     */
    public boolean isPlatformImage() {
        return platform != null && !platform.isUnknown() && !annotations.containsKey("vnd.docker.reference.type");
    }

    /**
     * Reads the descriptor array {@code field} of a manifest or index, refusing more than {@code max} entries;
     * {@code owner} ("the index") and {@code item} ("index entry") name them in error messages.
     */
    static List<Descriptor> readAll(JsonNode root, String field, int max, String owner, String item) throws IOException {
        JsonNode list = root.get(field);
        if (list == null || !list.isArray()) {
            throw new ManifestFormatException(owner + " has no " + field + " array", false);
        }
        if (list.size() > max) {
            throw new ManifestFormatException(owner + " lists " + list.size() + " " + field + ", more than " + max, false);
        }
        List<Descriptor> entries = new ArrayList<>();
        for (int i = 0; i < list.size(); i++) {
            entries.add(read(list.get(i), item + " " + i));
        }
        return entries;
    }

    /** Reads one descriptor object; {@code where} names it in error messages ("layer 2", "config"). */
    public static Descriptor read(JsonNode node, String where) throws IOException {
        if (node == null || !node.isObject()) {
            throw new IOException(where + " is not a descriptor object");
        }
        Json.refuseCaseVariants(node, where, "mediaType", "digest", "size", "platform", "annotations", "urls");
        String mediaType = Json.text(node, "mediaType");
        String digestText = Json.text(node, "digest");
        if (digestText == null) {
            throw new IOException(where + " has no digest");
        }
        Digest digest;
        try {
            digest = Digest.parse(digestText);
        } catch (IllegalArgumentException e) {
            throw new IOException(where + ": " + e.getMessage(), e);
        }
        JsonNode sizeNode = node.get("size");
        if (sizeNode == null || !sizeNode.canConvertToExactIntegral() || !sizeNode.canConvertToLong()) {
            throw new IOException(where + " (" + digest + ") has no valid size");
        }
        long size = sizeNode.asLong();
        if (size < 0 || size > MAX_BLOB_SIZE) {
            throw new IOException(where + " (" + digest + ") has an impossible size " + size);
        }
        Platform platform = null;
        JsonNode p = node.get("platform");
        if (p != null && p.isObject()) {
            String os = Json.text(p, "os");
            String arch = Json.text(p, "architecture");
            if (os == null || arch == null) {
                throw new IOException(where + " (" + digest + ") has a platform without os or architecture");
            }
            try {
                platform = Platform.of(os, arch, Json.text(p, "variant"));
            } catch (IllegalArgumentException e) {
                throw new IOException(where + " (" + digest + "): " + e.getMessage(), e);
            }
        }
        Map<String, String> annotations = new LinkedHashMap<>();
        JsonNode a = node.get("annotations");
        if (a != null && a.isObject()) {
            for (Iterator<Map.Entry<String, JsonNode>> it = a.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                annotations.put(e.getKey(), e.getValue().asText());
            }
        }
        List<String> urls = new ArrayList<>();
        JsonNode u = node.get("urls");
        if (u != null && u.isArray()) {
            u.forEach(x -> urls.add(x.asText()));
        }
        return new Descriptor(mediaType, digest, size, platform, annotations, urls);
    }
}
