package io.github.frozenimages.images.core.registry;

import io.github.frozenimages.images.core.ImagePullException.Reason;
import io.github.frozenimages.images.core.model.Descriptor;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import org.apache.hc.core5.http.ClassicHttpResponse;
import org.apache.hc.core5.http.HttpEntity;

/**
 * Opens a blob's body stream. The caller (the store) hashes and counts it; here a Content-Length that
 * disagrees with the descriptor is refused before a single byte of the body is read.
 */
public final class BlobFetcher {

    private BlobFetcher() {
    }

    public static InputStream open(RegistryClient client, RegistryClient.Context ctx, Descriptor blob) {
        ClassicHttpResponse response = client.get(ctx, "blobs/" + blob.digest(), null);
        HttpEntity entity = response.getEntity();
        long length = entity == null ? 0 : entity.getContentLength();
        if (length >= 0 && length != blob.size()) {
            RegistryClient.close(response);
            throw client.failure(ctx, Reason.PROTOCOL, "the registry announces " + length + " bytes, the manifest declares " + blob.size(), null);
        }
        try {
            return new FilterInputStream(entity == null ? InputStream.nullInputStream() : entity.getContent()) {
                @Override
                public void close() throws IOException {
                    // closing the response (not just the stream) drops an unfinished body instead of draining it
                    response.close();
                }
            };
        } catch (IOException e) {
            RegistryClient.close(response);
            throw client.failure(ctx, Reason.UNREACHABLE, "reading the blob failed: " + e.getMessage(), e);
        }
    }
}
