package io.github.frozenimages.images.testing;

import java.io.IOException;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;

/**
 * Decides which requests the {@link FaultProxy} answers with a fault. The proxy asks its rules in the order
 * they were added; the first that claims a request answers it, and a request no rule claims passes through.
 * The usual rule is built as {@code Rule.on("GET", "/v2/.+/blobs/.+").times(1).then(Faults.flipByte(10))}.
 */
public interface Rule {

    /** Whether this rule answers the request; a rule with a budget spends one use when it says yes. */
    boolean claim(ProxyRequest request);

    /** The response to a claimed request. */
    ProxyResponse respond(ProxyRequest request, Fault.Upstream upstream) throws IOException;

    /** How many requests this rule has claimed so far. */
    int uses();

    /** Requests with this method ({@code "*"} for any) whose path, without query, matches {@code pathRegex} entirely. */
    static Match on(String method, String pathRegex) {
        return new Match(method, Pattern.compile(pathRegex), 1);
    }

    /** Requests with this method for exactly this path (a digest's ':' needs no quoting). */
    static Match onPath(String method, String path) {
        return new Match(method, Pattern.compile(Pattern.quote(path)), 1);
    }

    /** Method, path pattern and budget of a rule under construction: the first K matches, K = 1 unless set. */
    final class Match {
        private final String method;
        private final Pattern path;
        private final int times;

        private Match(String method, Pattern path, int times) {
            this.method = Objects.requireNonNull(method, "method");
            this.path = path;
            this.times = times;
        }

        /** Applies to the first {@code k} matching requests; later ones pass through. */
        public Match times(int k) {
            if (k < 1) {
                throw new IllegalArgumentException("a rule applies at least once: " + k);
            }
            return new Match(method, path, k);
        }

        /** Applies to every matching request. */
        public Match always() {
            return new Match(method, path, Integer.MAX_VALUE);
        }

        public Rule then(Fault fault) {
            return new Budgeted(this, Objects.requireNonNull(fault, "fault"));
        }

        boolean matches(ProxyRequest request) {
            return (method.equals("*") || method.equalsIgnoreCase(request.method())) && path.matcher(request.path()).matches();
        }

        @Override
        public String toString() {
            return method + " " + path.pattern() + (times == Integer.MAX_VALUE ? " always" : " x" + times);
        }
    }

    /** A rule from {@link Match#then}: claims matching requests while its budget lasts. */
    final class Budgeted implements Rule {
        private final Match match;
        private final Fault fault;
        private final AtomicInteger used = new AtomicInteger();

        private Budgeted(Match match, Fault fault) {
            this.match = match;
            this.fault = fault;
        }

        @Override
        public boolean claim(ProxyRequest request) {
            if (!match.matches(request)) {
                return false;
            }
            // take a use only while some are left, so concurrent requests never overspend the budget
            return used.getAndUpdate(n -> n < match.times ? n + 1 : n) < match.times;
        }

        @Override
        public ProxyResponse respond(ProxyRequest request, Fault.Upstream upstream) throws IOException {
            return fault.respond(request, upstream);
        }

        @Override
        public int uses() {
            return used.get();
        }

        @Override
        public String toString() {
            return "Rule[" + match + ", used " + used.get() + "]";
        }
    }
}
