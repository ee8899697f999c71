package io.github.frozenimages.images.core.registry;

import io.github.frozenimages.images.core.http.BoundedBody;
import io.github.frozenimages.images.core.model.Descriptor;
import io.github.frozenimages.images.core.shared.ImagePullException.Reason;
import io.github.frozenimages.images.core.store.BlobSource;
import io.github.frozenimages.images.core.store.RangeNotHonouredException;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.hc.core5.http.ClassicHttpResponse;
import org.apache.hc.core5.http.Header;
import org.apache.hc.core5.http.HttpEntity;

/**
 * A blob's 2xx answer turned into a body for the store, which hashes and counts it: a Content-Length that
 * disagrees with the descriptor is refused before a byte of the body is read, and a ranged answer is accepted
 * only when its Content-Range starts exactly where it was asked to.
 */
final class BlobResponse {

    private static final Pattern CONTENT_RANGE = Pattern.compile("bytes (\\d+)-(\\d+)/(\\d+|\\*)");

    private BlobResponse() {
    }

    static BlobSource.Body body(Operation op, ClassicHttpResponse response, Descriptor blob, long askedFrom) throws IOException {
        HttpEntity entity = response.getEntity();
        long length = entity == null ? 0 : entity.getContentLength();
        long start = 0;
        if (response.getCode() == 206 && askedFrom > 0) {
            start = checkedRange(response, blob, askedFrom);
        }
        if (length >= 0 && length != blob.size() - start) {
            BoundedBody.abort(response);
            throw op.failure(Reason.PROTOCOL, "the registry announces " + length + " bytes, the manifest declares "
                    + blob.size() + (start > 0 ? " (from byte " + start + ")" : ""));
        }
        InputStream content = entity == null ? InputStream.nullInputStream() : entity.getContent();
        return new BlobSource.Body(new FilterInputStream(content) {
            private boolean ended;

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                int n = super.read(b, off, len);
                ended |= n < 0;
                return n;
            }

            @Override
            public void close() throws IOException {
                if (ended) {
                    response.close(); // a finished body: the connection goes back to the pool
                } else {
                    BoundedBody.abort(response); // an abandoned one is dropped, not drained
                }
            }
        }, start);
    }

    private static long checkedRange(ClassicHttpResponse response, Descriptor blob, long offset) throws IOException {
        Header header = response.getFirstHeader("Content-Range");
        Matcher m = header == null ? null : CONTENT_RANGE.matcher(header.getValue().trim());
        if (m == null || !m.matches() || Long.parseLong(m.group(1)) != offset || Long.parseLong(m.group(2)) != blob.size() - 1
                || !(m.group(3).equals("*") || Long.parseLong(m.group(3)) == blob.size())) {
            BoundedBody.abort(response);
            // a wrong range cannot be stitched onto the bytes held: the download starts over
            throw new RangeNotHonouredException("the registry answered a request for bytes " + offset + "- with Content-Range "
                    + (header == null ? "(none)" : header.getValue()));
        }
        return offset;
    }
}
