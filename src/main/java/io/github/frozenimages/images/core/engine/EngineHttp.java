package io.github.frozenimages.images.core.engine;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The little of HTTP/1.1 the engine API needs: a request head, a body with {@code Content-Length} or chunked,
 * and a response read with every size bounded (status line, headers, chunk sizes), since whatever listens at
 * the address may not be an engine at all.
 */
final class EngineHttp {

    static final int MAX_LINE = 8 * 1024;
    static final int MAX_HEADERS = 100;

    private EngineHttp() {
    }

    /** A response head, and its body framed by {@code Content-Length}, chunks or the end of the connection. */
    record Response(int status, String reason, Map<String, String> headers, InputStream body) {

        boolean isSuccess() {
            return status >= 200 && status < 300;
        }

        /** The body, at most {@code limit} bytes; more is an error, since the caller needs all of it. */
        byte[] readBody(int limit) throws IOException {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            byte[] buffer = new byte[8192];
            int n;
            while ((n = body.read(buffer)) >= 0) {
                if (out.size() + n > limit) {
                    throw new BodyTooLargeException("the engine's answer is larger than " + limit + " bytes");
                }
                out.write(buffer, 0, n);
            }
            return out.toByteArray();
        }

        /** At most {@code limit} bytes of the body, ignoring the rest: for error messages. */
        byte[] readBodyPrefix(int limit) throws IOException {
            return body.readNBytes(limit);
        }
    }

    /** The answer did not fit the limit set for it. */
    static final class BodyTooLargeException extends IOException {
        BodyTooLargeException(String message) {
            super(message);
        }
    }

    /** What answered is not speaking HTTP, or broke the framing. */
    static final class MalformedResponseException extends IOException {
        MalformedResponseException(String message) {
            super(message);
        }
    }

    static void writeHead(OutputStream out, String method, String target, String host, Map<String, String> headers)
            throws IOException {
        StringBuilder head = new StringBuilder();
        head.append(method).append(' ').append(target).append(" HTTP/1.1\r\n");
        head.append("Host: ").append(host).append("\r\n");
        headers.forEach((name, value) -> head.append(name).append(": ").append(value).append("\r\n"));
        head.append("\r\n");
        out.write(head.toString().getBytes(StandardCharsets.ISO_8859_1));
    }

    /** Reads the next final response, skipping {@code 100 Continue} and other interim ones. */
    static Response readResponse(InputStream in) throws IOException {
        for (int interim = 0; interim < 10; interim++) {
            String statusLine = readLine(in);
            if (statusLine == null) {
                throw new EOFException("the connection closed without an answer");
            }
            if (!statusLine.startsWith("HTTP/1.")) {
                throw new MalformedResponseException("not an HTTP answer: \"" + printable(statusLine) + "\"");
            }
            String[] parts = statusLine.split(" ", 3);
            if (parts.length < 2 || !parts[1].matches("\\d{3}")) {
                throw new MalformedResponseException("malformed HTTP status line: \"" + printable(statusLine) + "\"");
            }
            int status = Integer.parseInt(parts[1]);
            Map<String, String> headers = readHeaders(in);
            if (status >= 100 && status < 200) {
                continue;
            }
            return new Response(status, parts.length > 2 ? parts[2] : "", headers, body(in, headers, status));
        }
        throw new MalformedResponseException("too many interim (1xx) answers");
    }

    private static Map<String, String> readHeaders(InputStream in) throws IOException {
        Map<String, String> headers = new LinkedHashMap<>();
        for (int i = 0; ; i++) {
            String line = readLine(in);
            if (line == null) {
                throw new EOFException("the connection closed in the middle of the answer's headers");
            }
            if (line.isEmpty()) {
                return headers;
            }
            if (i >= MAX_HEADERS) {
                throw new MalformedResponseException("more than " + MAX_HEADERS + " header lines");
            }
            int colon = line.indexOf(':');
            if (colon <= 0) {
                throw new MalformedResponseException("malformed header line: \"" + printable(line) + "\"");
            }
            String name = line.substring(0, colon).trim().toLowerCase(Locale.ROOT);
            String value = line.substring(colon + 1).trim();
            headers.merge(name, value, (a, b) -> a + ", " + b);
        }
    }

    private static InputStream body(InputStream in, Map<String, String> headers, int status) throws IOException {
        if (status == 204 || status == 304) {
            return InputStream.nullInputStream();
        }
        String transferEncoding = headers.get("transfer-encoding");
        if (transferEncoding != null && transferEncoding.toLowerCase(Locale.ROOT).contains("chunked")) {
            return new ChunkedInputStream(in);
        }
        String length = headers.get("content-length");
        if (length != null) {
            if (!length.matches("\\d{1,18}")) {
                throw new MalformedResponseException("malformed Content-Length: \"" + printable(length) + "\"");
            }
            return new LengthInputStream(in, Long.parseLong(length));
        }
        return in; // Connection: close was asked for: the body ends with the connection
    }

    /** One line ended by CRLF (or a bare LF), at most {@link #MAX_LINE} bytes; null at the end of the stream. */
    static String readLine(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        while (true) {
            int b = in.read();
            if (b < 0) {
                if (line.size() == 0) {
                    return null;
                }
                throw new EOFException("the connection closed in the middle of a line");
            }
            if (b == '\n') {
                byte[] bytes = line.toByteArray();
                int end = bytes.length > 0 && bytes[bytes.length - 1] == '\r' ? bytes.length - 1 : bytes.length;
                return new String(bytes, 0, end, StandardCharsets.ISO_8859_1);
            }
            if (line.size() >= MAX_LINE) {
                throw new MalformedResponseException("a line of the answer is longer than " + MAX_LINE + " bytes");
            }
            line.write(b);
        }
    }

    static String printable(String s) {
        String shown = s.length() > 80 ? s.substring(0, 80) + "..." : s;
        StringBuilder out = new StringBuilder();
        for (char c : shown.toCharArray()) {
            out.append(c >= 0x20 && c < 0x7f ? String.valueOf(c) : String.format("\\x%02x", (int) c & 0xff));
        }
        return out.toString();
    }

    /** A body of exactly {@code length} bytes; an earlier end of the connection is an error. */
    static final class LengthInputStream extends InputStream {
        private final InputStream in;
        private long left;

        LengthInputStream(InputStream in, long length) {
            this.in = in;
            this.left = length;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            int n = read(one, 0, 1);
            return n < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (left == 0) {
                return -1;
            }
            if (len == 0) {
                return 0;
            }
            int n = in.read(b, off, (int) Math.min(len, left));
            if (n < 0) {
                throw new EOFException("the connection closed " + left + " bytes before the end of the answer");
            }
            left -= n;
            return n;
        }
    }

    /** Decodes {@code Transfer-Encoding: chunked}; trailers are read and dropped. */
    static final class ChunkedInputStream extends InputStream {
        private final InputStream in;
        private long chunkLeft;
        private boolean done;

        ChunkedInputStream(InputStream in) {
            this.in = in;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            int n = read(one, 0, 1);
            return n < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (done) {
                return -1;
            }
            if (len == 0) {
                return 0;
            }
            if (chunkLeft == 0) {
                String sizeLine = readLine(in);
                if (sizeLine == null) {
                    throw new EOFException("the connection closed before the last chunk of the answer");
                }
                int semicolon = sizeLine.indexOf(';');
                String hex = (semicolon < 0 ? sizeLine : sizeLine.substring(0, semicolon)).trim();
                if (!hex.matches("[0-9a-fA-F]{1,15}")) {
                    throw new MalformedResponseException("malformed chunk size: \"" + printable(sizeLine) + "\"");
                }
                chunkLeft = Long.parseLong(hex, 16);
                if (chunkLeft == 0) {
                    for (int i = 0; ; i++) {
                        String trailer = readLine(in);
                        if (trailer == null || trailer.isEmpty()) {
                            break;
                        }
                        if (i >= MAX_HEADERS) {
                            throw new MalformedResponseException("too many trailer lines");
                        }
                    }
                    done = true;
                    return -1;
                }
            }
            int n = in.read(b, off, (int) Math.min(len, chunkLeft));
            if (n < 0) {
                throw new EOFException("the connection closed in the middle of a chunk of the answer");
            }
            chunkLeft -= n;
            if (chunkLeft == 0) {
                String end = readLine(in);
                if (end == null || !end.isEmpty()) {
                    throw new MalformedResponseException("a chunk of the answer does not end with CRLF");
                }
            }
            return n;
        }
    }

    /** Encodes {@code Transfer-Encoding: chunked}; {@link #finish()} writes the last chunk. Leaves the stream open. */
    static final class ChunkedOutputStream extends FilterOutputStream {
        private boolean finished;

        ChunkedOutputStream(OutputStream out) {
            super(out);
        }

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            if (finished) {
                throw new IOException("the chunked body is already finished");
            }
            if (len == 0) {
                return; // a zero-length chunk would end the body
            }
            out.write((Integer.toHexString(len) + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
            out.write(b, off, len);
            out.write(CRLF);
        }

        void finish() throws IOException {
            if (!finished) {
                finished = true;
                out.write("0\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
            }
        }

        @Override
        public void close() throws IOException {
            finish();
            flush();
        }

        private static final byte[] CRLF = {'\r', '\n'};
    }
}
