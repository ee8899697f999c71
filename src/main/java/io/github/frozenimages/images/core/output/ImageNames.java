package io.github.frozenimages.images.core.output;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.frozenimages.images.core.ref.ImageReference;
import java.util.Optional;

/** The names the consumers of an output expect for an image, in the forms each of them reads. */
final class ImageNames {

    static final String CONTAINERD_NAME = "io.containerd.image.name";
    static final String OCI_REF_NAME = "org.opencontainers.image.ref.name";

    private ImageNames() {
    }

    /** {@code io.containerd.image.name}: the full name with its tag, or with its digest when it has no tag. */
    static String containerdName(ImageReference ref) {
        if (ref.tag().isPresent()) {
            return ref.name() + ":" + ref.tag().get();
        }
        return ref.name() + "@" + ref.digest().orElseThrow();
    }

    /** A {@code RepoTags} entry in the familiar form {@code docker save} writes; none for a digest-only name,
     *  because {@code docker load} refuses a name without a tag. */
    static Optional<String> repoTag(ImageReference ref) {
        return ref.tag().map(tag -> ref.familiarName() + ":" + tag);
    }

    /**
     * Adds {@code {"name": {"tag": id}}} to a {@code repositories} document, beside the name's other tags;
     * nothing for a digest-only name, which has no tag to file it under.
     */
    static void addToRepositories(ObjectNode repositories, ImageReference ref, String id) {
        if (ref.tag().isPresent()) {
            String name = ref.familiarName();
            ObjectNode tags = repositories.has(name) ? (ObjectNode) repositories.get(name) : repositories.putObject(name);
            tags.put(ref.tag().get(), id);
        }
    }
}
