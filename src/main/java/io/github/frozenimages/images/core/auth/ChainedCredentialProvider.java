package io.github.frozenimages.images.core.auth;

import io.github.frozenimages.images.core.shared.PullListener;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Asks credential sources in order (settings.xml, Docker, Podman, ...) and takes the first answer; none
 * means anonymous. Each registry is looked up once and reported once: which source served it at INFO,
 * so "why was I refused?" starts from the right file, and "anonymous" at DEBUG. Only the registry and
 * the source are ever reported, never a user's secret. A source that fails (a broken helper, a malformed
 * file) fails the lookup instead of being skipped: the user configured it and expects it to be used.
 */
public final class ChainedCredentialProvider implements CredentialProvider {

    private final List<CredentialProvider> providers;
    private final PullListener listener;
    private final Map<String, Optional<Credentials>> answers = new HashMap<>();

    public ChainedCredentialProvider(PullListener listener, CredentialProvider... providers) {
        this(listener, List.of(providers));
    }

    public ChainedCredentialProvider(PullListener listener, List<CredentialProvider> providers) {
        this.listener = listener == null ? PullListener.SILENT : listener;
        this.providers = List.copyOf(providers);
    }

    /**
     * Synchronized: lookups are few (one per registry) and may run helper processes, so one at a time
     * keeps a registry from being looked up, and a keychain prompted, twice.
     */
    @Override
    public synchronized Optional<Credentials> credentialsFor(String registry) {
        Optional<Credentials> known = answers.get(registry);
        if (known != null) {
            return known;
        }
        Optional<Credentials> found = Optional.empty();
        for (CredentialProvider provider : providers) {
            found = Objects.requireNonNullElse(provider.credentialsFor(registry), Optional.empty());
            if (found.isPresent()) {
                break;
            }
        }
        answers.put(registry, found);
        if (found.isPresent()) {
            listener.info("credentials for " + registry + " from " + found.get().source() + kindNote(found.get()));
        } else {
            listener.debug("no credentials for " + registry + ": anonymous");
        }
        return found;
    }

    private static String kindNote(Credentials credentials) {
        return switch (credentials.kind()) {
            case PASSWORD -> "";
            case IDENTITY_TOKEN -> " (identity token)";
            case REGISTRY_TOKEN -> " (registry token)";
        };
    }
}
