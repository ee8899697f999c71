package io.github.frozenimages.images.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.UnaryOperator;
import java.util.zip.GZIPOutputStream;

/**
 * Fault modes of the transport (next to {@link Faults}, which rewrites content): no answer at all, bodies that
 * stall, are reset or crawl, ranges ignored or answered wrongly, rate limits with every form of
 * {@code Retry-After}, and error answers with huge bodies. Each is a {@link Fault} for {@link Rule#then}.
 */
public final class WireFaults {

    private WireFaults() {
    }

    /**
     * Accepts the request and never answers: no status line, the connection open, until the client gives up,
     * {@code max} passes or the proxy closes. The registry is not asked.
     */
    public static Fault noAnswer(Duration max) {
        return (request, upstream) -> {
            long deadline = System.nanoTime() + max.toNanos();
            while (System.nanoTime() < deadline) {
                if (!Deliveries.sleep(Duration.ofMillis(100))) {
                    break;
                }
            }
            // by now the client is long gone; this answer only ends the handler
            return ProxyResponse.of(504, List.of(), new byte[0]).withDelivery(Delivery.cutAfter(0));
        };
    }

    /** The registry's answer, whose body stops after {@code n} bytes on a connection left open and silent. */
    public static Fault stallAfter(long n) {
        return Faults.rewrite(response -> response.withDelivery(Deliveries.stallAfter(n)));
    }

    /** Like {@link #stallAfter(long)}; {@code reached} runs once the {@code n} bytes are on the wire. */
    public static Fault stallAfter(long n, Runnable reached) {
        return Faults.rewrite(response -> response.withDelivery(Deliveries.stallAfter(n, reached)));
    }

    /** The registry's answer, cut by a TCP reset after {@code n} body bytes. */
    public static Fault resetAfter(long n) {
        return Faults.rewrite(response -> response.withDelivery(Deliveries.resetAfter(n)));
    }

    /** The registry's answer at about {@code bytesPerSecond}. */
    public static Fault throttled(int bytesPerSecond, int slice) {
        return Faults.rewrite(response -> response.withDelivery(Deliveries.throttled(bytesPerSecond, slice)));
    }

    /** A server that does not do ranges: the request goes upstream without {@code Range}, so the answer is a 200 with the whole body. */
    public static Fault ignoreRange() {
        return (request, upstream) -> upstream.forward(request.withoutHeader("Range"));
    }

    /** The registry's (ranged) answer with {@code Content-Range} replaced by {@code change} of the real one ("" when absent). */
    public static Fault rewriteContentRange(UnaryOperator<String> change) {
        return Faults.rewrite(response -> response.withHeader("Content-Range", change.apply(response.header("Content-Range").orElse(""))));
    }

    /** A fixed status with a distribution error body and optional {@code Retry-After}; the registry is not asked. */
    public static Fault status(int status, String code, String retryAfter) {
        byte[] body = ("{\"errors\":[{\"code\":\"" + code + "\",\"message\":\"injected by the fault proxy\"}]}")
                .getBytes(StandardCharsets.UTF_8);
        List<HttpHeader> headers = retryAfter == null
                ? List.of(new HttpHeader("Content-Type", "application/json"))
                : List.of(new HttpHeader("Content-Type", "application/json"), new HttpHeader("Retry-After", retryAfter));
        return Faults.answer(status, headers, body);
    }

    /** A fixed status whose body is {@code bodyBytes} of repeated text, streamed without holding it twice. */
    public static Fault statusWithHugeBody(int status, long bodyBytes) {
        byte[] line = "internal error, please try again later; ".getBytes(StandardCharsets.US_ASCII);
        return (request, upstream) -> new ProxyResponse(status, HttpWire.reason(status),
                List.of(new HttpHeader("Content-Type", "text/plain")), new byte[0], bodyBytes,
                (socket, out, ignored) -> {
                    byte[] slice = new byte[Delivery.SLICE];
                    for (int i = 0; i < slice.length; i++) {
                        slice[i] = line[i % line.length];
                    }
                    for (long sent = 0; sent < bodyBytes; sent += slice.length) {
                        out.write(slice, 0, (int) Math.min(slice.length, bodyBytes - sent));
                    }
                    out.flush();
                    return true;
                });
    }

    /** An RFC 1123 date {@code ahead} from now, for {@code Retry-After}. */
    public static String httpDate(Duration ahead) {
        return DateTimeFormatter.RFC_1123_DATE_TIME.format(ZonedDateTime.now(ZoneOffset.UTC).plus(ahead));
    }

    /** The registry's answer with its body gzipped and {@code Content-Encoding: gzip}, as a misconfigured front end would send it. */
    public static Fault gzipEncoded() {
        return Faults.rewrite(response -> response.withBody(gzip(response.body())).withHeader("Content-Encoding", "gzip"));
    }

    /** {@code inner}, recording {@link System#nanoTime()} when each request it answers arrives. */
    public static Fault timed(Fault inner, List<Long> arrivals) {
        return (request, upstream) -> {
            arrivals.add(System.nanoTime());
            return inner.respond(request, upstream);
        };
    }

    /**
     * {@code inner}, but only once {@code open} is true (checked every 20 ms), or after {@code max}: holds an answer
     * back until another client has caught up, so that two pulls are certain to overlap.
     */
    public static Fault gated(Fault inner, BooleanSupplier open, Duration max) {
        return (request, upstream) -> {
            long deadline = System.nanoTime() + max.toNanos();
            while (!open.getAsBoolean() && System.nanoTime() < deadline) {
                if (!Deliveries.sleep(Duration.ofMillis(20))) {
                    break;
                }
            }
            return inner.respond(request, upstream);
        };
    }

    /** The registry's answer, delivered by {@code delivery}. */
    public static Fault delivered(Delivery delivery) {
        return Faults.rewrite(response -> response.withDelivery(delivery));
    }

    static byte[] gzip(byte[] data) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(data);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /** For tests that must wait for a proxy-side event. */
    public static boolean await(BooleanSupplier condition, Duration max) {
        long deadline = System.nanoTime() + max.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            try {
                TimeUnit.MILLISECONDS.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return true;
    }
}
