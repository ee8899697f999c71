package io.github.frozenimages.images.core.auth;

import java.util.Optional;

/** Looks up credentials for a registry, by its canonical name ({@code docker.io}, {@code host:port}). */
@FunctionalInterface
public interface CredentialProvider {

    Optional<Credentials> credentialsFor(String registry);

    CredentialProvider ANONYMOUS = registry -> Optional.empty();
}
