package io.github.frozenimages.images.core.auth;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Iterator;
import java.util.Optional;

/**
 * Turns one {@code auths} entry of config.json / auth.json into credentials, the way the Docker daemon
 * ranks its fields: a {@code registrytoken} is used as is, else an {@code identitytoken}, else the
 * user and password of {@code auth} (base64 of {@code user:password}, which wins over separate
 * {@code username}/{@code password} fields, as in docker/cli). An entry with none of them (what
 * {@code docker login} leaves when a helper holds the secret) gives nothing.
 */
final class AuthsEntry {

    private AuthsEntry() {
    }

    /** @param file where the entry was read, for messages: a file's path, or the variable that held it */
    static Optional<Credentials> decode(JsonNode entry, String key, String file, String label) {
        String username = text(entry, "username", key, file);
        String password = text(entry, "password", key, file);
        String auth = text(entry, "auth", key, file);
        if (!auth.isEmpty()) {
            String pair = decodeBase64(auth, key, file);
            int colon = pair.indexOf(':');
            if (colon < 0) {
                throw new CredentialLookupException("could not read " + file + ": the auth of '" + key
                        + "' is not base64 of user:password");
            }
            username = pair.substring(0, colon);
            // docker/cli trims NUL padding some tools leave after the password
            password = pair.substring(colon + 1).replaceAll("^\u0000+|\u0000+$", "");
        }
        String registryToken = text(entry, "registrytoken", key, file);
        if (!registryToken.isEmpty()) {
            return Optional.of(new Credentials(tokenUser(username), registryToken, label, Credentials.Kind.REGISTRY_TOKEN));
        }
        String identityToken = text(entry, "identitytoken", key, file);
        if (!identityToken.isEmpty()) {
            return Optional.of(new Credentials(tokenUser(username), identityToken, label, Credentials.Kind.IDENTITY_TOKEN));
        }
        if (!password.isEmpty()) {
            return Optional.of(new Credentials(username, password, label));
        }
        return Optional.empty();
    }

    /**
     * A field by name; Go's encoding/json, which Docker reads these files with, also accepts other
     * spellings of the case ({@code identityToken}), so an exact match is tried first, then any case.
     */
    static JsonNode field(JsonNode object, String name) {
        JsonNode exact = object.get(name);
        if (exact != null) {
            return exact;
        }
        for (Iterator<String> it = object.fieldNames(); it.hasNext(); ) {
            String candidate = it.next();
            if (candidate.equalsIgnoreCase(name)) {
                return object.get(candidate);
            }
        }
        return null;
    }

    private static String tokenUser(String username) {
        return username.isEmpty() ? Credentials.TOKEN_USERNAME : username;
    }

    private static String text(JsonNode entry, String name, String key, String file) {
        JsonNode value = field(entry, name);
        if (value == null || value.isNull()) {
            return "";
        }
        if (!value.isTextual()) {
            throw new CredentialLookupException("could not read " + file + ": the " + name + " of '" + key + "' is not a string");
        }
        return value.asText();
    }

    private static String decodeBase64(String auth, String key, String file) {
        try {
            return new String(Base64.getDecoder().decode(auth.trim()), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            // the decoder's message quotes the offending character; neither it nor the cause goes anywhere
            throw new CredentialLookupException("could not read " + file + ": the auth of '" + key
                    + "' is not base64 of user:password");
        }
    }
}
