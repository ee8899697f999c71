package io.github.frozenimages.images.testing;

import java.io.IOException;
import java.util.function.UnaryOperator;

/**
 * What the {@link FaultProxy} does with a request a {@link Rule} claimed: ask the registry (possibly with a
 * rewritten request) and rewrite its answer, or answer by itself. {@link Faults} has the common ones.
 */
@FunctionalInterface
public interface Fault {

    /** Sends a request to the registry behind the proxy and returns its complete answer. */
    @FunctionalInterface
    interface Upstream {
        ProxyResponse forward(ProxyRequest request) throws IOException;
    }

    ProxyResponse respond(ProxyRequest request, Upstream upstream) throws IOException;

    /** This fault, then {@code change} on its response: e.g. {@code appendBytes(x).andThen(ProxyResponse::chunked)}. */
    default Fault andThen(UnaryOperator<ProxyResponse> change) {
        return (request, upstream) -> change.apply(respond(request, upstream));
    }
}
