package io.github.frozenimages.images.core;

import io.github.frozenimages.images.core.shared.ImagePullException;
import io.github.frozenimages.images.core.shared.PullListener;
import io.github.frozenimages.images.core.ref.ImageRequest;
import io.github.frozenimages.images.core.output.PulledImage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.frozenimages.images.core.auth.CredentialProvider;
import io.github.frozenimages.images.core.http.TlsSettings;
import io.github.frozenimages.images.testing.RegistryConfig;
import io.github.frozenimages.images.testing.RegistryServer;
import io.github.frozenimages.images.testing.RegistryStorage;
import io.github.frozenimages.images.testing.StandardFixtures;
import io.github.frozenimages.images.testing.TestCertificates;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Pulls from a real registry that only speaks TLS (and one that also demands a client certificate), on
 * 127.0.0.1. A loopback registry is reached over https once a {@code certs.d/<host:port>} folder names it;
 * trust comes from the configured trust store or that folder's {@code *.crt}, never from a fallback to http.
 * The content is pushed into a plain registry once and copied into each TLS registry's storage, because the
 * test pusher does not speak TLS.
 */
class TlsRegistryTest {

    private static final String IMAGE = StandardFixtures.OCI_IMAGE + ":" + StandardFixtures.TAG;

    @TempDir
    static Path pki;

    static TestCertificates certificates;
    static RegistryServer seed;

    @TempDir
    Path work;

    @BeforeAll
    static void createCertificatesAndContent() {
        certificates = TestCertificates.createIn(pki);
        seed = RegistryServer.start();
        StandardFixtures.pushTo(seed.baseUrl());
    }

    @AfterAll
    static void stopSeed() {
        if (seed != null) {
            seed.close();
        }
    }

    @Test
    void aRegistryTrustedThroughTheTrustStoreBundleIsPulledOverHttps() throws IOException {
        try (RegistryServer registry = tlsRegistry(serverTls())) {
            // an empty folder only says "this registry speaks TLS"; the CA comes from the PEM bundle
            hostFolder(registry);
            TlsSettings tls = new TlsSettings(Optional.of(certificates.caCertificate()), Optional.empty(), List.of(work.resolve("certs.d")));

            PulledImage pulled = pull(registry, tls).get(0);

            assertEquals(StandardFixtures.build().ociImage().manifestDigest(), pulled.manifestDigest().toString());
            assertEquals(2, pulled.layers());
        }
    }

    @Test
    void aRegistryTrustedThroughItsCertsDFolderIsPulledOverHttps() throws IOException {
        try (RegistryServer registry = tlsRegistry(serverTls())) {
            Path folder = hostFolder(registry);
            Files.copy(certificates.caCertificate(), folder.resolve("ca.crt"));

            PulledImage pulled = pull(registry, certsD(registry)).get(0);

            assertEquals(StandardFixtures.build().ociImage().manifestDigest(), pulled.manifestDigest().toString());
        }
    }

    @ParameterizedTest(name = "client key as {0}")
    @ValueSource(strings = {"PKCS#8", "PKCS#1"})
    void mutualTlsUsesTheClientCertificateOfTheCertsDFolder(String keyFormat) throws IOException {
        try (RegistryServer registry = tlsRegistry(serverTls().set("http.tls.clientcas", List.of(certificates.caCertificate().toString())))) {
            Path folder = hostFolder(registry);
            Files.copy(certificates.caCertificate(), folder.resolve("ca.crt"));
            Files.copy(certificates.clientCertificate(), folder.resolve("client.cert"));
            Files.copy(keyFormat.equals("PKCS#8") ? certificates.clientKeyPkcs8() : certificates.clientKeyPkcs1(), folder.resolve("client.key"));

            PulledImage pulled = pull(registry, certsD(registry)).get(0);

            assertEquals(StandardFixtures.build().ociImage().manifestDigest(), pulled.manifestDigest().toString());
        }
    }

    @Test
    void mutualTlsWithoutAClientCertificateFailsNamingTheRegistry() throws IOException {
        try (RegistryServer registry = tlsRegistry(serverTls().set("http.tls.clientcas", List.of(certificates.caCertificate().toString())))) {
            Path folder = hostFolder(registry);
            Files.copy(certificates.caCertificate(), folder.resolve("ca.crt"));

            ImagePullException e = assertThrows(ImagePullException.class, () -> pull(registry, certsD(registry)));

            assertEquals(ImagePullException.Reason.UNREACHABLE, e.reason(), e.getMessage());
            assertTrue(e.getMessage().contains("https://" + registry.address()), e.getMessage());
            // the connection just drops (broken pipe, reset): the message must say why, and where the certificate goes
            assertTrue(e.getMessage().contains("asked for a TLS client certificate"), e.getMessage());
            assertTrue(e.getMessage().contains("certs.d/" + registry.address() + "/"), e.getMessage());
        }
    }

    @Test
    void anUntrustedCertificateFailsNamingTheRegistryAndTheCertificateProblem() throws IOException {
        try (RegistryServer registry = tlsRegistry(serverTls())) {
            // TLS is configured for the registry, but nothing trusts its CA: no fallback to http, a clear failure
            hostFolder(registry);

            ImagePullException e = assertThrows(ImagePullException.class, () -> pull(registry, certsD(registry)));

            assertEquals(ImagePullException.Reason.UNREACHABLE, e.reason(), e.getMessage());
            assertTrue(e.getMessage().contains("https://" + registry.address()), e.getMessage());
            assertTrue(e.getMessage().contains("certification path"), "names the certificate problem: " + e.getMessage());
        }
    }

    @Test
    void aLoopbackRegistryThatSpeaksOnlyTlsIsAskedOverHttpsWithTheTrustStoreAlone() {
        try (RegistryServer registry = tlsRegistry(serverTls())) {
            // no certs.d folder names the registry: it answers the plain ping that it speaks https, and is asked so
            TlsSettings trustStoreOnly = new TlsSettings(Optional.of(certificates.caCertificate()), Optional.empty(), List.of());

            PulledImage pulled = pull(registry, trustStoreOnly).get(0);

            assertEquals(StandardFixtures.build().ociImage().manifestDigest(), pulled.manifestDigest().toString());
            assertEquals("https://" + registry.address(), pulled.registry());
        }
    }

    @Test
    void aLoopbackRegistryThatSpeaksOnlyTlsWithAnUntrustedCertificateFailsNamingBothAnswers() {
        try (RegistryServer registry = tlsRegistry(serverTls())) {
            ImagePullException e = assertThrows(ImagePullException.class, () -> pull(registry, TlsSettings.JVM_DEFAULTS));

            assertEquals(ImagePullException.Reason.UNREACHABLE, e.reason(), e.getMessage());
            assertTrue(e.getMessage().contains(registry.address()), e.getMessage());
            // Go's TLS server answers a plain request with this 400; over https, nothing trusts the test's CA
            assertTrue(e.getMessage().contains("it answered plain http with \"Client sent an HTTP request to an HTTPS server."), e.getMessage());
            assertTrue(e.getMessage().contains("over https: registry https://" + registry.address() + " is unreachable"), e.getMessage());
            assertTrue(e.getMessage().contains("certification path"), "names the certificate problem: " + e.getMessage());
            assertTrue(e.messageWithAdvice().contains("images.trustStore"), "names the trust settings: " + e.messageWithAdvice());
        }
    }

    @Test
    void aLoopbackRegistryListedAsInsecureIsNeverAskedOverHttps() {
        try (RegistryServer registry = tlsRegistry(serverTls())) {
            ImageRequest image = RegistryTestSupport.image(registry.address() + "/" + IMAGE);
            ImagePullException e = assertThrows(ImagePullException.class, () -> new ImagePuller().pull(new PullRequest(List.of(image),
                    work.resolve("out"), OutputFormat.OCI, Optional.empty(), 2, work.resolve("cache"), Set.of(registry.address()),
                    CredentialProvider.ANONYMOUS, PullListener.SILENT).withNetwork(RegistryTestSupport.FAST_RETRIES)));

            // the user said plain http: the registry's answer is reported, and https is not tried
            assertTrue(e.getMessage().contains("HTTP request to an HTTPS server"), e.getMessage());
            assertTrue(!e.getMessage().contains("over https"), e.getMessage());
        }
    }

    @Test
    void aRedirectFromHttpsToPlainHttpIsRefused() throws IOException {
        try (io.github.frozenimages.images.testing.BlobHost blobHost = io.github.frozenimages.images.testing.BlobHost.start();
             RegistryServer registry = tlsRegistry(serverTls().set("middleware.storage",
                     List.of(java.util.Map.of("name", "redirect", "options", java.util.Map.of("baseurl", blobHost.baseUrl())))))) {
            blobHost.serveFrom(registry.storageRoot());
            Files.copy(certificates.caCertificate(), hostFolder(registry).resolve("ca.crt"));

            ImagePullException e = assertThrows(ImagePullException.class, () -> pull(registry, certsD(registry)));

            assertEquals(ImagePullException.Reason.PROTOCOL, e.reason(), e.getMessage());
            assertTrue(e.getMessage().contains("refusing a redirect from https to http (127.0.0.2)"), e.getMessage());
            assertEquals(List.of(), blobHost.requests(), "nothing may be fetched over the downgraded link");
        }
    }

    private static RegistryConfig serverTls() {
        return RegistryConfig.plain()
                .set("http.tls.certificate", certificates.serverCertificate().toString())
                .set("http.tls.key", certificates.serverKey().toString());
    }

    private static RegistryServer tlsRegistry(RegistryConfig config) {
        RegistryServer registry = RegistryServer.start(config);
        RegistryStorage.copy(seed, registry);
        return registry;
    }

    /** {@code <work>/certs.d/127.0.0.1:<port>/}, Docker's per-registry folder. */
    private Path hostFolder(RegistryServer registry) throws IOException {
        return Files.createDirectories(work.resolve("certs.d").resolve(registry.address()));
    }

    private TlsSettings certsD(RegistryServer registry) {
        return new TlsSettings(Optional.empty(), Optional.empty(), List.of(work.resolve("certs.d")));
    }

    private List<PulledImage> pull(RegistryServer registry, TlsSettings tls) {
        ImageRequest image = RegistryTestSupport.image(registry.address() + "/" + IMAGE);
        return new ImagePuller().pull(new PullRequest(List.of(image), work.resolve("out"), OutputFormat.OCI, Optional.empty(), 2,
                work.resolve("cache"), Set.of(), CredentialProvider.ANONYMOUS, PullListener.SILENT)
                .withNetwork(RegistryTestSupport.FAST_RETRIES.withTls(tls)));
    }
}
