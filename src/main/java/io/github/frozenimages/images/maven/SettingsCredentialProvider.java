package io.github.frozenimages.images.maven;

import io.github.frozenimages.images.core.auth.CredentialLookupException;
import io.github.frozenimages.images.core.auth.CredentialProvider;
import io.github.frozenimages.images.core.auth.Credentials;
import io.github.frozenimages.images.core.auth.RegistryKeys;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.maven.settings.Server;
import org.apache.maven.settings.Settings;
import org.apache.maven.settings.building.SettingsProblem;
import org.apache.maven.settings.crypto.DefaultSettingsDecryptionRequest;
import org.apache.maven.settings.crypto.SettingsDecrypter;
import org.apache.maven.settings.crypto.SettingsDecryptionResult;

/**
 * Credentials from a {@code <server>} of Maven's settings.xml, the place Maven users keep every other
 * secret. The server's id is the registry's {@code host:port}, else its {@code host}; an image may name
 * another id explicitly ({@code serverIds}), and then that server must exist. Passwords encrypted with
 * {@code mvn --encrypt-password} are decrypted with Maven's own decrypter, so settings-security.xml and
 * its relocation work exactly as for deployments.
 */
public final class SettingsCredentialProvider implements CredentialProvider {

    private final Settings settings;
    private final SettingsDecrypter decrypter;
    private final Map<String, String> serverIds;

    /**
     * @param settings  the build's settings, still encrypted (as {@code ${settings}} gives them); null means none
     * @param serverIds explicit {@code <server>} ids by registry ({@code host[:port]}), for images that name one
     */
    public SettingsCredentialProvider(Settings settings, SettingsDecrypter decrypter, Map<String, String> serverIds) {
        this.settings = settings;
        this.decrypter = decrypter;
        this.serverIds = Map.copyOf(serverIds);
    }

    @Override
    public Optional<Credentials> credentialsFor(String registry) {
        String explicit = serverIds.getOrDefault(registry, serverIds.get(RegistryKeys.registryOf(registry)));
        if (explicit != null) {
            Server server = server(explicit);
            if (server == null) {
                throw new CredentialLookupException("there is no <server> with id '" + explicit
                        + "' in settings.xml, which is named as the server of " + registry);
            }
            return Optional.of(credentials(server).orElseThrow(() -> new CredentialLookupException(
                    "settings.xml server '" + explicit + "', named as the server of " + registry + ", has no password")));
        }
        for (String id : RegistryKeys.serverIds(registry)) {
            Server server = server(id);
            if (server != null) {
                Optional<Credentials> found = credentials(server);
                if (found.isPresent()) {
                    return found;
                }
            }
        }
        return Optional.empty();
    }

    private Server server(String id) {
        return settings == null ? null : settings.getServer(id);
    }

    /** The server's user and decrypted password; a server without password (e.g. a key only) gives none. */
    private Optional<Credentials> credentials(Server server) {
        if (server.getPassword() == null || server.getPassword().isEmpty()) {
            return Optional.empty();
        }
        SettingsDecryptionResult result = decrypter.decrypt(new DefaultSettingsDecryptionRequest(server));
        for (SettingsProblem problem : result.getProblems()) {
            if (problem.getSeverity() != SettingsProblem.Severity.WARNING) {
                // the decrypter's message names the server and the cipher's failure, never the password
                String detail = problem.getMessage().replace("Failed to decrypt password for server " + server.getId() + ": ", "");
                throw new CredentialLookupException("could not decrypt the password of settings.xml server '"
                        + server.getId() + "' (was it encrypted with the master password of settings-security.xml?): " + detail);
            }
        }
        List<Server> servers = result.getServers();
        Server decrypted = servers.isEmpty() ? server : servers.get(0);
        String password = decrypted.getPassword();
        if (password == null || password.isEmpty()) {
            return Optional.empty();
        }
        String username = decrypted.getUsername() == null ? "" : decrypted.getUsername();
        return Optional.of(new Credentials(username, password, "settings.xml server '" + server.getId() + "'"));
    }

    @Override
    public String toString() {
        return "settings.xml servers";
    }
}
