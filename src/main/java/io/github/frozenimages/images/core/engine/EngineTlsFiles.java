package io.github.frozenimages.images.core.engine;

import java.io.IOException;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedKeyManager;
import javax.net.ssl.X509TrustManager;

/**
 * The TLS files of an engine, as the Docker CLI reads them from {@code DOCKER_CERT_PATH} or a context's TLS
 * folder: {@code ca.pem} (added to the JVM's CAs, as Go adds it to the system pool), and the client's
 * {@code cert.pem} with its {@code key.pem}, both or neither. Every message about them ends with the setting
 * that chose the folder, since that is what the user changes.
 */
final class EngineTlsFiles {

    static final String CA = "ca.pem";
    static final String CERT = "cert.pem";
    static final String KEY = "key.pem";

    private final Path directory;
    private final String setting;

    private EngineTlsFiles(Path directory, String setting) {
        this.directory = directory;
        this.setting = setting;
    }

    /** @param setting what chose the folder, as messages name it, e.g. {@code DOCKER_CERT_PATH=/certs/client} */
    static EngineTlsFiles in(Path directory, String setting) {
        return new EngineTlsFiles(directory, setting);
    }

    Path directory() {
        return directory;
    }

    Path certificate() {
        return directory.resolve(CERT);
    }

    /** {@code (check DOCKER_CERT_PATH=/certs/client)}: the end of every message about these files. */
    String advice() {
        return "(check " + setting + ")";
    }

    /** The trust and the client key read from the files, from which each connection gets its own TLS context. */
    record Setup(TrustManager[] trust, X509ExtendedKeyManager keys) {

        boolean offersCertificate() {
            return keys != null;
        }

        /**
         * A context for one connection, which notes in {@code asked} whether the engine asked for a client
         * certificate. One per connection also means no session is resumed: OpenSSL-based proxies without a
         * session id context (socat's {@code verify=1}) refuse a resumption that asks for one with an
         * {@code internal_error} alert, where a fresh handshake works.
         */
        SSLContext newContext(AtomicBoolean asked) throws GeneralSecurityException {
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(new KeyManager[] {new Recording(keys, asked)}, trust, null);
            return context;
        }
    }

    /**
     * Reads the files into a TLS setup.
     *
     * @param engine the engine's address, for messages
     * @throws EngineException ({@link EngineException.Reason#TLS}) when a file is missing or unusable
     */
    Setup load(String engine) {
        Path ca = directory.resolve(CA);
        Path cert = certificate();
        Path key = directory.resolve(KEY);
        boolean hasCert = Files.exists(cert);
        boolean hasKey = Files.exists(key);
        if (hasCert && !hasKey) {
            throw unusable(engine, key + " does not exist, and " + CERT + " is of no use without its key");
        }
        if (hasKey && !hasCert) {
            throw unusable(engine, cert + " does not exist, and " + KEY + " is of no use without its certificate");
        }
        if (!hasCert && !Files.exists(ca) && !Files.isDirectory(directory)) {
            throw unusable(engine, "the folder " + directory + " does not exist");
        }
        try {
            KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
            trust.load(null, null);
            int n = 0;
            for (X509Certificate jvmCa : jvmCas()) {
                trust.setCertificateEntry("jvm-" + n++, jvmCa);
            }
            if (Files.exists(ca)) {
                for (X509Certificate c : read(engine, ca, () -> PemFiles.certificates(ca))) {
                    trust.setCertificateEntry("ca.pem-" + n++, c);
                }
            }
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(trust);
            X509ExtendedKeyManager keys = null;
            if (hasCert) {
                List<X509Certificate> chain = read(engine, cert, () -> PemFiles.certificates(cert));
                PrivateKey privateKey = read(engine, key, () -> PemFiles.privateKey(key));
                keys = keyManager(chain, privateKey);
            }
            Setup setup = new Setup(tmf.getTrustManagers(), keys);
            setup.newContext(new AtomicBoolean()); // fails here, before any connection, if the JVM cannot use them
            return setup;
        } catch (GeneralSecurityException | IOException e) {
            throw unusable(engine, "TLS cannot be set up with the files in " + directory + ": " + e.getMessage());
        }
    }

    private EngineException unusable(String engine, String why) {
        return new EngineException(EngineException.Reason.TLS, "cannot use TLS with the engine at " + engine + ": " + why
                + " " + advice());
    }

    private interface FileReader<T> {
        T read() throws IOException;
    }

    private <T> T read(String engine, Path file, FileReader<T> reader) {
        try {
            return reader.read();
        } catch (IOException e) {
            throw unusable(engine, file + " cannot be read: " + e.getMessage());
        }
    }

    private static X509ExtendedKeyManager keyManager(List<X509Certificate> chain, PrivateKey key) throws GeneralSecurityException, IOException {
        KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
        store.load(null, null);
        char[] none = new char[0];
        store.setKeyEntry("client", key, none, chain.toArray(new X509Certificate[0]));
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(store, none);
        for (KeyManager manager : kmf.getKeyManagers()) {
            if (manager instanceof X509ExtendedKeyManager x) {
                return x;
            }
        }
        throw new GeneralSecurityException("the JVM offers no X.509 key manager");
    }

    private static List<X509Certificate> jvmCas() throws GeneralSecurityException {
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init((KeyStore) null);
        for (TrustManager tm : tmf.getTrustManagers()) {
            if (tm instanceof X509TrustManager x) {
                return List.of(x.getAcceptedIssuers());
            }
        }
        return List.of();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof EngineTlsFiles other && directory.equals(other.directory);
    }

    @Override
    public int hashCode() {
        return directory.hashCode();
    }

    @Override
    public String toString() {
        return setting;
    }

    /**
     * Offers the client certificate, if there is one, and notes that the engine asked for one: an engine that
     * refuses a certificate, or wants one it did not get, lets a TLS 1.3 handshake finish and then drops the
     * connection, so the error the request sees ("Broken pipe") does not say why; this does.
     */
    private static final class Recording extends X509ExtendedKeyManager {
        private final X509ExtendedKeyManager delegate;
        private final AtomicBoolean asked;

        Recording(X509ExtendedKeyManager delegate, AtomicBoolean asked) {
            this.delegate = delegate;
            this.asked = asked;
        }

        @Override
        public String chooseClientAlias(String[] keyType, Principal[] issuers, Socket socket) {
            asked.set(true);
            return delegate == null ? null : delegate.chooseClientAlias(keyType, issuers, socket);
        }

        @Override
        public String chooseEngineClientAlias(String[] keyType, Principal[] issuers, SSLEngine engine) {
            asked.set(true);
            return delegate == null ? null : delegate.chooseEngineClientAlias(keyType, issuers, engine);
        }

        @Override
        public String[] getClientAliases(String keyType, Principal[] issuers) {
            return delegate == null ? null : delegate.getClientAliases(keyType, issuers);
        }

        @Override
        public String[] getServerAliases(String keyType, Principal[] issuers) {
            return null;
        }

        @Override
        public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
            return null;
        }

        @Override
        public X509Certificate[] getCertificateChain(String alias) {
            return delegate == null ? null : delegate.getCertificateChain(alias);
        }

        @Override
        public PrivateKey getPrivateKey(String alias) {
            return delegate == null ? null : delegate.getPrivateKey(alias);
        }
    }
}
