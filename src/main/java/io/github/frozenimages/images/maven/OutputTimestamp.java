package io.github.frozenimages.images.maven;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;

/** Reads {@code project.build.outputTimestamp} as Maven's reproducible-build convention writes it. */
final class OutputTimestamp {

    private OutputTimestamp() {
    }

    /** Epoch seconds or ISO-8601 with an offset; unset, or a single character (Maven's "off"), gives the epoch. */
    static Instant parse(String value) {
        if (value == null || value.trim().length() < 2) {
            return Instant.EPOCH;
        }
        String v = value.trim();
        if (v.matches("\\d+")) {
            return Instant.ofEpochSecond(Long.parseLong(v));
        }
        try {
            return OffsetDateTime.parse(v).toInstant();
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("project.build.outputTimestamp \"" + value
                    + "\" is neither epoch seconds nor an ISO-8601 time with an offset, e.g. 2026-01-01T00:00:00Z");
        }
    }
}
