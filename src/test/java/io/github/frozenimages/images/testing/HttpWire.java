package io.github.frozenimages.images.testing;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** The little HTTP/1.1 framing the {@link FaultProxy} needs, on plain streams, so faults can act between bytes. */
final class HttpWire {

    static final int MAX_LINE = 16 * 1024;
    static final int MAX_HEADERS = 200;

    private HttpWire() {
    }

    /** A start line and its header lines. */
    record Head(String startLine, List<HttpHeader> headers) {
    }

    /** Reads a message head; null if the stream ended cleanly before its first byte (an idle keep-alive close). */
    static Head readHead(InputStream in) throws IOException {
        String start = readLine(in, true);
        if (start == null) {
            return null;
        }
        List<HttpHeader> headers = new ArrayList<>();
        for (String line = readLine(in, false); !line.isEmpty(); line = readLine(in, false)) {
            if (headers.size() == MAX_HEADERS) {
                throw new IOException("more than " + MAX_HEADERS + " header lines");
            }
            int colon = line.indexOf(':');
            if (colon <= 0) {
                throw new IOException("not a header line: " + line);
            }
            headers.add(new HttpHeader(line.substring(0, colon).trim(), line.substring(colon + 1).trim()));
        }
        return new Head(start, headers);
    }

    /**
     * Reads a response body as its headers frame it: chunked, by Content-Length, or up to the end of the
     * stream. A body that ends early is an error, not a short body: the proxy must not hide the upstream's faults.
     */
    static byte[] readBody(InputStream in, List<HttpHeader> headers, int limit) throws IOException {
        String coding = HttpHeader.first(headers, "Transfer-Encoding").orElse("").toLowerCase(Locale.ROOT);
        if (coding.contains("chunked")) {
            return readChunked(in, limit);
        }
        String length = HttpHeader.first(headers, "Content-Length").orElse(null);
        if (length == null) {
            return readUpTo(in, limit);
        }
        long n = Long.parseLong(length.trim());
        if (n > limit) {
            throw new IOException("a body of " + n + " bytes is over the proxy's limit of " + limit);
        }
        byte[] body = in.readNBytes((int) n);
        if (body.length != n) {
            throw new EOFException("the body ended after " + body.length + " of " + n + " bytes");
        }
        return body;
    }

    private static byte[] readChunked(InputStream in, int limit) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        while (true) {
            String sizeLine = readLine(in, false);
            int semicolon = sizeLine.indexOf(';');
            long size = Long.parseLong((semicolon < 0 ? sizeLine : sizeLine.substring(0, semicolon)).trim(), 16);
            if (size == 0) {
                // trailer lines, if any, end with an empty line
                while (!readLine(in, false).isEmpty()) {
                    continue;
                }
                return out.toByteArray();
            }
            if (out.size() + size > limit) {
                throw new IOException("a chunked body over the proxy's limit of " + limit);
            }
            byte[] chunk = in.readNBytes((int) size);
            if (chunk.length != size) {
                throw new EOFException("a chunk ended after " + chunk.length + " of " + size + " bytes");
            }
            out.write(chunk);
            readLine(in, false);
        }
    }

    private static byte[] readUpTo(InputStream in, int limit) throws IOException {
        byte[] body = in.readNBytes(limit + 1);
        if (body.length > limit) {
            throw new IOException("a body over the proxy's limit of " + limit);
        }
        return body;
    }

    /** One line without its CRLF (or bare LF); null at a clean end of stream if {@code endOk}. */
    private static String readLine(InputStream in, boolean endOk) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        int b;
        while ((b = in.read()) != '\n') {
            if (b < 0) {
                if (endOk && line.size() == 0) {
                    return null;
                }
                throw new EOFException("the stream ended inside a line");
            }
            if (line.size() == MAX_LINE) {
                throw new IOException("a line longer than " + MAX_LINE + " bytes");
            }
            line.write(b);
        }
        String text = line.toString(StandardCharsets.ISO_8859_1);
        return text.endsWith("\r") ? text.substring(0, text.length() - 1) : text;
    }

    static byte[] ascii(String text) {
        return text.getBytes(StandardCharsets.ISO_8859_1);
    }

    /** The usual reason phrase; clients read only the number. */
    static String reason(int status) {
        return switch (status) {
            case 200 -> "OK";
            case 206 -> "Partial Content";
            case 307 -> "Temporary Redirect";
            case 400 -> "Bad Request";
            case 401 -> "Unauthorized";
            case 404 -> "Not Found";
            case 416 -> "Range Not Satisfiable";
            case 429 -> "Too Many Requests";
            case 500 -> "Internal Server Error";
            case 501 -> "Not Implemented";
            case 502 -> "Bad Gateway";
            case 503 -> "Service Unavailable";
            default -> "Status " + status;
        };
    }

    /** Chunked transfer coding over a stream it does not own; {@link #finish} writes the last chunk. */
    static final class ChunkedOutputStream extends FilterOutputStream {

        ChunkedOutputStream(OutputStream out) {
            super(out);
        }

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            if (len == 0) {
                return; // a zero-size chunk would end the body
            }
            out.write(ascii(Integer.toHexString(len) + "\r\n"));
            out.write(b, off, len);
            out.write(ascii("\r\n"));
        }

        void finish() throws IOException {
            out.write(ascii("0\r\n\r\n"));
            out.flush();
        }

        @Override
        public void close() throws IOException {
            flush(); // the socket is the proxy's to close
        }
    }

    /** Passes writes through and reports each one once the stream below has taken it. */
    static final class CountingOutputStream extends FilterOutputStream {

        interface Counter {
            void add(long bytes);
        }

        private final Counter counter;

        CountingOutputStream(OutputStream out, Counter counter) {
            super(out);
            this.counter = counter;
        }

        @Override
        public void write(int b) throws IOException {
            out.write(b);
            counter.add(1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
            counter.add(len);
        }

        @Override
        public void close() throws IOException {
            flush();
        }
    }
}
