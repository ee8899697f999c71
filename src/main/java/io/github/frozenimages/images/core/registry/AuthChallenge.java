package io.github.frozenimages.images.core.registry;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * One challenge of a {@code WWW-Authenticate} header (RFC 7235): a scheme and its parameters. A header can
 * carry several challenges separated by commas, which are also the parameter separator, so the parser
 * tells them apart by whether a token is followed by {@code =}.
 */
public record AuthChallenge(String scheme, Map<String, String> parameters) {

    public AuthChallenge {
        scheme = scheme.toLowerCase(Locale.ROOT);
        parameters = Collections.unmodifiableMap(new LinkedHashMap<>(parameters));
    }

    public String parameter(String name) {
        return parameters.get(name.toLowerCase(Locale.ROOT));
    }

    public boolean isBearer() {
        return "bearer".equals(scheme);
    }

    public boolean isBasic() {
        return "basic".equals(scheme);
    }

    /** Parses every challenge of one header value; malformed trailing parts are ignored rather than fatal. */
    public static List<AuthChallenge> parse(String header) {
        List<AuthChallenge> challenges = new ArrayList<>();
        if (header == null) {
            return challenges;
        }
        Cursor c = new Cursor(header);
        while (c.skipSeparators()) {
            String scheme = c.token();
            if (scheme.isEmpty()) {
                break;
            }
            Map<String, String> params = new LinkedHashMap<>();
            while (c.skipSeparators()) {
                int mark = c.pos;
                String name = c.token();
                c.skipSpaces();
                if (name.isEmpty() || !c.consume('=')) {
                    c.pos = mark; // a new challenge starts here
                    break;
                }
                c.skipSpaces();
                params.put(name.toLowerCase(Locale.ROOT), c.peek() == '"' ? c.quoted() : c.token());
            }
            challenges.add(new AuthChallenge(scheme, params));
        }
        return challenges;
    }

    /** Picks the challenge to answer: Bearer is preferred over Basic, as containerd does. */
    public static AuthChallenge preferred(List<AuthChallenge> challenges) {
        AuthChallenge basic = null;
        for (AuthChallenge ch : challenges) {
            if (ch.isBearer()) {
                return ch;
            }
            if (ch.isBasic() && basic == null) {
                basic = ch;
            }
        }
        return basic;
    }

    private static final class Cursor {
        private final String s;
        private int pos;

        Cursor(String s) {
            this.s = s;
        }

        char peek() {
            return pos < s.length() ? s.charAt(pos) : 0;
        }

        boolean consume(char ch) {
            if (peek() == ch) {
                pos++;
                return true;
            }
            return false;
        }

        void skipSpaces() {
            while (pos < s.length() && (s.charAt(pos) == ' ' || s.charAt(pos) == '\t')) {
                pos++;
            }
        }

        /** Skips spaces and commas; false at the end of input. */
        boolean skipSeparators() {
            while (pos < s.length() && (s.charAt(pos) == ' ' || s.charAt(pos) == '\t' || s.charAt(pos) == ',')) {
                pos++;
            }
            return pos < s.length();
        }

        String token() {
            int start = pos;
            while (pos < s.length()) {
                char ch = s.charAt(pos);
                if (ch == ' ' || ch == '\t' || ch == ',' || ch == '=' || ch == '"') {
                    break;
                }
                pos++;
            }
            return s.substring(start, pos);
        }

        String quoted() {
            StringBuilder sb = new StringBuilder();
            pos++; // opening quote
            while (pos < s.length()) {
                char ch = s.charAt(pos++);
                if (ch == '\\' && pos < s.length()) {
                    sb.append(s.charAt(pos++));
                } else if (ch == '"') {
                    return sb.toString();
                } else {
                    sb.append(ch);
                }
            }
            return sb.toString();
        }
    }
}
