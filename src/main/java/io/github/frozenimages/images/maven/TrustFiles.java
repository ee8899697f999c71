package io.github.frozenimages.images.maven;

import static io.github.frozenimages.images.maven.MavenExceptions.misconfigured;

import io.github.frozenimages.images.core.ref.ImageRequest;
import io.github.frozenimages.images.core.http.TlsSettings;
import io.github.frozenimages.images.core.ref.ImageReference;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryIteratorException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.UnrecoverableKeyException;
import java.security.cert.CertificateFactory;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.maven.plugin.MojoFailureException;

/**
 * Reads the files TLS will trust, as the core reads them: the configured trust store, and Docker's certs.d
 * folder of each registry and mirror the build reaches over https. The core reads them only at the first
 * handshake that needs them, where a file it cannot read looks like an unreachable registry, and only after
 * every retry; read here, the same mistake fails the build before any request, naming the file and the setting.
 */
final class TrustFiles {

    /** As many bytes as the core looks at to tell a PEM bundle from a binary key store. */
    private static final int SNIFF_BYTES = 64;
    private static final List<String> PRIVATE_KEY_BLOCKS = List.of("-----BEGIN PRIVATE KEY-----", "-----BEGIN RSA PRIVATE KEY-----");

    private TrustFiles() {
    }

    /** @param httpsAuthorities the {@code host[:port]} of each endpoint reached over https */
    static void check(TlsSettings tls, Collection<String> httpsAuthorities) throws MojoFailureException {
        if (tls.trustStore().isPresent()) {
            checkTrustStore(tls.trustStore().get(), tls.trustStorePassword());
        }
        for (String authority : httpsAuthorities) {
            for (Path directory : tls.certsDirectories()) {
                Optional<Path> folder = folderFor(directory, authority);
                if (folder.isPresent()) {
                    checkCertsFolder(folder.get());
                }
            }
        }
    }

    /**
     * The endpoints of these images' registries and of every mirror that may be reached over https: all but
     * the insecure registries and the http mirrors. A loopback registry counts too, since a certs.d folder of
     * its own is what makes the pull use https for it.
     */
    static Set<String> httpsAuthorities(List<ImageRequest> images, Map<String, List<URI>> mirrors, Set<String> insecureRegistries) {
        Set<String> authorities = new LinkedHashSet<>();
        for (ImageRequest image : images) {
            ImageReference reference = image.reference();
            if (!insecureRegistries.contains(reference.registry()) && !insecureRegistries.contains(reference.registryHost())) {
                authorities.add(reference.registryHost());
            }
        }
        for (List<URI> urls : mirrors.values()) {
            for (URI url : urls) {
                if ("https".equalsIgnoreCase(url.getScheme())) {
                    authorities.add(url.getRawAuthority());
                }
            }
        }
        return authorities;
    }

    /** A PEM bundle of CA certificates, or a PKCS12 (JKS for {@code .jks}) key store, holding at least one certificate. */
    static void checkTrustStore(Path file, Optional<String> password) throws MojoFailureException {
        if (!Files.isRegularFile(file)) {
            throw misconfigured(UserParameter.TRUST_STORE, "the trust store " + file + (Files.exists(file) ? " is not a file" : " does not exist"));
        }
        int certificates;
        boolean keyStore = false;
        try {
            byte[] start;
            try (InputStream in = Files.newInputStream(file)) {
                start = in.readNBytes(SNIFF_BYTES);
            }
            if (new String(start, StandardCharsets.ISO_8859_1).contains("-----BEGIN")) {
                certificates = pemCertificates(file, UserParameter.TRUST_STORE);
            } else {
                keyStore = true;
                KeyStore store = KeyStore.getInstance(file.toString().endsWith(".jks") ? "JKS" : "PKCS12");
                try (InputStream in = Files.newInputStream(file)) {
                    store.load(in, password.map(String::toCharArray).orElse(null));
                }
                certificates = 0;
                for (String alias : Collections.list(store.aliases())) {
                    if (store.getCertificate(alias) != null) {
                        certificates++;
                    }
                }
            }
        } catch (IOException e) {
            // the key store API reports a wrong password as an IOException caused by this
            if (e.getCause() instanceof UnrecoverableKeyException) {
                throw misconfigured(UserParameter.TRUST_STORE_PASSWORD, "the trust store " + file
                        + " does not open with " + (password.isPresent() ? "the password given" : "no password"), e);
            }
            throw misconfigured(UserParameter.TRUST_STORE, "cannot read the trust store " + file + ", which is neither a PEM"
                    + " file of certificates nor a PKCS12 or JKS key store: " + e.getMessage(), e);
        } catch (GeneralSecurityException e) {
            throw misconfigured(UserParameter.TRUST_STORE, "cannot read the trust store " + file + ": " + e.getMessage(), e);
        }
        if (certificates == 0) {
            throw misconfigured(keyStore && password.isEmpty() ? UserParameter.TRUST_STORE_PASSWORD : UserParameter.TRUST_STORE,
                    "the trust store " + file + " holds no certificate" + (keyStore && password.isEmpty()
                            ? " that can be read without its password" : ""));
        }
    }

    /** Every {@code *.crt} holds CA certificates; a client certificate and key, when both are there, can be read. */
    static void checkCertsFolder(Path folder) throws MojoFailureException {
        try (DirectoryStream<Path> crts = Files.newDirectoryStream(folder, "*.crt")) {
            for (Path crt : crts) {
                pemCertificates(crt, UserParameter.CERTS_D);
            }
        } catch (IOException | DirectoryIteratorException e) {
            throw misconfigured(UserParameter.CERTS_D, "cannot list the CA certificates in " + folder + ": " + e.getMessage(), e);
        }
        Path cert = folder.resolve("client.cert");
        Path key = folder.resolve("client.key");
        // as for the core, one of the two alone means no client certificate, which is no mistake by itself
        if (Files.isRegularFile(cert) && Files.isRegularFile(key)) {
            pemCertificates(cert, UserParameter.CERTS_D);
            String text;
            try {
                text = Files.readString(key, StandardCharsets.US_ASCII);
            } catch (IOException e) {
                throw misconfigured(UserParameter.CERTS_D, "cannot read the private key " + key + ": " + e.getMessage(), e);
            }
            if (PRIVATE_KEY_BLOCKS.stream().noneMatch(text::contains)) {
                throw misconfigured(UserParameter.CERTS_D, "no PKCS#8 or RSA private key in " + key
                        + " (an encrypted key is not supported)");
            }
        }
    }

    /**
     * The folder of a {@code host[:port]} in one certs.d directory, as the core's TLS setup looks it up:
     * {@code host:port}, and on the default port 443 also the bare host, Docker's name for it.
     */
    static Optional<Path> folderFor(Path directory, String authority) {
        int colon = authority.lastIndexOf(':');
        boolean hasPort = colon > authority.lastIndexOf(']');
        String host = hasPort ? authority.substring(0, colon) : authority;
        boolean defaultPort = !hasPort || authority.substring(colon + 1).equals("443");
        for (String name : defaultPort ? List.of(host + ":443", host) : List.of(authority)) {
            try {
                Path folder = directory.resolve(name);
                if (Files.isDirectory(folder)) {
                    return Optional.of(folder);
                }
            } catch (InvalidPathException e) {
                // a name that is no file name on this system cannot have a folder
            }
        }
        return Optional.empty();
    }

    private static int pemCertificates(Path file, UserParameter setting) throws MojoFailureException {
        int count;
        try {
            count = CertificateFactory.getInstance("X.509")
                    .generateCertificates(new ByteArrayInputStream(Files.readAllBytes(file))).size();
        } catch (IOException | GeneralSecurityException e) {
            throw misconfigured(setting, "cannot read the certificates in " + file + ": " + e.getMessage(), e);
        }
        if (count == 0) {
            throw misconfigured(setting, "no certificate in " + file);
        }
        return count;
    }
}
