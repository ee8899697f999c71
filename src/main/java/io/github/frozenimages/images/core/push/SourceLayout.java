package io.github.frozenimages.images.core.push;

import io.github.frozenimages.images.core.model.Descriptor;
import io.github.frozenimages.images.core.model.ImageIndex;
import io.github.frozenimages.images.core.model.ManifestDocument;
import io.github.frozenimages.images.core.model.MediaTypes;
import io.github.frozenimages.images.core.ref.Digest;
import io.github.frozenimages.images.core.ref.ImageReference;
import io.github.frozenimages.images.core.ref.InvalidReferenceException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The images of an OCI image layout, as {@code pull} writes it: each {@code index.json} entry with the name the
 * pull gave it ({@code io.containerd.image.name}), and every blob by digest, each checked against its digest and
 * size before it is sent anywhere.
 */
final class SourceLayout {

    static final String NAME_ANNOTATION = "io.containerd.image.name";

    /** One image of the layout: its name as pulled, and its top manifest or index. */
    record SourceImage(ImageReference name, Descriptor top) {
    }

    private final Path root;

    SourceLayout(Path root) {
        this.root = root;
    }

    Path root() {
        return root;
    }

    List<SourceImage> images() throws IOException {
        Path indexFile = root.resolve("index.json");
        if (!Files.isRegularFile(indexFile)) {
            throw new IOException(root + " is no OCI image layout (it has no index.json); push what images:pull wrote in its"
                    + " docker or oci format, or its archive");
        }
        ManifestDocument document = ManifestDocument.parse(Files.readAllBytes(indexFile), MediaTypes.OCI_INDEX);
        if (!(document instanceof ImageIndex index)) {
            throw new IOException(indexFile + " is not an image index");
        }
        List<SourceImage> images = new ArrayList<>();
        for (Descriptor entry : index.manifests()) {
            String name = entry.annotations().get(NAME_ANNOTATION);
            if (name == null) {
                throw new IOException(indexFile + " names no image for " + entry.digest() + " (no " + NAME_ANNOTATION + ")");
            }
            try {
                images.add(new SourceImage(ImageReference.parse(name), entry));
            } catch (InvalidReferenceException e) {
                throw new IOException(indexFile + " names " + entry.digest() + " \"" + name + "\", which is no image reference", e);
            }
        }
        return images;
    }

    /** A blob's file, refused unless it is a regular file of the declared size. */
    Path blob(Descriptor descriptor) throws IOException {
        Digest d = descriptor.digest();
        Path file = root.resolve("blobs").resolve(d.algorithm()).resolve(d.hex());
        if (!Files.isRegularFile(file)) {
            throw new IOException(root + " lacks blob " + d);
        }
        long size = Files.size(file);
        if (descriptor.size() >= 0 && size != descriptor.size()) {
            throw new IOException("blob " + d + " in " + root + " has " + size + " bytes, its descriptor declares " + descriptor.size());
        }
        return file;
    }

    boolean has(Descriptor descriptor) {
        Digest d = descriptor.digest();
        return Files.isRegularFile(root.resolve("blobs").resolve(d.algorithm()).resolve(d.hex()));
    }

    /** A manifest's exact bytes, verified against its digest: they are pushed as they are. */
    byte[] manifest(Descriptor descriptor) throws IOException {
        byte[] bytes = Files.readAllBytes(blob(descriptor));
        if (bytes.length > ManifestDocument.MAX_BYTES) {
            throw new IOException("manifest " + descriptor.digest() + " in " + root + " is larger than " + ManifestDocument.MAX_BYTES + " bytes");
        }
        Digest actual = Digest.of(descriptor.digest().algorithm(), descriptor.digest().newMessageDigest().digest(bytes));
        if (!actual.equals(descriptor.digest())) {
            throw new IOException("manifest " + descriptor.digest() + " in " + root + " hashes to " + actual);
        }
        return bytes;
    }
}
