package io.github.frozenimages.images.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * A Docker TLS folder as {@code DOCKER_CERT_PATH} or a context's {@code tls/<hex>/docker/} holds it: {@code ca.pem},
 * {@code cert.pem}, {@code key.pem}, made from a {@link TestCertificates} CA, with the client key in the form asked
 * for. An EC key gets its own client certificate, signed by the same CA.
 */
public final class DockerTlsFolder {

    private static final Duration OPENSSL_TIMEOUT = Duration.ofSeconds(60);

    /** The three PEM forms of a private key that Docker's TLS folders are found with. */
    public enum KeyForm {
        /** {@code BEGIN PRIVATE KEY}, openssl 3's default. */
        PKCS8,
        /** {@code BEGIN RSA PRIVATE KEY}, Docker's own guide's. */
        PKCS1,
        /** {@code BEGIN EC PRIVATE KEY}, {@code openssl ecparam -genkey}'s. */
        SEC1_EC
    }

    private DockerTlsFolder() {
    }

    /** Writes {@code ca.pem}, {@code cert.pem} and {@code key.pem} into {@code folder} (created if needed). */
    public static Path write(TestCertificates certificates, KeyForm form, Path folder) {
        try {
            Files.createDirectories(folder);
            Files.copy(certificates.caCertificate(), folder.resolve("ca.pem"), StandardCopyOption.REPLACE_EXISTING);
            switch (form) {
                case PKCS8 -> {
                    Files.copy(certificates.clientCertificate(), folder.resolve("cert.pem"), StandardCopyOption.REPLACE_EXISTING);
                    Files.copy(certificates.clientKeyPkcs8(), folder.resolve("key.pem"), StandardCopyOption.REPLACE_EXISTING);
                }
                case PKCS1 -> {
                    Files.copy(certificates.clientCertificate(), folder.resolve("cert.pem"), StandardCopyOption.REPLACE_EXISTING);
                    Files.copy(certificates.clientKeyPkcs1(), folder.resolve("key.pem"), StandardCopyOption.REPLACE_EXISTING);
                }
                case SEC1_EC -> ecClient(certificates, folder);
            }
            return folder;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the TLS folder " + folder, e);
        }
    }

    private static void ecClient(TestCertificates certificates, Path folder) throws IOException {
        String openssl = Consumers.requireBinary(Path.of("/usr/bin/openssl"), "openssl");
        Path key = folder.resolve("key.pem");
        Path csr = folder.resolve("client-ec.csr");
        Path ext = folder.resolve("client-ec.ext");
        Files.writeString(ext, "basicConstraints=CA:FALSE\nextendedKeyUsage=clientAuth\n");
        // ecparam -genkey writes SEC1 (and an EC PARAMETERS block before it, which a reader must pass over)
        run(openssl, "ecparam", "-name", "prime256v1", "-genkey", "-out", key.toString());
        run(openssl, "req", "-new", "-key", key.toString(), "-out", csr.toString(), "-subj", "/CN=images-maven-plugin test EC client");
        run(openssl, "x509", "-req", "-in", csr.toString(), "-CA", certificates.caCertificate().toString(),
                "-CAkey", certificates.directory().resolve("ca.key").toString(),
                "-set_serial", "0x" + Long.toHexString(System.nanoTime() & Long.MAX_VALUE), "-days", "2",
                "-extfile", ext.toString(), "-out", folder.resolve("cert.pem").toString());
        Files.delete(csr);
        Files.delete(ext);
        if (!Files.readString(key).contains("-----BEGIN EC PRIVATE KEY-----")) {
            throw new AssertionError(key + " holds no EC PRIVATE KEY block");
        }
    }

    private static void run(String openssl, String... arguments) {
        List<String> command = new java.util.ArrayList<>();
        command.add(openssl);
        command.addAll(List.of(arguments));
        ProcessRunner.runSuccessfully(OPENSSL_TIMEOUT, Map.of(), command);
    }
}
