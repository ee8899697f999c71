package io.github.frozenimages.images.testing;

import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Renders nested maps, lists and scalars as block-style YAML. Strings are always double-quoted with
 * JSON escapes (valid YAML), so values like {@code 0.1}, {@code on} or {@code 127.0.0.1:0} keep
 * their type as strings.
 */
final class YamlWriter {

    private static final Pattern PLAIN_KEY = Pattern.compile("[A-Za-z0-9_.-]+");

    private YamlWriter() {
    }

    static String write(Map<String, ?> document) {
        StringBuilder out = new StringBuilder();
        writeMap(out, document, 0);
        return out.toString();
    }

    private static void writeMap(StringBuilder out, Map<?, ?> map, int indent) {
        for (Map.Entry<?, ?> entry : map.entrySet()) {
            out.append(" ".repeat(indent)).append(key(String.valueOf(entry.getKey()))).append(':');
            writeValue(out, entry.getValue(), indent);
        }
    }

    /** Writes what follows {@code key:} (or {@code -}), including the line end. */
    private static void writeValue(StringBuilder out, Object value, int indent) {
        if (value instanceof Map<?, ?> map && !map.isEmpty()) {
            out.append('\n');
            writeMap(out, map, indent + 2);
        } else if (value instanceof List<?> list && !list.isEmpty()) {
            out.append('\n');
            for (Object item : list) {
                writeListItem(out, item, indent + 2);
            }
        } else {
            out.append(' ').append(scalar(value)).append('\n');
        }
    }

    private static void writeListItem(StringBuilder out, Object item, int indent) {
        if (item instanceof Map<?, ?> map && !map.isEmpty()) {
            // Render the map one level deeper, then turn its first indentation into the "- " marker.
            StringBuilder nested = new StringBuilder();
            writeMap(nested, map, indent + 2);
            out.append(" ".repeat(indent)).append("- ").append(nested, indent + 2, nested.length());
        } else {
            out.append(" ".repeat(indent)).append('-');
            writeValue(out, item, indent);
        }
    }

    private static String scalar(Object value) {
        if (value == null) {
            return "null";
        }
        if (value instanceof Map<?, ?>) {
            return "{}";
        }
        if (value instanceof List<?>) {
            return "[]";
        }
        if (value instanceof Number || value instanceof Boolean) {
            return value.toString();
        }
        return quote(value.toString());
    }

    private static String key(String key) {
        return PLAIN_KEY.matcher(key).matches() ? key : quote(key);
    }

    static String quote(String text) {
        StringBuilder out = new StringBuilder(text.length() + 2).append('"');
        for (char c : text.toCharArray()) {
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\t' -> out.append("\\t");
                case '\r' -> out.append("\\r");
                default -> {
                    if (c < 0x20) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return out.append('"').toString();
    }
}
