package io.github.frozenimages.images.core.output;

import io.github.frozenimages.images.core.model.Descriptor;
import io.github.frozenimages.images.core.store.BlobStore;
import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Places store blobs into an output's {@code blobs/} folder: a hard link where the file system allows it
 * (no bytes copied, no space used), a copy where it does not (another file system, or no link support).
 */
final class BlobFiles {

    private final BlobStore store;
    private boolean linksWork = true;

    BlobFiles(BlobStore store) {
        this.store = store;
    }

    /** Writes {@code blobs/<alg>/<hex>} under {@code layoutRoot}, once per digest; returns its relative path. */
    String place(Path layoutRoot, Descriptor blob) throws IOException {
        String relative = "blobs/" + blob.digest().algorithm() + "/" + blob.digest().hex();
        Path target = layoutRoot.resolve(relative);
        if (Files.exists(target)) {
            return relative;
        }
        Files.createDirectories(target.getParent());
        Path source = store.path(blob.digest());
        if (linksWork) {
            try {
                Files.createLink(target, source);
                return relative;
            } catch (FileAlreadyExistsException e) {
                return relative;
            } catch (IOException | UnsupportedOperationException e) {
                linksWork = false;
            }
        }
        Files.copy(source, target);
        return relative;
    }
}
