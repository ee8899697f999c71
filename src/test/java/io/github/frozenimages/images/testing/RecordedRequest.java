package io.github.frozenimages.images.testing;

import java.util.List;
import java.util.Optional;

/** What a test server saw of one request, and the status it answered with. */
public record RecordedRequest(String method, String path, List<HttpHeader> headers, int status) {

    public RecordedRequest {
        headers = List.copyOf(headers);
    }

    public Optional<String> header(String name) {
        return HttpHeader.first(headers, name);
    }

    public boolean hasAuthorization() {
        return header("Authorization").isPresent();
    }

    @Override
    public String toString() {
        // never the Authorization value: test logs must not teach anyone to print credentials
        return method + " " + path + " -> " + status + (hasAuthorization() ? " (with Authorization)" : "");
    }
}
