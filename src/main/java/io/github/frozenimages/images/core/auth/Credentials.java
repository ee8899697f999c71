package io.github.frozenimages.images.core.auth;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Objects;

/**
 * A user name and secret for one registry. {@link #toString()} never shows the secret, so a credential that
 * ends up in a log line or exception by accident leaks nothing.
 *
 * @param source where the credentials came from, for log lines ("settings.xml server 'x'", "~/.docker/config.json")
 */
public record Credentials(String username, String secret, String source) {

    public Credentials {
        Objects.requireNonNull(username, "username");
        Objects.requireNonNull(secret, "secret");
        source = source == null ? "configuration" : source;
    }

    public String basicHeader() {
        String pair = username + ":" + secret;
        return "Basic " + Base64.getEncoder().encodeToString(pair.getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public String toString() {
        return "Credentials[" + username + " from " + source + "]";
    }
}
