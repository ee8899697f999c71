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
import java.util.Objects;
import java.util.Optional;

/**
 * Which digest each tag resolved to when it was last seen online, so an offline build ({@code mvn -o}) can
 * still turn a tag into content from the cache. One small JSON file per {@code name:tag}, named by its hash
 * so that no registry or repository name ever becomes a path.
 */
public final class TagRecords {

    private final Path directory;

    TagRecords(Path directory) {
        this.directory = directory;
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
        Path f = file(nameAndTag);
        if (!Files.isRegularFile(f)) {
            return Optional.empty();
        }
        try {
            JsonNode node = Json.readObject(Files.readAllBytes(f));
            if (!nameAndTag.equals(Json.text(node, "reference"))) {
                return Optional.empty();
            }
            return Optional.of(new Descriptor(Json.text(node, "mediaType"), Digest.parse(Json.text(node, "digest")),
                    node.path("size").asLong(-1)));
        } catch (IOException | IllegalArgumentException e) {
            return Optional.empty(); // a damaged record is as good as none: the tag is then unknown offline
        }
    }

    /** The canonical {@code registry/repository:tag}, which the record also holds to tell a hash collision. */
    private static String key(ImageReference image) {
        return image.name() + ":" + image.tag().orElseThrow(() -> new IllegalArgumentException(image + " has no tag"));
    }

    private Path file(String nameAndTag) {
        return directory.resolve(Digest.sha256(nameAndTag.getBytes(StandardCharsets.UTF_8)).hex() + ".json");
    }
}
