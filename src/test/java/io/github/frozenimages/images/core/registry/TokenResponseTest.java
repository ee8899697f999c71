package io.github.frozenimages.images.core.registry;


import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The token service's answer, per the distribution token spec. */
class TokenResponseTest {

    private static final Instant RECEIVED = Instant.parse("2025-03-01T12:00:00Z");

    private static BearerToken parse(String json) throws IOException {
        return TokenResponse.parse(json.getBytes(StandardCharsets.UTF_8), RECEIVED);
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', value = {
            // either field alone is enough
            "{\"token\":\"t\"}                          | t",
            "{\"access_token\":\"a\"}                   | a",
            // both present: a non-empty access_token wins, as containerd reads it
            "{\"token\":\"t\",\"access_token\":\"a\"}   | a",
            "{\"access_token\":\"\",\"token\":\"t\"}    | t",
    })
    void tokenOrAccessToken(String json, String expected) throws IOException {
        assertEquals(expected, parse(json).value());
    }

    @ParameterizedTest(name = "{0} -> {1}s")
    @CsvSource(delimiter = '|', value = {
            // default lifetime when the server says nothing
            "{\"token\":\"t\"}                          | 60",
            "{\"token\":\"t\",\"expires_in\":300}       | 300",
            // the spec's minimum: a shorter lifetime is raised to 60 seconds
            "{\"token\":\"t\",\"expires_in\":10}        | 60",
            "{\"token\":\"t\",\"expires_in\":0}         | 60",
            "{\"token\":\"t\",\"expires_in\":-5}        | 60",
    })
    void lifetimeFromExpiresIn(String json, long seconds) throws IOException {
        assertEquals(RECEIVED.plusSeconds(seconds), parse(json).expiresAt());
    }

    @Test
    void lifetimeCountsFromIssuedAtInThePast() throws IOException {
        BearerToken token = parse("{\"token\":\"t\",\"expires_in\":300,\"issued_at\":\"2025-03-01T11:59:00Z\"}");
        assertEquals(Instant.parse("2025-03-01T12:04:00Z"), token.expiresAt());
    }

    @Test
    void issuedAtInTheFutureIsClampedToReceipt() throws IOException {
        // a token server whose clock runs an hour ahead must not extend the token's life by an hour
        BearerToken token = parse("{\"token\":\"t\",\"expires_in\":300,\"issued_at\":\"2025-03-01T13:00:00Z\"}");
        assertEquals(RECEIVED.plusSeconds(300), token.expiresAt());
    }

    @Test
    void unreadableIssuedAtCountsFromReceipt() throws IOException {
        BearerToken token = parse("{\"token\":\"t\",\"expires_in\":120,\"issued_at\":\"yesterday\"}");
        assertEquals(RECEIVED.plusSeconds(120), token.expiresAt());
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "{}",
            "{\"token\":\"\"}",
            "{\"token\":null,\"access_token\":null}",
            "{\"expires_in\":300}",
            "{\"token\":42}",
            "not json",
            "[\"token\"]",
    })
    void noUsableTokenIsAnError(String json) {
        assertThrows(IOException.class, () -> parse(json));
    }

    @Test
    void bearerTokenToStringHidesTheValue() throws IOException {
        BearerToken token = parse("{\"token\":\"s3cr3t-token-value\"}");
        assertEquals("Bearer s3cr3t-token-value", token.header());
        assertFalse(token.toString().contains("s3cr3t"), token.toString());
    }

    @Test
    void tokenIsRenewedShortlyBeforeExpiry() throws IOException {
        BearerToken token = parse("{\"token\":\"t\",\"expires_in\":60}");
        // usable well within its life, not in the last seconds before it runs out
        assertEquals(true, token.usableAt(RECEIVED.plusSeconds(30)));
        assertEquals(false, token.usableAt(RECEIVED.plusSeconds(55)));
    }
}
