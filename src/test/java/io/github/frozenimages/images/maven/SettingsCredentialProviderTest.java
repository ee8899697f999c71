package io.github.frozenimages.images.maven;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.frozenimages.images.core.auth.CredentialLookupException;
import io.github.frozenimages.images.core.auth.Credentials;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.apache.maven.settings.Server;
import org.apache.maven.settings.Settings;
import org.apache.maven.settings.crypto.DefaultSettingsDecrypter;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sonatype.plexus.components.cipher.DefaultPlexusCipher;
import org.sonatype.plexus.components.sec.dispatcher.DefaultSecDispatcher;

/**
 * settings.xml servers through Maven's real decrypter: a settings-security.xml with an encrypted master
 * password, and server passwords encrypted as {@code mvn --encrypt-password} does.
 */
class SettingsCredentialProviderTest {

    private static final String MASTER = "master-passphrase";
    private static final String SECRET = "hunter2-settings-secret";

    @TempDir
    Path work;

    private final DefaultPlexusCipher cipher = new DefaultPlexusCipher();
    private DefaultSettingsDecrypter decrypter;
    private Settings settings;

    @BeforeEach
    void setUp() throws Exception {
        decrypter = decrypterWithMaster(MASTER);
        settings = new Settings();
    }

    /** What {@code mvn --encrypt-master-password} writes: the master encrypted with the fixed key "settings.security". */
    private DefaultSettingsDecrypter decrypterWithMaster(String master) throws Exception {
        Path security = work.resolve("settings-security-" + master.hashCode() + ".xml");
        Files.writeString(security, "<settingsSecurity><master>" + cipher.encryptAndDecorate(master, "settings.security")
                + "</master></settingsSecurity>");
        return new DefaultSettingsDecrypter(new DefaultSecDispatcher(cipher, Map.of(), security.toString()));
    }

    private void server(String id, String username, String password) {
        Server server = new Server();
        server.setId(id);
        server.setUsername(username);
        server.setPassword(password);
        settings.addServer(server);
    }

    private String encrypted(String password) throws Exception {
        String value = cipher.encryptAndDecorate(password, MASTER);
        assertTrue(value.startsWith("{") && value.endsWith("}"), value);
        return value;
    }

    private SettingsCredentialProvider provider(Map<String, String> serverIds) {
        return new SettingsCredentialProvider(settings, decrypter, serverIds);
    }

    @Test
    void serverIdIsHostAndPortAndAnEncryptedPasswordIsDecrypted() throws Exception {
        server("reg.example:5000", "alice", encrypted(SECRET));
        Credentials c = provider(Map.of()).credentialsFor("reg.example:5000").orElseThrow();
        assertEquals("alice", c.username());
        assertEquals(SECRET, c.secret());
        assertEquals("settings.xml server 'reg.example:5000'", c.source());
        assertEquals(Credentials.Kind.PASSWORD, c.kind());
        assertEquals(Optional.empty(), provider(Map.of()).credentialsFor("reg.example"), "a server for one port is not for the host");
    }

    @Test
    void serverIdIsTheHostWhenNoServerNamesThePort() throws Exception {
        server("reg.example", "bob", encrypted(SECRET));
        Credentials c = provider(Map.of()).credentialsFor("reg.example:5000").orElseThrow();
        assertEquals("bob", c.username());
        assertEquals("settings.xml server 'reg.example'", c.source());

        server("reg.example:5000", "port", "plain-" + SECRET);
        assertEquals("port", provider(Map.of()).credentialsFor("reg.example:5000").orElseThrow().username(), "host:port first");
        assertEquals("plain-" + SECRET, provider(Map.of()).credentialsFor("reg.example:5000").orElseThrow().secret(),
                "a password that is not encrypted is used as it is");
    }

    @Test
    void dockerHubByItsCanonicalName() throws Exception {
        server("docker.io", "hubuser", encrypted(SECRET));
        assertEquals("hubuser", provider(Map.of()).credentialsFor("docker.io").orElseThrow().username());
    }

    @Test
    void anExplicitServerIdWinsAndMustExist() throws Exception {
        server("ghcr.io", "by-host", encrypted(SECRET));
        server("my-ghcr", "explicit", encrypted(SECRET));
        Credentials c = provider(Map.of("ghcr.io", "my-ghcr")).credentialsFor("ghcr.io").orElseThrow();
        assertEquals("explicit", c.username());
        assertEquals("settings.xml server 'my-ghcr'", c.source());

        CredentialLookupException missing = assertThrows(CredentialLookupException.class,
                () -> provider(Map.of("ghcr.io", "typo")).credentialsFor("ghcr.io"));
        assertEquals("there is no <server> with id 'typo' in settings.xml, which is named as the server of ghcr.io", missing.getMessage());
    }

    @Test
    void aServerWithoutPasswordIsNoCredentials() {
        server("ghcr.io", "alice", null);
        assertEquals(Optional.empty(), provider(Map.of()).credentialsFor("ghcr.io"));
        assertEquals(Optional.empty(), new SettingsCredentialProvider(null, decrypter, Map.of()).credentialsFor("ghcr.io"));
    }

    @Test
    void aPasswordThatDoesNotDecryptIsAnErrorNamingTheServerNotTheSecret() throws Exception {
        server("ghcr.io", "alice", encrypted(SECRET));
        decrypter = decrypterWithMaster("another-master");
        CredentialLookupException e = assertThrows(CredentialLookupException.class, () -> provider(Map.of()).credentialsFor("ghcr.io"));
        assertTrue(e.getMessage().startsWith("could not decrypt the password of settings.xml server 'ghcr.io' (was it encrypted"
                + " with the master password of settings-security.xml?): "), e.getMessage());
        assertTrue(e.getMessage().contains("BadPaddingException"), "the cipher's reason: " + e.getMessage());
        for (Throwable t = e; t != null; t = t.getCause()) {
            assertFalse(String.valueOf(t.getMessage()).contains(SECRET), String.valueOf(t));
        }
    }
}
