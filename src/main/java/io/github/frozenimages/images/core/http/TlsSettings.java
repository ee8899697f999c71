package io.github.frozenimages.images.core.http;

import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * Where trust for registries comes from, beyond the JVM's own trust store.
 *
 * @param trustStore         a PEM bundle of CA certificates, or a JKS/PKCS12 key store, trusted for every registry
 * @param trustStorePassword the key store's password, if it has one
 * @param certsDirectories   Docker's per-registry folders, searched in order: {@code <dir>/<host[:port]>/} with
 *                           {@code *.crt} CA files and a {@code client.cert}/{@code client.key} pair for mutual TLS
 */
public record TlsSettings(Optional<Path> trustStore, Optional<String> trustStorePassword, List<Path> certsDirectories) {

    public static final TlsSettings JVM_DEFAULTS = new TlsSettings(Optional.empty(), Optional.empty(), List.of());

    public TlsSettings {
        certsDirectories = List.copyOf(certsDirectories);
    }

    /**
     * Whether a certs directory has a folder for this {@code host[:port]}: TLS is configured for that registry,
     * so it is reached over https even on a loopback address.
     */
    public boolean namesRegistry(String hostAndPort) {
        for (Path dir : certsDirectories) {
            try {
                if (Files.isDirectory(dir.resolve(hostAndPort))) {
                    return true;
                }
            } catch (InvalidPathException e) {
                // a host:port that is no file name on this system cannot have a folder
            }
        }
        return false;
    }

    /** Docker's own lookup places: {@code ~/.docker/certs.d} and {@code /etc/docker/certs.d}. */
    public static List<Path> dockerCertsDirectories(Path home) {
        return List.of(home.resolve(".docker").resolve("certs.d"), Path.of("/etc/docker/certs.d"));
    }
}
