package io.github.frozenimages.images.core.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class RetryPolicyTest {

    private static final Instant NOW = Instant.parse("2026-11-27T12:00:00Z");
    private final RetryPolicy policy = new RetryPolicy(5, Duration.ofMillis(100), Duration.ofSeconds(30));

    @ParameterizedTest
    @CsvSource({"408,true", "429,true", "500,true", "502,true", "503,true", "504,true",
            "400,false", "401,false", "403,false", "404,false", "405,false", "416,false", "501,false", "200,false"})
    void onlyTransientStatusesAreRetried(int status, boolean retried) {
        assertEquals(retried, RetryPolicy.isTransient(status));
    }

    @Test
    void retryAfterInSecondsIsHonoured() {
        assertEquals(Duration.ofSeconds(7), policy.delay(1, "7", NOW));
    }

    @Test
    void retryAfterAsAnHttpDateIsHonoured() {
        assertEquals(Duration.ofSeconds(12), policy.delay(1, "Fri, 27 Nov 2026 12:00:12 GMT", NOW));
    }

    @Test
    void anAbsurdRetryAfterIsCapped() {
        assertEquals(Duration.ofSeconds(30), policy.delay(1, "86400", NOW));
    }

    @Test
    void garbageOrPastRetryAfterFallsBackToBackoff() {
        assertNull(RetryPolicy.parseRetryAfter("soon", NOW));
        assertNull(RetryPolicy.parseRetryAfter("Fri, 27 Nov 2026 11:00:00 GMT", NOW));
        assertNull(RetryPolicy.parseRetryAfter("-5", NOW));
        Duration d = policy.delay(1, "soon", NOW);
        assertTrue(d.toMillis() >= 80 && d.toMillis() <= 120, d.toString());
    }

    @Test
    void backoffDoublesWithJitterAndIsCapped() {
        for (int attempt = 1; attempt <= 4; attempt++) {
            long base = 100L << (attempt - 1);
            long d = policy.delay(attempt, null, NOW).toMillis();
            assertTrue(d >= base * 0.8 && d <= base * 1.2, "attempt " + attempt + ": " + d);
        }
        assertEquals(Duration.ofSeconds(30), policy.delay(30, null, NOW));
    }
}
