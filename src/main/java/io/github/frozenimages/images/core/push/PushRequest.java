package io.github.frozenimages.images.core.push;

import io.github.frozenimages.images.core.auth.CredentialProvider;
import io.github.frozenimages.images.core.registry.NetworkOptions;
import io.github.frozenimages.images.core.shared.PullListener;
import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * What to push, and where.
 *
 * @param layout    an OCI image layout (what {@code pull} writes in its {@code docker} and {@code oci} formats), or
 *                  the folder an archive is unpacked into when {@code archive} is given
 * @param archive   a {@code .tar} or {@code .tar.gz} of such a layout (a bundle), read instead of the layout
 * @param target    where every image goes: a registry and an optional path ({@code registry.corp/mirror}), before
 *                  the image's own repository path and tag
 * @param pushAs    explicit targets by source name ({@code docker.io/library/alpine:3.20 -> registry.corp/x/alpine:1})
 * @param report    where the push report is written
 */
public record PushRequest(Path layout, Optional<Path> archive, String target, Map<String, String> pushAs, int parallelUploads,
                          Set<String> insecureRegistries, CredentialProvider credentials, NetworkOptions network,
                          PullListener listener, Path report) {

    public PushRequest {
        Objects.requireNonNull(layout, "layout");
        archive = archive == null ? Optional.empty() : archive;
        pushAs = pushAs == null ? Map.of() : Map.copyOf(pushAs);
        insecureRegistries = insecureRegistries == null ? Set.of() : Set.copyOf(insecureRegistries);
        credentials = credentials == null ? CredentialProvider.ANONYMOUS : credentials;
        network = network == null ? NetworkOptions.DEFAULTS : network;
        listener = listener == null ? PullListener.SILENT : listener;
        if (parallelUploads < 1) {
            throw new IllegalArgumentException("parallelUploads must be at least 1, was " + parallelUploads);
        }
    }
}
