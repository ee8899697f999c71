package io.github.frozenimages.images.core;

import io.github.frozenimages.images.core.auth.CredentialProvider;
import io.github.frozenimages.images.core.auth.RegistryAuthenticator;
import io.github.frozenimages.images.core.http.HttpTransport;
import io.github.frozenimages.images.core.http.RetryPolicy;
import io.github.frozenimages.images.core.ref.ImageReference;
import io.github.frozenimages.images.core.registry.RegistryClient;
import io.github.frozenimages.images.core.registry.RegistryEndpoint;
import java.time.Clock;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/** One client per registry for the whole pull, so its connection pool, ping and tokens are shared by all images. */
final class RegistryClients {

    private final HttpTransport transport;
    private final Set<String> insecureRegistries;
    private final CredentialProvider credentials;
    private final PullListener listener;
    private final RetryPolicy retries;
    private final Map<String, RegistryClient> clients = new ConcurrentHashMap<>();

    RegistryClients(HttpTransport transport, Set<String> insecureRegistries, CredentialProvider credentials,
                    RetryPolicy retries, PullListener listener) {
        this.retries = retries;
        this.transport = transport;
        this.insecureRegistries = insecureRegistries;
        this.credentials = credentials;
        this.listener = listener;
    }

    RegistryClient forImage(ImageReference image) {
        return clients.computeIfAbsent(image.registry(), registry -> {
            RegistryEndpoint endpoint = RegistryEndpoint.of(registry, image.registryHost(), insecureRegistries);
            RegistryAuthenticator authenticator = new RegistryAuthenticator(transport, credentials.credentialsFor(registry), Clock.systemUTC());
            return new RegistryClient(endpoint, transport, authenticator, retries, listener);
        });
    }
}
