package io.github.frozenimages.images.maven;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.frozenimages.images.core.ref.ImageRequest;
import io.github.frozenimages.images.core.http.TlsSettings;
import io.github.frozenimages.images.core.ref.ImageReference;
import io.github.frozenimages.images.core.ref.Platform;
import io.github.frozenimages.images.testing.TestCertificates;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.maven.plugin.MojoFailureException;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The trust files are read as the pull's TLS setup reads them, and what it could not read fails the build by name. */
class TrustFilesTest {

    @TempDir
    static Path pki;

    static TestCertificates certificates;

    @TempDir
    Path work;

    @BeforeAll
    static void createCertificates() {
        certificates = TestCertificates.createIn(pki);
    }

    private static String refusedTrustStore(Path file, Optional<String> password) {
        return assertThrows(MojoFailureException.class, () -> TrustFiles.checkTrustStore(file, password)).getMessage();
    }

    private static String refusedFolder(Path folder) {
        return assertThrows(MojoFailureException.class, () -> TrustFiles.checkCertsFolder(folder)).getMessage();
    }

    @Test
    void aPemBundleAndAKeyStoreWithItsPasswordAreTrustStores() throws Exception {
        assertDoesNotThrow(() -> TrustFiles.checkTrustStore(certificates.caCertificate(), Optional.empty()));
        Path store = keyStore("ca.p12", "s3cret");
        assertDoesNotThrow(() -> TrustFiles.checkTrustStore(store, Optional.of("s3cret")));
    }

    @Test
    void aMissingOrUnreadableTrustStoreNamesTheParameter() throws Exception {
        Path missing = work.resolve("missing.pem");
        assertEquals("the trust store " + missing + " does not exist (check <trustStore> or -Dimages.trustStore)",
                refusedTrustStore(missing, Optional.empty()));
        assertEquals("the trust store " + work + " is not a file (check <trustStore> or -Dimages.trustStore)",
                refusedTrustStore(work, Optional.empty()));

        Path garbage = Files.writeString(work.resolve("ca.p12"), "certificates go here\n");
        String message = refusedTrustStore(garbage, Optional.empty());
        assertTrue(message.startsWith("cannot read the trust store " + garbage + ", which is neither a PEM file"), message);
        assertTrue(message.endsWith(" (check <trustStore> or -Dimages.trustStore)"), message);

        Path brokenPem = Files.writeString(work.resolve("ca.pem"), "-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydA==\n-----END CERTIFICATE-----\n");
        message = refusedTrustStore(brokenPem, Optional.empty());
        assertTrue(message.startsWith("cannot read the certificates in " + brokenPem), message);
        assertTrue(message.endsWith(" (check <trustStore> or -Dimages.trustStore)"), message);
    }

    @Test
    void aWrongKeyStorePasswordNamesThePasswordParameter() throws Exception {
        Path store = keyStore("ca.p12", "s3cret");
        assertEquals("the trust store " + store + " does not open with the password given"
                + " (check <trustStorePassword> or -Dimages.trustStorePassword)", refusedTrustStore(store, Optional.of("wrong")));
    }

    @Test
    void aCertsFolderOfReadableCasAndAClientPairPasses() throws Exception {
        Path folder = certsFolder("registry.example:5000");
        Files.copy(certificates.caCertificate(), folder.resolve("ca.crt"));
        Files.copy(certificates.clientCertificate(), folder.resolve("client.cert"));
        Files.copy(certificates.clientKeyPkcs1(), folder.resolve("client.key"));
        assertDoesNotThrow(() -> TrustFiles.checkCertsFolder(folder));
    }

    @Test
    void anUnreadableCaOrClientKeyInACertsFolderNamesTheFile() throws Exception {
        Path folder = certsFolder("registry.example:5000");
        Path ca = Files.writeString(folder.resolve("ca.crt"), "not a certificate\n");
        String message = refusedFolder(folder);
        assertTrue(message.startsWith("cannot read the certificates in " + ca), message);
        assertTrue(message.endsWith(" (check " + UserParameter.CERTS_D + ")"), message);

        Files.copy(certificates.caCertificate(), ca, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        Files.copy(certificates.clientCertificate(), folder.resolve("client.cert"));
        Path key = Files.writeString(folder.resolve("client.key"), "-----BEGIN ENCRYPTED PRIVATE KEY-----\nAAAA\n-----END ENCRYPTED PRIVATE KEY-----\n");
        assertEquals("no PKCS#8 or RSA private key in " + key + " (an encrypted key is not supported) (check " + UserParameter.CERTS_D + ")",
                refusedFolder(folder));
    }

    @Test
    void theFolderOfARegistryIsLookedUpAsDockerNamesIt() throws Exception {
        Path withPort = certsFolder("registry.example:5000");
        Path bare = certsFolder("registry.example");
        assertEquals(Optional.of(withPort), TrustFiles.folderFor(work, "registry.example:5000"));
        assertEquals(Optional.of(bare), TrustFiles.folderFor(work, "registry.example"), "the default port has the bare host's folder");
        assertEquals(Optional.of(bare), TrustFiles.folderFor(work, "registry.example:443"));
        Path explicit = certsFolder("registry.example:443");
        assertEquals(Optional.of(explicit), TrustFiles.folderFor(work, "registry.example"), "host:443 comes first, as in the pull");
        assertEquals(Optional.empty(), TrustFiles.folderFor(work, "registry.example:6000"));
    }

    @Test
    void aBrokenFolderOfARegistryNoImageUsesIsNotRead() throws Exception {
        Files.writeString(certsFolder("unused.example").resolve("ca.crt"), "not a certificate\n");
        Files.writeString(certsFolder("insecure.example:5000").resolve("ca.crt"), "not a certificate\n");
        TlsSettings tls = new TlsSettings(Optional.empty(), Optional.empty(), List.of(work));
        Set<String> reached = TrustFiles.httpsAuthorities(
                List.of(image("insecure.example:5000/app:1"), image("registry.example/app:1")),
                Map.of("docker.io", List.of(URI.create("http://127.0.0.1:5000"), URI.create("https://mirror.example:8443"))),
                Set.of("insecure.example:5000"));
        assertEquals(Set.of("registry.example", "mirror.example:8443"), reached, "plain http endpoints use no certs.d folder");
        assertDoesNotThrow(() -> TrustFiles.check(tls, reached));

        Files.writeString(certsFolder("mirror.example:8443").resolve("ca.crt"), "not a certificate\n");
        String message = assertThrows(MojoFailureException.class, () -> TrustFiles.check(tls, reached)).getMessage();
        assertTrue(message.startsWith("cannot read the certificates in " + work.resolve("mirror.example:8443").resolve("ca.crt")), message);
    }

    private static ImageRequest image(String reference) {
        return new ImageRequest(ImageReference.parse(reference), Platform.parse("linux/amd64"));
    }

    private Path certsFolder(String name) throws Exception {
        return Files.createDirectories(work.resolve(name));
    }

    /** A PKCS12 key store holding the test CA, as keytool -importcert writes one. */
    private Path keyStore(String name, String password) throws Exception {
        Certificate ca;
        try (InputStream in = Files.newInputStream(certificates.caCertificate())) {
            ca = CertificateFactory.getInstance("X.509").generateCertificate(in);
        }
        KeyStore store = KeyStore.getInstance("PKCS12");
        store.load(null, null);
        store.setCertificateEntry("ca", ca);
        Path file = work.resolve(name);
        try (OutputStream out = Files.newOutputStream(file)) {
            store.store(out, password.toCharArray());
        }
        return file;
    }
}
