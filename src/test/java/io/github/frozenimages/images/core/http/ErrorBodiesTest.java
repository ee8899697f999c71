package io.github.frozenimages.images.core.http;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.NullSource;
import org.junit.jupiter.params.provider.ValueSource;

/** A registry's error body, condensed into the part of a build log line a user can act on. */
class ErrorBodiesTest {

    @Test
    void distributionErrorDocument() {
        String body = "{\"errors\":[{\"code\":\"MANIFEST_UNKNOWN\",\"message\":\"manifest unknown\","
                + "\"detail\":{\"Tag\":\"9.99\"}}]}";
        assertEquals("MANIFEST_UNKNOWN: manifest unknown (HTTP 404)", ErrorBodies.describe(404, body));
    }

    @Test
    void aDetailInPlainTextNamesWhatTheCodeIsAbout() {
        String body = "{\"errors\":[{\"code\":\"MANIFEST_BLOB_UNKNOWN\",\"message\":\"blob unknown to registry\","
                + "\"detail\":\"sha256:" + "a".repeat(64) + "\"}]}";
        assertEquals("MANIFEST_BLOB_UNKNOWN: blob unknown to registry (sha256:" + "a".repeat(64) + ") (HTTP 400)",
                ErrorBodies.describe(400, body));
    }

    @Test
    void severalErrorsAreJoined() {
        String body = "{\"errors\":[{\"code\":\"UNAUTHORIZED\",\"message\":\"authentication required\"},"
                + "{\"code\":\"DENIED\"}]}";
        assertEquals("UNAUTHORIZED: authentication required; DENIED (HTTP 401)", ErrorBodies.describe(401, body));
    }

    @Test
    void atMostFiveErrorsAreKept() {
        StringBuilder body = new StringBuilder("{\"errors\":[");
        for (int i = 0; i < 8; i++) {
            body.append(i == 0 ? "" : ",").append("{\"code\":\"E").append(i).append("\"}");
        }
        body.append("]}");
        assertEquals(List.of("E0", "E1", "E2", "E3", "E4"), ErrorBodies.codes(body.toString()));
    }

    @Test
    void plainTextBodyShowsItsFirstLine() {
        assertEquals("upstream connect error (HTTP 502)",
                ErrorBodies.describe(502, "  upstream connect error\nreset reason: overflow\n"));
    }

    @Test
    void jsonThatIsNotAnErrorDocumentIsShownAsText() {
        assertEquals("{\"message\":\"rate limited\"} (HTTP 429)", ErrorBodies.describe(429, "{\"message\":\"rate limited\"}"));
    }

    @Test
    void longLineIsCut() {
        String line = "x".repeat(500);
        assertEquals("x".repeat(200) + "... (HTTP 500)", ErrorBodies.describe(500, line));
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "<html><head><title>503 Service Temporarily Unavailable</title></head><body>...</body></html>",
            "\n  <!DOCTYPE html>\n<html></html>",
    })
    void htmlBodyIsOmitted(String body) {
        // a proxy's error page says nothing useful and would flood the log
        assertEquals("(HTTP 503)", ErrorBodies.describe(503, body));
    }

    @ParameterizedTest
    @NullSource
    @ValueSource(strings = {"", "  \n "})
    void noBody(String body) {
        assertEquals("(HTTP 500)", ErrorBodies.describe(500, body));
        assertEquals(List.of(), ErrorBodies.codes(body));
    }
}
