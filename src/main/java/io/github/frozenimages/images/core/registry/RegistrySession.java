package io.github.frozenimages.images.core.registry;

import io.github.frozenimages.images.core.auth.CredentialProvider;
import io.github.frozenimages.images.core.http.HttpTransport;
import io.github.frozenimages.images.core.http.Retrier;
import io.github.frozenimages.images.core.http.RetryPolicy;
import io.github.frozenimages.images.core.ref.ImageReference;
import io.github.frozenimages.images.core.shared.ImagePullException;
import io.github.frozenimages.images.core.shared.ImagePullException.Reason;
import io.github.frozenimages.images.core.shared.PullListener;
import io.github.frozenimages.images.core.shared.Version;
import java.io.Closeable;
import java.io.IOException;
import java.net.URI;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * Everything a build says to registries goes through one session: one connection pool, one retry policy, and one
 * client per endpoint, so each registry is pinged and authenticated once however many goals and images ask it
 * (a pull that first updates its lock included). Mirrors are tried here, in one place, for every caller.
 */
public final class RegistrySession implements Closeable {

    private final HttpTransport transport;
    private final Retrier retrier;
    private final Set<String> insecureRegistries;
    private final CredentialProvider credentials;
    private final NetworkOptions network;
    private final PullListener listener;
    private final RequestStatistics statistics = new RequestStatistics();
    private final Map<String, RegistryClient> clients = new ConcurrentHashMap<>();
    private final Set<RegistryClient> pingedAhead = ConcurrentHashMap.newKeySet();

    /** @param parallelRequests how many requests may be open at once to one registry (the parallel downloads) */
    public RegistrySession(int parallelRequests, Set<String> insecureRegistries, CredentialProvider credentials,
                           NetworkOptions network, PullListener listener) {
        this.network = network == null ? NetworkOptions.DEFAULTS : network;
        this.transport = new HttpTransport(parallelRequests, Version.USER_AGENT, this.network.timeout(), this.network.tls(),
                this.network.proxies());
        this.retrier = new Retrier(new RetryPolicy(this.network.attempts(), this.network.retryBaseDelay(), this.network.retryMaxDelay()));
        this.insecureRegistries = Set.copyOf(insecureRegistries);
        this.credentials = credentials == null ? CredentialProvider.ANONYMOUS : credentials;
        this.listener = listener == null ? PullListener.SILENT : listener;
    }

    /** The endpoints to try for an image, in order: its registry's mirrors, then the registry itself. */
    public List<RegistryClient> clientsFor(ImageReference image) {
        List<RegistryClient> endpoints = new ArrayList<>();
        for (URI mirror : network.mirrors().getOrDefault(image.registry(), List.of())) {
            RegistryEndpoint endpoint = RegistryEndpoint.mirror(mirror, insecureRegistries);
            endpoints.add(clients.computeIfAbsent("mirror " + endpoint.base(), k -> client(endpoint)));
        }
        endpoints.add(clients.computeIfAbsent(image.registry(),
                registry -> client(RegistryEndpoint.of(registry, image.registryHost(), insecureRegistries,
                        network.tls().namesRegistry(image.registryHost())))));
        return endpoints;
    }

    /** The registry itself, never a mirror: where a push goes. */
    public RegistryClient registryOf(ImageReference image) {
        List<RegistryClient> endpoints = clientsFor(image);
        return endpoints.get(endpoints.size() - 1);
    }

    /**
     * Does {@code work} with the first endpoint that serves the image: each mirror in order, then the registry.
     * Content is verified by digest whichever endpoint serves it, so a mirror is trusted with nothing but speed.
     * What the cache lacks offline, and what the cache's disk refuses, are no endpoint's fault and are not tried
     * elsewhere.
     */
    public <T> T firstServing(ImageReference image, Function<RegistryClient, T> work) {
        List<RegistryClient> endpoints = clientsFor(image);
        for (int i = 0; ; i++) {
            RegistryClient client = endpoints.get(i);
            try {
                return work.apply(client);
            } catch (ImagePullException e) {
                if (i == endpoints.size() - 1 || e.reason() == Reason.NOT_IN_CACHE || e.reason() == Reason.IO) {
                    throw e;
                }
                listener.warn("mirror " + client.endpoint().base() + " could not serve " + image.familiarString()
                        + " (" + e.getMessage() + "); trying " + (i + 2 == endpoints.size() ? "the registry itself" : "the next mirror"));
            }
        }
    }

    /**
     * Starts the ping of the endpoint that will be asked first for {@code image} (its first mirror, or its registry)
     * in the background, once per endpoint: a build that will talk to a registry gets its connection ready while it
     * reads its own records.
     */
    public void pingAhead(ImageReference image) {
        RegistryClient first = clientsFor(image).get(0);
        if (pingedAhead.add(first)) {
            first.pingAhead(image);
        }
    }

    /** What this session asked of the registries so far. */
    public RequestStatistics statistics() {
        return statistics;
    }

    /** Credentials are looked up by the endpoint's own name: a mirror never receives the registry's secrets. */
    private RegistryClient client(RegistryEndpoint endpoint) {
        RegistryAuthenticator authenticator = new RegistryAuthenticator(transport, retrier, listener,
                credentials.credentialsFor(endpoint.registry()), Clock.systemUTC());
        // plain http by the loopback default alone, not because the user listed it: it may turn out to speak TLS only
        boolean listedInsecure = insecureRegistries.contains(endpoint.registry()) || insecureRegistries.contains(endpoint.base().getRawAuthority());
        boolean mayTurnToTls = !endpoint.mirror() && !listedInsecure;
        return new RegistryClient(new RegistryHttp(endpoint, mayTurnToTls, transport, authenticator, retrier, statistics, listener),
                statistics, listener);
    }

    @Override
    public void close() {
        try {
            transport.close();
        } catch (IOException e) {
            listener.debug("closing the registry connections failed: " + e.getMessage());
        }
    }
}
