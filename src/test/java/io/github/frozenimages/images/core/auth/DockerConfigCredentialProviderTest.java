package io.github.frozenimages.images.core.auth;

import static io.github.frozenimages.images.core.auth.HelperScripts.base64;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.DisabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

/** Docker's config.json as docker login and hand-written CI scripts leave it; never the real ~/.docker. */
class DockerConfigCredentialProviderTest {

    private static final String SECRET = "hunter2-docker-secret";

    @TempDir
    Path home;

    private DockerConfigCredentialProvider provider(String configJson) throws Exception {
        return provider(configJson, Map.of());
    }

    private DockerConfigCredentialProvider provider(String configJson, Map<String, String> env) throws Exception {
        Path file = Files.createDirectories(home.resolve(".docker")).resolve("config.json");
        Files.writeString(file, configJson);
        return new DockerConfigCredentialProvider(env, home, Duration.ofSeconds(10));
    }

    @Test
    void authIsBase64OfUserAndPassword() throws Exception {
        Credentials c = provider("{\"auths\":{\"ghcr.io\":{\"auth\":\"" + base64("alice:" + SECRET + ":with-colon") + "\"}}}")
                .credentialsFor("ghcr.io").orElseThrow();
        assertEquals("alice", c.username());
        assertEquals(SECRET + ":with-colon", c.secret(), "only the first colon separates");
        assertEquals("~/.docker/config.json", c.source());
        assertEquals(Credentials.Kind.PASSWORD, c.kind());
    }

    @Test
    void usernameAndPasswordFields() throws Exception {
        Credentials c = provider("{\"auths\":{\"ghcr.io\":{\"username\":\"bob\",\"password\":\"" + SECRET + "\"}}}")
                .credentialsFor("ghcr.io").orElseThrow();
        assertEquals("bob", c.username());
        assertEquals(SECRET, c.secret());
    }

    @Test
    void identityToken() throws Exception {
        DockerConfigCredentialProvider p = provider("{\"auths\":{"
                + "\"myreg.azurecr.io\":{\"auth\":\"" + base64("00000000-0000-0000-0000-000000000000:") + "\",\"identitytoken\":\"" + SECRET + "\"},"
                + "\"bare.example\":{\"identitytoken\":\"" + SECRET + "\"}}}");
        Credentials acr = p.credentialsFor("myreg.azurecr.io").orElseThrow();
        assertEquals(Credentials.Kind.IDENTITY_TOKEN, acr.kind());
        assertEquals("00000000-0000-0000-0000-000000000000", acr.username());
        assertEquals(SECRET, acr.secret());
        assertEquals(Credentials.TOKEN_USERNAME, p.credentialsFor("bare.example").orElseThrow().username());
    }

    @Test
    void registryTokenWinsOverEverythingElse() throws Exception {
        Credentials c = provider("{\"auths\":{\"reg.example\":{\"registrytoken\":\"" + SECRET + "\",\"identitytoken\":\"other\","
                + "\"username\":\"u\",\"password\":\"p\"}}}").credentialsFor("reg.example").orElseThrow();
        assertEquals(Credentials.Kind.REGISTRY_TOKEN, c.kind());
        assertEquals(SECRET, c.secret());
    }

    @Test
    void dockerHubIsFoundUnderItsV1Key() throws Exception {
        DockerConfigCredentialProvider p = provider("{\"auths\":{\"https://index.docker.io/v1/\":{\"auth\":\"" + base64("hubuser:" + SECRET) + "\"}}}");
        assertEquals("hubuser", p.credentialsFor("docker.io").orElseThrow().username());
        assertEquals(Optional.empty(), p.credentialsFor("ghcr.io"));
    }

    @Test
    void legacyUrlShapedKeysMatchTheirHostAndPort() throws Exception {
        DockerConfigCredentialProvider p = provider("{\"auths\":{"
                + "\"https://reg.example:5000/v1/\":{\"auth\":\"" + base64("withport:" + SECRET) + "\"},"
                + "\"http://other.example\":{\"auth\":\"" + base64("plain:" + SECRET) + "\"},"
                + "\"HTTPS://Upper.Example/v2/\":{\"auth\":\"" + base64("upper:" + SECRET) + "\"}}}");
        assertEquals("withport", p.credentialsFor("reg.example:5000").orElseThrow().username());
        assertEquals(Optional.empty(), p.credentialsFor("reg.example"), "another port is another registry");
        assertEquals("plain", p.credentialsFor("other.example").orElseThrow().username());
        assertEquals("upper", p.credentialsFor("upper.example").orElseThrow().username());
    }

    @Test
    void anEntryWithASecretBeatsAnEmptyOneForTheSameRegistry() throws Exception {
        // docker login with a credsStore leaves {} under the v1 key; a CI script may add docker.io by hand
        DockerConfigCredentialProvider p = provider("{\"auths\":{\"https://index.docker.io/v1/\":{},"
                + "\"docker.io\":{\"auth\":\"" + base64("ci:" + SECRET) + "\"}}}");
        assertEquals("ci", p.credentialsFor("docker.io").orElseThrow().username());
    }

    @Test
    void noFileOrNoEntryIsNoCredentials() throws Exception {
        assertEquals(Optional.empty(), new DockerConfigCredentialProvider(Map.of(), home).credentialsFor("ghcr.io"));
        assertEquals(Optional.empty(), provider("").credentialsFor("ghcr.io"), "an empty file, as Docker treats it");
        assertEquals(Optional.empty(), provider("{\"auths\":{\"ghcr.io\":{}}}").credentialsFor("ghcr.io"));
    }

    @Test
    void dockerConfigVariableMovesTheFile() throws Exception {
        Path elsewhere = Files.createDirectories(home.resolve("elsewhere"));
        Files.writeString(elsewhere.resolve("config.json"), "{\"auths\":{\"ghcr.io\":{\"auth\":\"" + base64("moved:" + SECRET) + "\"}}}");
        DockerConfigCredentialProvider p = provider("{\"auths\":{\"ghcr.io\":{\"auth\":\"" + base64("home:" + SECRET) + "\"}}}",
                Map.of("DOCKER_CONFIG", elsewhere.toString()));
        Credentials c = p.credentialsFor("ghcr.io").orElseThrow();
        assertEquals("moved", c.username());
        assertEquals("$DOCKER_CONFIG/config.json", c.source());
    }

    @Test
    @DisabledOnOs(value = OS.WINDOWS, disabledReason = "credential helpers are run as POSIX shell scripts here")
    void credHelpersBeatCredsStoreWhichIsTheDefault() throws Exception {
        HelperScripts scripts = new HelperScripts(home.resolve("bin"));
        scripts.answering("store", "store-user", SECRET);
        scripts.answering("special", "special-user", SECRET);
        DockerConfigCredentialProvider p = provider("{\"credsStore\":\"store\",\"credHelpers\":{\"special.example\":\"special\"},"
                + "\"auths\":{\"https://index.docker.io/v1/\":{}}}", scripts.env());
        Credentials special = p.credentialsFor("special.example").orElseThrow();
        assertEquals("special-user", special.username());
        assertEquals("docker-credential-special", special.source());
        Credentials other = p.credentialsFor("docker.io").orElseThrow();
        assertEquals("store-user", other.username());
        assertEquals("docker-credential-store", other.source());
    }

    @Test
    @DisabledOnOs(value = OS.WINDOWS, disabledReason = "credential helpers are run as POSIX shell scripts here")
    void aSecretInTheFileIsUsedBeforeAnyHelper() throws Exception {
        HelperScripts scripts = new HelperScripts(home.resolve("bin"));
        Path called = home.resolve("called");
        scripts.write("store", "touch '" + called + "'\nexit 1");
        DockerConfigCredentialProvider p = provider("{\"credsStore\":\"store\",\"auths\":{\"ghcr.io\":{\"auth\":\"" + base64("inline:" + SECRET) + "\"}}}",
                scripts.env());
        assertEquals("inline", p.credentialsFor("ghcr.io").orElseThrow().username());
        assertFalse(Files.exists(called), "the helper was run");
    }

    @Test
    void aMalformedFileIsAnErrorNamingTheFileButNotTheSecret() throws Exception {
        DockerConfigCredentialProvider p = provider("{\"auths\":{\"ghcr.io\":{\"username\":\"alice\",\n\"password\": " + SECRET + "}}}");
        CredentialLookupException e = assertThrows(CredentialLookupException.class, () -> p.credentialsFor("ghcr.io"));
        Path file = home.resolve(".docker/config.json");
        assertEquals("could not read " + file + ": not valid JSON at line 2, column 13", e.getMessage());
        assertNull(e.getCause(), "the parser's exception quotes the text it choked on");
        assertFalse(String.valueOf(e).contains(SECRET));
    }

    @Test
    void aBrokenAuthValueIsAnErrorNamingTheEntryButNotTheValue() throws Exception {
        DockerConfigCredentialProvider p = provider("{\"auths\":{\"ghcr.io\":{\"auth\":\"" + SECRET + "!\"}}}");
        CredentialLookupException e = assertThrows(CredentialLookupException.class, () -> p.credentialsFor("ghcr.io"));
        assertTrue(e.getMessage().contains(home.resolve(".docker/config.json").toString()), e.getMessage());
        assertTrue(e.getMessage().endsWith("the auth of 'ghcr.io' is not base64 of user:password"), e.getMessage());
        assertFalse(e.getMessage().contains(SECRET), e.getMessage());

        CredentialLookupException noColon = assertThrows(CredentialLookupException.class,
                () -> provider("{\"auths\":{\"ghcr.io\":{\"auth\":\"" + base64(SECRET) + "\"}}}").credentialsFor("ghcr.io"));
        assertFalse(noColon.getMessage().contains(SECRET), noColon.getMessage());
    }

    @Test
    void wrongShapesAreErrorsNamingWhatIsWrong() throws Exception {
        CredentialLookupException auths = assertThrows(CredentialLookupException.class,
                () -> provider("{\"auths\":[]}").credentialsFor("ghcr.io"));
        assertTrue(auths.getMessage().endsWith(": auths is not a JSON object"), auths.getMessage());
        CredentialLookupException helper = assertThrows(CredentialLookupException.class,
                () -> provider("{\"credsStore\":\"../../bin/evil\"}").credentialsFor("ghcr.io"));
        assertTrue(helper.getMessage().endsWith("its credsStore is not a credential helper name"), helper.getMessage());
    }
    // CI's sources: DOCKER_AUTH_CONFIG ahead of config.json, ~/.dockercfg after it

    @Test
    void theAuthConfigVariableIsAConfigJsonReadAheadOfTheFile() throws Exception {
        String variable = "{\"auths\":{\"registry.gitlab.example\":{\"auth\":\"" + base64("ci-user:" + SECRET) + "\"}}}";
        DockerConfigCredentialProvider p = provider("{\"auths\":{"
                        + "\"registry.gitlab.example\":{\"auth\":\"" + base64("file-user:other") + "\"},"
                        + "\"ghcr.io\":{\"auth\":\"" + base64("file-user:other") + "\"}}}",
                Map.of("DOCKER_AUTH_CONFIG", variable));

        Credentials fromVariable = p.credentialsFor("registry.gitlab.example").orElseThrow();
        assertEquals("ci-user", fromVariable.username());
        assertEquals(SECRET, fromVariable.secret());
        assertEquals("DOCKER_AUTH_CONFIG", fromVariable.source(), "named by the variable, not by what it holds");
        Credentials fromFile = p.credentialsFor("ghcr.io").orElseThrow();
        assertEquals("file-user", fromFile.username(), "what the variable lacks, the file still gives");
        assertEquals("~/.docker/config.json", fromFile.source());
    }

    @Test
    void theAuthConfigVariableCarriesEveryKindOfEntry() throws Exception {
        DockerConfigCredentialProvider p = provider("{}", Map.of("DOCKER_AUTH_CONFIG", "{\"auths\":{"
                + "\"https://index.docker.io/v1/\":{\"username\":\"hubuser\",\"password\":\"" + SECRET + "\"},"
                + "\"myreg.azurecr.io\":{\"identitytoken\":\"" + SECRET + "\"}}}"));

        assertEquals("hubuser", p.credentialsFor("docker.io").orElseThrow().username());
        assertEquals(Credentials.Kind.IDENTITY_TOKEN, p.credentialsFor("myreg.azurecr.io").orElseThrow().kind());
        assertEquals(Optional.empty(), p.credentialsFor("quay.io"));
    }

    @Test
    void aBlankAuthConfigVariableIsNoSource() throws Exception {
        DockerConfigCredentialProvider p = provider("{\"auths\":{\"ghcr.io\":{\"auth\":\"" + base64("file-user:" + SECRET) + "\"}}}",
                Map.of("DOCKER_AUTH_CONFIG", "  "));
        assertEquals("~/.docker/config.json", p.credentialsFor("ghcr.io").orElseThrow().source());
    }

    @Test
    void aMalformedAuthConfigVariableIsAnErrorNamingTheVariableButNotItsContent() throws Exception {
        String broken = "{\"auths\":{\"ghcr.io\":{\"auth\":\"" + SECRET + "\"";
        DockerConfigCredentialProvider p = provider("{}", Map.of("DOCKER_AUTH_CONFIG", broken));

        CredentialLookupException e = assertThrows(CredentialLookupException.class, () -> p.credentialsFor("ghcr.io"));
        assertTrue(e.getMessage().startsWith("could not read the DOCKER_AUTH_CONFIG variable: not valid JSON at line 1"), e.getMessage());
        assertFalse(e.getMessage().contains(SECRET), e.getMessage());
        assertNull(e.getCause(), "the parser's message quotes the text");
    }

    @Test
    void theOldDockercfgIsABareMapReadAfterConfigJson() throws Exception {
        Files.writeString(home.resolve(".dockercfg"), "{"
                + "\"https://index.docker.io/v1/\":{\"auth\":\"" + base64("hub-legacy:" + SECRET) + "\",\"email\":\"ci@example.com\"},"
                + "\"ghcr.io\":{\"auth\":\"" + base64("legacy-user:other") + "\",\"email\":\"ci@example.com\"}}");
        DockerConfigCredentialProvider p = provider("{\"auths\":{\"ghcr.io\":{\"auth\":\"" + base64("file-user:other") + "\"}}}");

        Credentials hub = p.credentialsFor("docker.io").orElseThrow();
        assertEquals("hub-legacy", hub.username());
        assertEquals(SECRET, hub.secret());
        assertEquals("~/.dockercfg", hub.source());
        assertEquals("file-user", p.credentialsFor("ghcr.io").orElseThrow().username(), "config.json comes first");
    }

    @Test
    void theOldDockercfgAloneIsEnough() throws Exception {
        Files.writeString(home.resolve(".dockercfg"), "{\"127.0.0.1:5000\":{\"auth\":\"" + base64("alice:" + SECRET) + "\",\"email\":\"\"}}");
        DockerConfigCredentialProvider p = new DockerConfigCredentialProvider(Map.of(), home);

        Credentials c = p.credentialsFor("127.0.0.1:5000").orElseThrow();
        assertEquals("alice", c.username());
        assertEquals("~/.dockercfg", c.source());
    }

    @Test
    void aMalformedDockercfgIsAnErrorNamingTheFile() throws Exception {
        Files.writeString(home.resolve(".dockercfg"), "{\"ghcr.io\":\"" + SECRET + "\"}");
        DockerConfigCredentialProvider p = new DockerConfigCredentialProvider(Map.of(), home);

        CredentialLookupException e = assertThrows(CredentialLookupException.class, () -> p.credentialsFor("ghcr.io"));
        assertTrue(e.getMessage().contains(home.resolve(".dockercfg").toString()), e.getMessage());
        assertFalse(e.getMessage().contains(SECRET), e.getMessage());
    }
}
