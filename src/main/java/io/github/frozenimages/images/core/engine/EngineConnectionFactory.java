package io.github.frozenimages.images.core.engine;

import java.io.IOException;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.hc.client5.http.impl.io.DefaultManagedHttpClientConnection;
import org.apache.hc.client5.http.io.ManagedHttpClientConnection;
import org.apache.hc.core5.http.ClassicHttpRequest;
import org.apache.hc.core5.http.HttpException;
import org.apache.hc.core5.http.io.HttpConnectionFactory;
import org.apache.hc.core5.util.Timeout;

/**
 * HttpClient's connections, with one change for the engine API: an engine that refuses an archive part-way (a
 * full disk, a broken tarball) answers and closes its side while the archive is still being sent, so sending
 * fails with "Broken pipe" while the answer that says why waits in the socket's receive buffer. HttpClient would
 * drop it with the connection; these connections stop sending instead, and read it.
 */
final class EngineConnectionFactory implements HttpConnectionFactory<ManagedHttpClientConnection> {

    /** After the engine broke off the upload, how long its answer may take to arrive. */
    static final Timeout EARLY_ANSWER_WAIT = Timeout.ofSeconds(5);

    private static final AtomicLong COUNT = new AtomicLong();

    @Override
    public ManagedHttpClientConnection createConnection(Socket socket) throws IOException {
        EarlyAnswerConnection connection = new EarlyAnswerConnection("engine-" + COUNT.incrementAndGet());
        if (socket != null) {
            connection.bind(socket);
        }
        return connection;
    }

    private static final class EarlyAnswerConnection extends DefaultManagedHttpClientConnection {
        private volatile boolean brokenOff;

        EarlyAnswerConnection(String id) {
            super(id);
        }

        @Override
        public void sendRequestEntity(ClassicHttpRequest request) throws HttpException, IOException {
            try {
                super.sendRequestEntity(request);
            } catch (SocketTimeoutException e) {
                throw e; // a silent engine: there is no answer to wait for
            } catch (IOException e) {
                // only a body sends anything here (the archive, which has recorded the failure): go on to the answer
                brokenOff = true;
                setSocketTimeout(EARLY_ANSWER_WAIT);
            }
        }

        @Override
        public void flush() throws IOException {
            if (!brokenOff) { // what is left in the buffer can no longer be sent
                super.flush();
            }
        }

        @Override
        public boolean isConsistent() {
            return !brokenOff && super.isConsistent();
        }
    }
}
