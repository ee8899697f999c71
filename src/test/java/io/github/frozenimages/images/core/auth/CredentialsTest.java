package io.github.frozenimages.images.core.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.junit.jupiter.api.Test;

/** Credentials end up in exception messages and debug logs by accident; the secret must not. */
class CredentialsTest {

    private static final String SECRET = "pa55-w0rd-!@#";

    @Test
    void toStringNeverShowsTheSecret() {
        Credentials credentials = new Credentials("alice", SECRET, "settings.xml server 'reg'");
        String text = credentials.toString();
        assertFalse(text.contains(SECRET), text);
        assertFalse(text.contains(Base64.getEncoder().encodeToString(("alice:" + SECRET).getBytes(StandardCharsets.UTF_8))), text);
        // it still says whose credentials and from where, which is what a log reader needs
        assertTrue(text.contains("alice"), text);
        assertTrue(text.contains("settings.xml server 'reg'"), text);
    }

    @Test
    void basicHeaderEncodesUserAndSecret() {
        Credentials credentials = new Credentials("alice", SECRET, null);
        String encoded = credentials.basicHeader().substring("Basic ".length());
        assertEquals("alice:" + SECRET, new String(Base64.getDecoder().decode(encoded), StandardCharsets.UTF_8));
        assertEquals("configuration", credentials.source());
    }
}
