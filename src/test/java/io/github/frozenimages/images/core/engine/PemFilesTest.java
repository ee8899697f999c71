package io.github.frozenimages.images.core.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.interfaces.ECPrivateKey;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * key.pem in each form openssl writes, read back to the very key openssl's own PKCS#8 conversion of it holds: the
 * forms differ only in how the key is wrapped, so the key bytes must not.
 */
class PemFilesTest {

    @TempDir
    Path temp;

    private Path openssl(String... arguments) throws IOException, InterruptedException {
        List<String> command = new java.util.ArrayList<>(List.of("/usr/bin/openssl"));
        command.addAll(List.of(arguments));
        Process process = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(temp.resolve("openssl.log").toFile()).redirectInput(new File("/dev/null")).start();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("openssl did not finish: " + command);
        }
        assertEquals(0, process.exitValue(), command + ": " + Files.readString(temp.resolve("openssl.log")));
        return temp;
    }

    /** openssl's PKCS#8 form of the same key, read by the JDK alone. */
    private PrivateKey reference(Path key, String algorithm) throws Exception {
        Path pkcs8 = temp.resolve(key.getFileName() + ".p8.der");
        openssl("pkcs8", "-topk8", "-nocrypt", "-in", key.toString(), "-outform", "DER", "-out", pkcs8.toString());
        return java.security.KeyFactory.getInstance(algorithm)
                .generatePrivate(new java.security.spec.PKCS8EncodedKeySpec(Files.readAllBytes(pkcs8)));
    }

    /** The same secret on the same curve: the encodings may differ in whether the curve is repeated inside. */
    private static void assertSameEcKey(PrivateKey expected, PrivateKey actual) {
        ECPrivateKey e = (ECPrivateKey) expected;
        ECPrivateKey a = (ECPrivateKey) actual;
        assertEquals(e.getS(), a.getS());
        assertEquals(e.getParams().getOrder(), a.getParams().getOrder());
        assertEquals(e.getParams().getCurve(), a.getParams().getCurve());
    }

    @Test
    void readsAPkcs1RsaKey() throws Exception {
        Path key = temp.resolve("rsa.pem");
        openssl("genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", temp.resolve("rsa8.pem").toString());
        openssl("rsa", "-in", temp.resolve("rsa8.pem").toString(), "-traditional", "-out", key.toString());
        assertTrue(Files.readString(key).contains("BEGIN RSA PRIVATE KEY"));

        PrivateKey read = PemFiles.privateKey(key);

        assertEquals("RSA", read.getAlgorithm());
        assertArrayEquals(reference(key, "RSA").getEncoded(), read.getEncoded());
    }

    @Test
    void readsASec1EcKeyAfterItsParametersBlock() throws Exception {
        Path key = temp.resolve("ec.pem");
        openssl("ecparam", "-name", "prime256v1", "-genkey", "-out", key.toString());
        String text = Files.readString(key);
        assertTrue(text.contains("BEGIN EC PARAMETERS") && text.contains("BEGIN EC PRIVATE KEY"), text);

        PrivateKey read = PemFiles.privateKey(key);

        assertEquals("EC", read.getAlgorithm());
        assertSameEcKey(reference(key, "EC"), read);
    }

    @Test
    void readsPkcs8KeysOfBothKinds() throws Exception {
        Path rsa = temp.resolve("rsa8.pem");
        Path ec = temp.resolve("ec8.pem");
        openssl("genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", rsa.toString());
        openssl("genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-384", "-out", ec.toString());

        assertArrayEquals(reference(rsa, "RSA").getEncoded(), PemFiles.privateKey(rsa).getEncoded());
        assertSameEcKey(reference(ec, "EC"), PemFiles.privateKey(ec));
    }

    @Test
    void anEncryptedKeyIsRefusedWithHowToDecryptIt() throws Exception {
        Path key = temp.resolve("encrypted.pem");
        openssl("genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-aes256", "-pass", "pass:secret",
                "-out", key.toString());

        IOException e = assertThrows(IOException.class, () -> PemFiles.privateKey(key));
        assertEquals("the key is encrypted; Docker's key.pem is not (openssl pkey -in key.pem -out key.pem decrypts it)", e.getMessage());
    }

    @Test
    void aFileWithoutAKeySaysSo() throws IOException {
        Path file = Files.writeString(temp.resolve("cert-only.pem"), "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n");

        IOException e = assertThrows(IOException.class, () -> PemFiles.privateKey(file));
        assertEquals("it holds no PRIVATE KEY, RSA PRIVATE KEY or EC PRIVATE KEY block", e.getMessage());
    }
}
