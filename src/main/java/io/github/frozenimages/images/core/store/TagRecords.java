package io.github.frozenimages.images.core.store;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.frozenimages.images.core.files.AtomicFile;
import io.github.frozenimages.images.core.files.Durability;
import io.github.frozenimages.images.core.model.Json;
import io.github.frozenimages.images.core.model.Descriptor;
import io.github.frozenimages.images.core.ref.Digest;
import io.github.frozenimages.images.core.ref.ImageReference;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Which digest each tag resolved to when it was last seen online, so an offline build ({@code mvn -o}) can
 * still turn a tag into content from the cache. One small JSON file per {@code name:tag}, named by its hash
 * so that no registry or repository name ever becomes a path.
 */
public final class TagRecords {

    private final Path directory;
    /** The tag records of read-only cache folders, read when this folder has none for a tag. */
    private final List<Path> readOnly;

    TagRecords(Path directory) {
        this(directory, List.of());
    }

    TagRecords(Path directory, List<Path> readOnly) {
        this.directory = directory;
        this.readOnly = List.copyOf(readOnly);
    }

    /** Records what the tag of {@code image} resolved to; a tag that has not moved leaves its record untouched. */
    public void record(ImageReference image, Descriptor top) throws IOException {
        if (lookup(image).filter(known -> known.digest().equals(top.digest()) && known.size() == top.size()
                && Objects.equals(known.mediaType(), top.mediaType())).isPresent()) {
            return; // a warm build writes nothing into the cache
        }
        String nameAndTag = key(image);
        ObjectNode node = JsonNodeFactory.instance.objectNode();
        node.put("reference", nameAndTag);
        node.put("digest", top.digest().toString());
        node.put("mediaType", top.mediaType());
        node.put("size", top.size());
        // synced: lookup would refuse a torn record, but by then it has replaced the good one, and an offline
        // build after the crash no longer knows the tag; a record is written only when its tag moves
        AtomicFile.write(file(nameAndTag), Json.write(node), Durability.SYNCED);
    }

    public Optional<Descriptor> lookup(ImageReference image) {
        String nameAndTag = key(image);
        Optional<Descriptor> own = read(file(directory, nameAndTag), nameAndTag);
        for (int i = 0; own.isEmpty() && i < readOnly.size(); i++) {
            own = read(file(readOnly.get(i), nameAndTag), nameAndTag);
        }
        return own;
    }

    private static Optional<Descriptor> read(Path f, String nameAndTag) {
        if (!Files.isRegularFile(f)) {
            return Optional.empty();
        }
        try {
            return recordIn(f).filter(r -> r.reference().equals(nameAndTag)).map(Tagged::top);
        } catch (IOException e) {
            return Optional.empty(); // a damaged record is as good as none: the tag is then unknown offline
        }
    }

    /** One record: the tag it is for and what the tag named. */
    record Tagged(Path file, String reference, Descriptor top) {
    }

    /** Every readable record of this (writable) folder, for pruning; damaged ones are left out. */
    List<Tagged> all() throws IOException {
        if (!Files.isDirectory(directory)) {
            return List.of();
        }
        List<Tagged> records = new ArrayList<>();
        try (Stream<Path> files = Files.list(directory)) {
            for (Path f : files.filter(p -> p.getFileName().toString().endsWith(".json")).toList()) {
                try {
                    recordIn(f).ifPresent(records::add);
                } catch (IOException e) {
                    // damaged or removed meanwhile: not one the pruner can reason about
                }
            }
        }
        return records;
    }

    private static Optional<Tagged> recordIn(Path f) throws IOException {
        try {
            JsonNode node = Json.readObject(Files.readAllBytes(f));
            String reference = Json.text(node, "reference");
            if (reference == null) {
                return Optional.empty();
            }
            return Optional.of(new Tagged(f, reference, new Descriptor(Json.text(node, "mediaType"),
                    Digest.parse(Json.text(node, "digest")), node.path("size").asLong(-1))));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    /** The canonical {@code registry/repository:tag}, which the record also holds to tell a hash collision. */
    private static String key(ImageReference image) {
        return image.name() + ":" + image.tag().orElseThrow(() -> new IllegalArgumentException(image + " has no tag"));
    }

    private Path file(String nameAndTag) {
        return file(directory, nameAndTag);
    }

    private static Path file(Path directory, String nameAndTag) {
        return directory.resolve(Digest.sha256(nameAndTag.getBytes(StandardCharsets.UTF_8)).hex() + ".json");
    }
}
