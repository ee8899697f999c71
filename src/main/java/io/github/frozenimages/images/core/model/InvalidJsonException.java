package io.github.frozenimages.images.core.model;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.core.io.JsonEOFException;
import java.io.IOException;

/**
 * A document that is not the JSON this plugin accepts, said in one line that ends with where: callers put it
 * after their own "the manifest is not valid JSON: ", and the build prints every line of a message as a line of
 * its own, so Jackson's second line ({@code at [Source: REDACTED ...]}) would read as a second error.
 */
public final class InvalidJsonException extends IOException {

    /** Enough of a key or of the parser's description to recognise it; a hostile one may be megabytes long. */
    private static final int MAX_SHOWN = 200;

    InvalidJsonException(String message) {
        super(message);
    }

    /** {@code what}, then where in the document: {@code duplicate key "a" at line 1, column 9}. */
    static InvalidJsonException at(String what, JsonLocation where) {
        return new InvalidJsonException(what + position(where));
    }

    /** Jackson's refusal reworded: the plugin's words where it can tell the case, else Jackson's first clause. */
    static InvalidJsonException from(JsonProcessingException e, JsonParser parser) {
        JsonLocation where = e.getLocation() != null ? e.getLocation() : parser.currentLocation();
        String what;
        if (e instanceof JsonEOFException) {
            what = "the document ends early";
        } else if (e instanceof StreamConstraintsException) {
            // depth and number length are checked before Jackson's limits are reached, and no document or
            // token count limit is set: what is left is a string or key over its limit
            what = "a string or key longer than " + Json.MAX_STRING_LENGTH + " characters";
        } else {
            what = clause(e.getOriginalMessage());
        }
        // not Jackson's exception as the cause: Maven appends each cause's message that the message does not
        // already hold, and Jackson's would bring its location line back
        return at(what, where);
    }

    /** A document's text quoted for a message: escaped, so it cannot fake a log line, and cut short. */
    static String quote(String text) {
        StringBuilder out = new StringBuilder("\"");
        escape(text.substring(0, Math.min(text.length(), MAX_SHOWN)), true, out);
        out.append('"');
        if (text.length() > MAX_SHOWN) {
            out.append("... (").append(text.length()).append(" characters)");
        }
        return out.toString();
    }

    private static String position(JsonLocation where) {
        if (where == null || where.getLineNr() < 1) {
            return "";
        }
        return " at line " + where.getLineNr() + (where.getColumnNr() < 1 ? "" : ", column " + where.getColumnNr());
    }

    /**
     * The parser's description without its locations and without its advice to enable one of its features: from
     * the clause holding the first backquoted name or {@code [Source:} on, it is cut. So
     * {@code Non-standard token 'NaN': enable `JsonReadFeature...` to allow} becomes {@code non-standard token 'NaN'},
     * and {@code Unexpected close marker '}': expected ']' (for Array starting at [Source: REDACTED ...])} becomes
     * {@code unexpected close marker '}': expected ']'}.
     */
    private static String clause(String message) {
        String text = message == null ? "" : message.lines().findFirst().orElse("");
        int machinery = firstOf(text, "`", "[Source:");
        if (machinery >= 0) {
            int cut = Math.max(text.lastIndexOf(": ", machinery), text.lastIndexOf(" (", machinery));
            text = cut > 0 ? text.substring(0, cut) : "";
        }
        text = text.strip();
        if (text.isEmpty()) {
            return "not valid JSON";
        }
        if (text.length() > 1 && Character.isUpperCase(text.charAt(0)) && Character.isLowerCase(text.charAt(1))) {
            text = Character.toLowerCase(text.charAt(0)) + text.substring(1);
        }
        StringBuilder out = new StringBuilder();
        escape(text.substring(0, Math.min(text.length(), MAX_SHOWN)), false, out);
        return text.length() > MAX_SHOWN ? out.append("...").toString() : out.toString();
    }

    private static int firstOf(String text, String... needles) {
        int first = -1;
        for (String needle : needles) {
            int at = text.indexOf(needle);
            if (at >= 0 && (first < 0 || at < first)) {
                first = at;
            }
        }
        return first;
    }

    private static void escape(String text, boolean quotes, StringBuilder out) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (quotes && (c == '"' || c == '\\')) {
                out.append('\\').append(c);
            } else if (Character.isISOControl(c) || Character.getType(c) == Character.LINE_SEPARATOR
                    || Character.getType(c) == Character.PARAGRAPH_SEPARATOR) {
                out.append(String.format("\\u%04x", (int) c));
            } else {
                out.append(c);
            }
        }
    }
}
