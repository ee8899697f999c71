package io.github.frozenimages.images.core.http;

import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.security.Principal;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedKeyManager;
import javax.net.ssl.X509TrustManager;
import org.apache.hc.client5.http.ssl.DefaultClientTlsStrategy;
import org.apache.hc.client5.http.ssl.TlsSocketStrategy;
import org.apache.hc.core5.http.protocol.HttpContext;

/**
 * One TLS setup per registry host: the JVM's trust plus the configured trust store plus that host's
 * {@code certs.d} CAs, and its client certificate when there is one. Built on first use and kept.
 */
public final class TlsContexts implements TlsSocketStrategy {

    private final TlsSettings settings;
    private final Map<String, DefaultClientTlsStrategy> byHost = new ConcurrentHashMap<>();
    /** The JVM's CAs and the configured trust store's, which every host trusts: read once, on the first handshake. */
    private volatile List<X509Certificate> sharedCas;
    /** host:port of servers that asked for a client certificate in a handshake while none was configured for them. */
    private final Set<String> askedForMissingCertificate = ConcurrentHashMap.newKeySet();

    public TlsContexts(TlsSettings settings) {
        this.settings = settings;
    }

    @Override
    public SSLSocket upgrade(Socket socket, String target, int port, Object attachment, HttpContext context) throws IOException {
        return strategyFor(target, port).upgrade(socket, target, port, attachment, context);
    }

    /**
     * Whether the server at host:port asked for a client certificate that is not configured. A server that
     * requires one lets a TLS 1.3 handshake finish and then drops the connection, so the error the request
     * sees ("Broken pipe", "Connection reset") does not say why; this does.
     */
    public boolean askedForMissingClientCertificate(String host, int port) {
        return askedForMissingCertificate.contains(key(host, port));
    }

    static String key(String host, int port) {
        return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
    }

    DefaultClientTlsStrategy strategyFor(String host, int port) throws IOException {
        String key = key(host, port);
        DefaultClientTlsStrategy strategy = byHost.get(key);
        if (strategy == null) {
            strategy = new DefaultClientTlsStrategy(context(key, port == 443 ? host : key));
            byHost.put(key, strategy);
        }
        return strategy;
    }

    private SSLContext context(String hostPort, String dockerKeyForDefaultPort) throws IOException {
        try {
            KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
            trust.load(null, null);
            int n = 0;
            for (X509Certificate ca : sharedCas()) {
                trust.setCertificateEntry("shared-" + n++, ca);
            }
            KeyManager[] keys = null;
            for (Path dir : settings.certsDirectories()) {
                Path hostDir = dir.resolve(hostPort);
                if (!Files.isDirectory(hostDir)) {
                    hostDir = dir.resolve(dockerKeyForDefaultPort);
                }
                if (!Files.isDirectory(hostDir)) {
                    continue;
                }
                try (DirectoryStream<Path> crts = Files.newDirectoryStream(hostDir, "*.crt")) {
                    for (Path crt : crts) {
                        for (X509Certificate ca : Pem.certificates(crt)) {
                            trust.setCertificateEntry("certs.d-" + n++, ca);
                        }
                    }
                }
                Path cert = hostDir.resolve("client.cert");
                Path key = hostDir.resolve("client.key");
                if (keys == null && Files.isRegularFile(cert) && Files.isRegularFile(key)) {
                    keys = clientKeys(Pem.certificates(cert), Pem.privateKey(key));
                }
            }
            if (keys == null) {
                keys = new KeyManager[] {new NoClientCertificate(hostPort, askedForMissingCertificate)};
            }
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(trust);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(keys, tmf.getTrustManagers(), null);
            return context;
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot set up TLS for " + hostPort + ": " + e.getMessage(), e);
        }
    }

    private static KeyManager[] clientKeys(List<X509Certificate> chain, PrivateKey key) throws GeneralSecurityException, IOException {
        KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
        store.load(null, null);
        char[] none = new char[0];
        store.setKeyEntry("client", key, none, chain.toArray(new X509Certificate[0]));
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(store, none);
        return kmf.getKeyManagers();
    }

    private static List<X509Certificate> jvmCas() throws GeneralSecurityException {
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init((KeyStore) null);
        List<X509Certificate> cas = new ArrayList<>();
        for (javax.net.ssl.TrustManager tm : tmf.getTrustManagers()) {
            if (tm instanceof X509TrustManager x) {
                cas.addAll(List.of(x.getAcceptedIssuers()));
            }
        }
        return cas;
    }

    /** The JVM's CAs, then the configured trust store's: a PEM bundle, or a JKS/PKCS12 store. */
    private List<X509Certificate> sharedCas() throws IOException, GeneralSecurityException {
        List<X509Certificate> cas = sharedCas;
        if (cas != null) {
            return cas;
        }
        cas = jvmCas();
        if (settings.trustStore().isPresent()) {
            Path file = settings.trustStore().get();
            byte[] start;
            try (InputStream in = Files.newInputStream(file)) {
                start = in.readNBytes(64); // enough to tell PEM text from a binary key store
            }
            if (new String(start, java.nio.charset.StandardCharsets.ISO_8859_1).contains("-----BEGIN")) {
                cas.addAll(Pem.certificates(file));
            } else {
                KeyStore store = KeyStore.getInstance(file.toString().endsWith(".jks") ? "JKS" : "PKCS12");
                try (InputStream in = Files.newInputStream(file)) {
                    store.load(in, settings.trustStorePassword().map(String::toCharArray).orElse(null));
                }
                for (String alias : java.util.Collections.list(store.aliases())) {
                    if (store.getCertificate(alias) instanceof X509Certificate c) {
                        cas.add(c);
                    }
                }
            }
        }
        sharedCas = List.copyOf(cas);
        return sharedCas;
    }

    /** Offers no certificate, as no key manager would, but records that the server asked for one. */
    private static final class NoClientCertificate extends X509ExtendedKeyManager {

        private final String hostPort;
        private final Set<String> asked;

        NoClientCertificate(String hostPort, Set<String> asked) {
            this.hostPort = hostPort;
            this.asked = asked;
        }

        @Override
        public String chooseClientAlias(String[] keyType, Principal[] issuers, Socket socket) {
            asked.add(hostPort);
            return null;
        }

        @Override
        public String chooseEngineClientAlias(String[] keyType, Principal[] issuers, SSLEngine engine) {
            asked.add(hostPort);
            return null;
        }

        @Override
        public String[] getClientAliases(String keyType, Principal[] issuers) {
            return null;
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
            return null;
        }

        @Override
        public PrivateKey getPrivateKey(String alias) {
            return null;
        }
    }
}
