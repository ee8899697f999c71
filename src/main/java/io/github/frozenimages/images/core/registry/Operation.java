package io.github.frozenimages.images.core.registry;

import io.github.frozenimages.images.core.ref.Digest;
import io.github.frozenimages.images.core.ref.ImageReference;
import io.github.frozenimages.images.core.shared.ImagePullException;
import io.github.frozenimages.images.core.shared.ImagePullException.Reason;

/**
 * What a request is for, as its log lines and failures name it: the image, what was being done to it, the
 * digest concerned and the endpoint asked. A value: it carries no connection, only the words for a message.
 *
 * @param digest the manifest, config or layer concerned, or null (a tag being resolved)
 */
public record Operation(ImageReference image, String action, Digest digest, RegistryEndpoint endpoint, String scope) {

    /** An operation that reads: its token is scoped {@code repository:<name>:pull}. */
    public Operation(ImageReference image, String action, Digest digest, RegistryEndpoint endpoint) {
        this(image, action, digest, endpoint, "repository:" + image.repository() + ":pull");
    }

    /**
     * The same operation, writing: scoped {@code repository:<name>:pull,push}, and {@code pull} on each repository
     * a blob is mounted from.
     */
    public Operation pushing(String... mountedFrom) {
        StringBuilder sb = new StringBuilder("repository:" + image.repository() + ":pull,push");
        for (String from : mountedFrom) {
            sb.append(' ').append("repository:").append(from).append(":pull");
        }
        return new Operation(image, action, digest, endpoint, sb.toString());
    }

    /** The same image at the same endpoint, doing something else. */
    public Operation then(String otherAction, Digest otherDigest) {
        return new Operation(image, otherAction, otherDigest, endpoint, scope);
    }

    /** The repository path the registry API names the image by. */
    public String repository() {
        return image.repository();
    }

    public ImagePullException failure(Reason reason, String detail, Throwable cause) {
        return ImagePullException.of(reason, action, image.familiarString(), digest == null ? null : digest.toString(),
                endpoint.registry(), detail, cause);
    }

    public ImagePullException failure(Reason reason, String detail) {
        return failure(reason, detail, null);
    }
}
