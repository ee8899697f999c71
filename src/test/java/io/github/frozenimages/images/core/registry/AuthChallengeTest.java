package io.github.frozenimages.images.core.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.NullSource;
import org.junit.jupiter.params.provider.ValueSource;

/** RFC 7235 {@code WWW-Authenticate} parsing, as registries and token services send it. */
class AuthChallengeTest {

    static Stream<Arguments> headers() {
        return Stream.of(
                // Docker Hub's shape; the comma inside the quoted scope must not split the challenge
                Arguments.of("Bearer realm=\"https://auth.docker.io/token\",service=\"registry.docker.io\","
                                + "scope=\"repository:samalba/my-app:pull,push\"",
                        List.of(new AuthChallenge("bearer", Map.of(
                                "realm", "https://auth.docker.io/token",
                                "service", "registry.docker.io",
                                "scope", "repository:samalba/my-app:pull,push")))),
                // a resource name carrying host:port keeps all its colons
                Arguments.of("Bearer realm=\"http://127.0.0.1:5001/auth\",service=\"localhost:5000\","
                                + "scope=\"repository:localhost:5000/team/app:pull\"",
                        List.of(new AuthChallenge("bearer", Map.of(
                                "realm", "http://127.0.0.1:5001/auth",
                                "service", "localhost:5000",
                                "scope", "repository:localhost:5000/team/app:pull")))),
                // quoted-pair: backslash escapes the next character, including a quote and a backslash
                Arguments.of("Basic realm=\"say \\\"hi\\\" \\\\ now\"",
                        List.of(new AuthChallenge("basic", Map.of("realm", "say \"hi\" \\ now")))),
                // two challenges in one header: the comma is also the challenge separator
                Arguments.of("Basic realm=\"x\", Bearer realm=\"y\",service=\"z\"",
                        List.of(new AuthChallenge("basic", Map.of("realm", "x")),
                                new AuthChallenge("bearer", Map.of("realm", "y", "service", "z")))),
                // schemes and parameter names are case-insensitive; values are not
                Arguments.of("BEARER Realm=\"https://Auth.Example/Token\"",
                        List.of(new AuthChallenge("bearer", Map.of("realm", "https://Auth.Example/Token")))),
                Arguments.of("basic realm=\"r\"",
                        List.of(new AuthChallenge("basic", Map.of("realm", "r")))),
                // distribution's token controller appends an error on a rejected token
                Arguments.of("Bearer realm=\"https://auth.example/token\",service=\"reg\","
                                + "scope=\"repository:app:pull\",error=\"insufficient_scope\"",
                        List.of(new AuthChallenge("bearer", Map.of(
                                "realm", "https://auth.example/token", "service", "reg",
                                "scope", "repository:app:pull", "error", "insufficient_scope")))),
                // token (unquoted) values and optional whitespace around '='
                Arguments.of("Bearer realm = https://auth.example/token , service=reg",
                        List.of(new AuthChallenge("bearer", Map.of("realm", "https://auth.example/token", "service", "reg")))),
                // a challenge without parameters is followed by another challenge, not swallowed by it
                Arguments.of("Negotiate, Basic realm=\"r\"",
                        List.of(new AuthChallenge("negotiate", Map.of()),
                                new AuthChallenge("basic", Map.of("realm", "r")))));
    }

    @ParameterizedTest
    @MethodSource("headers")
    void parsesChallenges(String header, List<AuthChallenge> expected) {
        assertEquals(expected, AuthChallenge.parse(header));
    }

    @ParameterizedTest
    @NullSource
    @ValueSource(strings = {"", "   ", " , ,"})
    void emptyHeaderHasNoChallenges(String header) {
        assertEquals(List.of(), AuthChallenge.parse(header));
    }

    @Test
    void parameterLookupIgnoresCase() {
        AuthChallenge ch = AuthChallenge.parse("Bearer Realm=\"r\",SERVICE=\"s\"").get(0);
        assertEquals("r", ch.parameter("REALM"));
        assertEquals("s", ch.parameter("service"));
        assertNull(ch.parameter("scope"));
    }

    @Test
    void schemePredicates() {
        AuthChallenge bearer = AuthChallenge.parse("Bearer realm=\"r\"").get(0);
        AuthChallenge basic = AuthChallenge.parse("Basic realm=\"r\"").get(0);
        assertTrue(bearer.isBearer());
        assertFalse(bearer.isBasic());
        assertTrue(basic.isBasic());
        assertFalse(basic.isBearer());
    }

    @Test
    void preferredPicksBearerOverBasicWhateverTheOrder() {
        List<AuthChallenge> challenges = AuthChallenge.parse("Basic realm=\"x\", Bearer realm=\"y\",service=\"z\"");
        assertSame(challenges.get(1), AuthChallenge.preferred(challenges));
        List<AuthChallenge> reversed = AuthChallenge.parse("Bearer realm=\"y\", Basic realm=\"x\"");
        assertSame(reversed.get(0), AuthChallenge.preferred(reversed));
    }

    @Test
    void preferredFallsBackToBasicAndIgnoresUnknownSchemes() {
        List<AuthChallenge> challenges = AuthChallenge.parse("Negotiate, Basic realm=\"x\"");
        assertSame(challenges.get(1), AuthChallenge.preferred(challenges));
        // nothing this client can answer: the caller reports the 401 instead of guessing
        assertNull(AuthChallenge.preferred(AuthChallenge.parse("Negotiate, Digest realm=\"d\",nonce=\"n\"")));
        assertNull(AuthChallenge.preferred(List.of()));
    }
}
