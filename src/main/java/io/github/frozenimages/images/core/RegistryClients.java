package io.github.frozenimages.images.core;

import io.github.frozenimages.images.core.auth.CredentialProvider;
import io.github.frozenimages.images.core.auth.RegistryAuthenticator;
import io.github.frozenimages.images.core.http.HttpTransport;
import io.github.frozenimages.images.core.http.RetryPolicy;
import io.github.frozenimages.images.core.http.TlsSettings;
import io.github.frozenimages.images.core.ref.ImageReference;
import io.github.frozenimages.images.core.registry.RegistryClient;
import io.github.frozenimages.images.core.registry.RegistryEndpoint;
import java.net.URI;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/** One client per registry for the whole pull, so its connection pool, ping and tokens are shared by all images. */
public final class RegistryClients {

    private final HttpTransport transport;
    private final Set<String> insecureRegistries;
    private final CredentialProvider credentials;
    private final PullListener listener;
    private final RetryPolicy retries;
    private final Map<String, List<URI>> mirrors;
    private final TlsSettings tls;
    private final Map<String, RegistryClient> clients = new ConcurrentHashMap<>();

    public RegistryClients(HttpTransport transport, Set<String> insecureRegistries, CredentialProvider credentials,
                    RetryPolicy retries, Map<String, List<URI>> mirrors, TlsSettings tls, PullListener listener) {
        this.mirrors = mirrors;
        this.tls = tls;
        this.retries = retries;
        this.transport = transport;
        this.insecureRegistries = insecureRegistries;
        this.credentials = credentials;
        this.listener = listener;
    }

    /** The endpoints to try for an image, in order: its registry's mirrors, then the registry itself. */
    public List<RegistryClient> forImage(ImageReference image) {
        List<RegistryClient> endpoints = new ArrayList<>();
        for (URI mirror : mirrors.getOrDefault(image.registry(), List.of())) {
            RegistryEndpoint endpoint = RegistryEndpoint.mirror(mirror, insecureRegistries);
            endpoints.add(clients.computeIfAbsent("mirror " + endpoint.base(), k -> client(endpoint)));
        }
        endpoints.add(clients.computeIfAbsent(image.registry(),
                registry -> client(RegistryEndpoint.of(registry, image.registryHost(), insecureRegistries,
                        tls.namesRegistry(image.registryHost())))));
        return endpoints;
    }

    /** Credentials are looked up by the endpoint's own name: a mirror never receives the registry's secrets. */
    private RegistryClient client(RegistryEndpoint endpoint) {
        RegistryAuthenticator authenticator = new RegistryAuthenticator(transport, credentials.credentialsFor(endpoint.registry()), Clock.systemUTC());
        return new RegistryClient(endpoint, transport, authenticator, retries, listener);
    }
}
