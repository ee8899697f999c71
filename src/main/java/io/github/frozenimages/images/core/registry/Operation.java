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
        this(image, action, digest, endpoint, RegistryAuthenticator.readScope(endpoint.repository(image.repository())));
    }

    /**
     * The same operation, writing: scoped {@code repository:<name>:pull,push}, and {@code pull} on each repository
     * a blob is mounted from.
     */
    public Operation pushing(String... mountedFrom) {
        StringBuilder sb = new StringBuilder("repository:" + repository() + ":pull,push");
        for (String from : mountedFrom) {
            sb.append(' ').append("repository:").append(from).append(":pull");
        }
        return new Operation(image, action, digest, endpoint, sb.toString());
    }

    /** The same image at the same endpoint, doing something else. */
    public Operation then(String otherAction, Digest otherDigest) {
        return new Operation(image, otherAction, otherDigest, endpoint, scope);
    }

    /**
     * The repository as the endpoint's API names the image: its own repository, under a mirror's path past
     * {@code /v2} if it has one. Requests and token scopes use this name; messages name the image.
     */
    public String repository() {
        return endpoint.repository(image.repository());
    }

    /** Whether this operation writes to the registry (a push), which its messages then say. */
    public boolean writes() {
        return scope.contains(":pull,push");
    }

    public ImagePullException failure(Reason reason, String detail, Throwable cause) {
        if (writes()) {
            return ImagePullException.sending(reason, action, image.familiarString(), digest == null ? null : digest.toString(),
                    endpoint.registry(), detail, cause);
        }
        return ImagePullException.of(reason, action, image.familiarString(), digest == null ? null : digest.toString(),
                endpoint.registry(), detail, cause);
    }

    public ImagePullException failure(Reason reason, String detail) {
        return failure(reason, detail, null);
    }
}
