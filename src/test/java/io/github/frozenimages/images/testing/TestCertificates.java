package io.github.frozenimages.images.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A throwaway PKI made with the {@code openssl} CLI: a CA, a server certificate for 127.0.0.1 (SANs
 * {@code IP:127.0.0.1}, {@code DNS:localhost}) and a client certificate, both signed by the CA. The files are
 * the PEM files a registry's {@code http.tls} and Docker's {@code certs.d} folders take. Valid for two days,
 * so a clock a little off does not matter.
 *
 * @param caCertificate       the CA, as a trust store bundle or a {@code certs.d/<host:port>/ca.crt}
 * @param serverCertificate   for {@code http.tls.certificate}
 * @param serverKey           for {@code http.tls.key}
 * @param clientCertificate   for {@code certs.d/<host:port>/client.cert}
 * @param clientKeyPkcs8      {@code -----BEGIN PRIVATE KEY-----}, what {@code openssl genpkey} writes
 * @param clientKeyPkcs1      the same key as {@code -----BEGIN RSA PRIVATE KEY-----}, what older tools write
 */
public record TestCertificates(Path directory, Path caCertificate, Path serverCertificate, Path serverKey,
                               Path clientCertificate, Path clientKeyPkcs8, Path clientKeyPkcs1) {

    /** Each openssl call is small; this bound only catches a hung process. */
    private static final Duration OPENSSL_TIMEOUT = Duration.ofSeconds(60);
    private static final String DAYS = "2";

    /** A self-signed EC P-256 certificate and its PKCS#8 key, e.g. for signing registry tokens (ES256). */
    public record SigningCertificate(Path certificate, Path pkcs8Key) {
    }

    /** Creates the CA, the server and the client certificates in {@code directory} (which must exist). */
    public static TestCertificates createIn(Path directory) {
        String openssl = Consumers.requireBinary(Path.of("/usr/bin/openssl"), "openssl");
        Path caKey = directory.resolve("ca.key");
        Path ca = directory.resolve("ca.crt");
        openssl(openssl, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", caKey.toString(), "-out", ca.toString(),
                "-days", DAYS, "-subj", "/CN=images-maven-plugin test CA",
                "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign");

        Path serverKey = directory.resolve("server.key");
        Path server = directory.resolve("server.crt");
        signed(openssl, directory, ca, caKey, "server", "/CN=127.0.0.1", serverKey, server,
                "subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n");

        Path clientKey = directory.resolve("client.key");
        Path client = directory.resolve("client.cert");
        signed(openssl, directory, ca, caKey, "client", "/CN=images-maven-plugin test client", clientKey, client,
                "extendedKeyUsage=clientAuth\n");
        Path clientKeyPkcs1 = directory.resolve("client-pkcs1.key");
        openssl(openssl, "rsa", "-in", clientKey.toString(), "-traditional", "-out", clientKeyPkcs1.toString());
        requirePemBlock(clientKey, "PRIVATE KEY");
        requirePemBlock(clientKeyPkcs1, "RSA PRIVATE KEY");
        return new TestCertificates(directory, ca, server, serverKey, client, clientKey, clientKeyPkcs1);
    }

    /** A self-signed EC P-256 certificate named {@code commonName}, with its key, in {@code directory}. */
    public static SigningCertificate selfSignedEc(Path directory, String commonName) {
        String openssl = Consumers.requireBinary(Path.of("/usr/bin/openssl"), "openssl");
        Path key = directory.resolve("signing.key");
        Path certificate = directory.resolve("signing.crt");
        openssl(openssl, "genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", key.toString());
        openssl(openssl, "req", "-x509", "-new", "-key", key.toString(), "-out", certificate.toString(), "-days", DAYS,
                "-subj", "/CN=" + commonName);
        requirePemBlock(key, "PRIVATE KEY");
        return new SigningCertificate(certificate, key);
    }

    /** A fresh RSA key and a certificate for it, signed by the CA with the given extensions. */
    private static void signed(String openssl, Path directory, Path ca, Path caKey, String name, String subject,
                               Path key, Path certificate, String extensions) {
        Path csr = directory.resolve(name + ".csr");
        Path ext = directory.resolve(name + ".ext");
        write(ext, "basicConstraints=CA:FALSE\n" + extensions);
        // genpkey writes PKCS#8, the form Java reads without help
        openssl(openssl, "genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", key.toString());
        openssl(openssl, "req", "-new", "-key", key.toString(), "-out", csr.toString(), "-subj", subject);
        openssl(openssl, "x509", "-req", "-in", csr.toString(), "-CA", ca.toString(), "-CAkey", caKey.toString(),
                "-set_serial", "0x" + Long.toHexString(System.nanoTime() & Long.MAX_VALUE), "-days", DAYS,
                "-extfile", ext.toString(), "-out", certificate.toString());
    }

    private static void openssl(String openssl, String... arguments) {
        List<String> command = new ArrayList<>();
        command.add(openssl);
        command.addAll(List.of(arguments));
        ProcessRunner.runSuccessfully(OPENSSL_TIMEOUT, Map.of(), command);
    }

    /** openssl's defaults have changed between versions; a test about key formats must get the one it names. */
    private static void requirePemBlock(Path file, String type) {
        String text;
        try {
            text = Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
        if (!text.contains("-----BEGIN " + type + "-----")) {
            throw new AssertionError(file + " holds no " + type + " block:\n" + text.lines().findFirst().orElse(""));
        }
    }

    private static void write(Path file, String text) {
        try {
            Files.writeString(file, text);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }
}
