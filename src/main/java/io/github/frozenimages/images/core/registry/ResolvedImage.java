package io.github.frozenimages.images.core.registry;

import io.github.frozenimages.images.core.model.Descriptor;
import io.github.frozenimages.images.core.model.ImageManifest;
import io.github.frozenimages.images.core.ref.Digest;
import io.github.frozenimages.images.core.ref.ImageReference;
import io.github.frozenimages.images.core.ref.Platform;
import java.util.Optional;

/**
 * A reference resolved to one platform's manifest: a value, naming the endpoint that served it but holding no
 * connection to it.
 *
 * @param index    the index or list the manifest was chosen from, when the reference named one
 * @param manifest the platform manifest, exact bytes
 * @param platform the platform of the manifest (from the index entry, or the requested one for a single manifest)
 */
public record ResolvedImage(ImageReference reference, Optional<FetchedManifest> index, FetchedManifest manifest,
                            Platform platform, RegistryEndpoint endpoint) {

    /** What an operation on this image, at the endpoint that resolved it, is called in messages. */
    public Operation operation(String action, Digest digest) {
        return new Operation(reference, action, digest, endpoint);
    }

    public ImageManifest imageManifest() {
        return (ImageManifest) manifest.document();
    }

    /** The descriptor of the platform manifest, as an {@code index.json} entry would carry it. */
    public Descriptor manifestDescriptor() {
        return new Descriptor(manifest.mediaType(), manifest.digest(), manifest.bytes().length).withPlatform(platform);
    }
}
