package io.github.frozenimages.images.core.auth;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Objects;

/**
 * A user name and secret for one registry. {@link #toString()} never shows the secret, so a credential that
 * ends up in a log line or exception by accident leaks nothing.
 *
 * @param source where the credentials came from, for log lines ("settings.xml server 'x'", "~/.docker/config.json")
 * @param kind   what the secret is, so the authenticator knows how to present it
 */
public record Credentials(String username, String secret, String source, Kind kind) {

    /**
     * Docker's user name for a secret that is an identity token rather than a password (credential helpers
     * answer it, {@code docker login} stores it); also used here when a token comes without a user name.
     */
    public static final String TOKEN_USERNAME = "<token>";

    /** What the secret is; Docker's config.json and credential helpers can hand out all three. */
    public enum Kind {
        /** A password (or a personal access token used as one): Basic to the registry or its token service. */
        PASSWORD,
        /** An OAuth2 refresh token (Docker's {@code identitytoken}): exchanged at the token service with {@code grant_type=refresh_token}. */
        IDENTITY_TOKEN,
        /** A bearer token for the registry itself (Docker's {@code registrytoken}): sent as is, no token exchange. */
        REGISTRY_TOKEN
    }

    public Credentials {
        Objects.requireNonNull(username, "username");
        Objects.requireNonNull(secret, "secret");
        source = source == null ? "configuration" : source;
        kind = kind == null ? Kind.PASSWORD : kind;
    }

    /** A user name and password. */
    public Credentials(String username, String secret, String source) {
        this(username, secret, source, Kind.PASSWORD);
    }

    public String basicHeader() {
        String pair = username + ":" + secret;
        return "Basic " + Base64.getEncoder().encodeToString(pair.getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public String toString() {
        return "Credentials[" + username + " from " + source + (kind == Kind.PASSWORD ? "" : ", " + kind) + "]";
    }
}
