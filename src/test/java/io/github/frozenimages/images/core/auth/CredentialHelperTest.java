package io.github.frozenimages.images.core.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.DisabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

/** The helper protocol against real executables, found only through the PATH the test passes in. */
@DisabledOnOs(value = OS.WINDOWS, disabledReason = "the test helpers are POSIX shell scripts")
class CredentialHelperTest {

    private static final String SECRET = "hunter2-helper-secret";

    @TempDir
    Path work;

    private HelperScripts scripts;

    @BeforeEach
    void setUp() throws Exception {
        scripts = new HelperScripts(work.resolve("bin"));
    }

    private CredentialHelper helper(Duration timeout) {
        return new CredentialHelper("test", "credsStore of ~/.docker/config.json", scripts.env(), timeout);
    }

    @Test
    void foundCredentialsComeWithTheHelperAsSource() throws Exception {
        scripts.answering("test", "alice", SECRET);
        Credentials c = helper(Duration.ofSeconds(10)).get("ghcr.io").orElseThrow();
        assertEquals("alice", c.username());
        assertEquals(SECRET, c.secret());
        assertEquals("docker-credential-test", c.source());
        assertEquals(Credentials.Kind.PASSWORD, c.kind());
    }

    @Test
    void theServerUrlArrivesOnStdinAndGetIsTheArgument() throws Exception {
        Path seen = work.resolve("seen");
        scripts.write("test", "cat > '" + seen + "'\necho \"$1\" > '" + seen + ".arg'\n"
                + "echo '{\"ServerURL\":\"x\",\"Username\":\"u\",\"Secret\":\"s\"}'");
        helper(Duration.ofSeconds(10)).get("reg.example:5000");
        assertEquals("reg.example:5000", Files.readString(seen), "the registry, with no newline added");
        assertEquals("get", Files.readString(work.resolve("seen.arg")).trim());

        helper(Duration.ofSeconds(10)).get("docker.io");
        assertEquals("https://index.docker.io/v1/", Files.readString(seen), "Docker Hub under the key docker login uses");
    }

    @Test
    void notFoundInTheKeychainIsNoCredentials() throws Exception {
        scripts.write("test", "cat > /dev/null\necho 'credentials not found in native keychain'\nexit 1");
        assertEquals(Optional.empty(), helper(Duration.ofSeconds(10)).get("ghcr.io"));
    }

    @Test
    void anEmptySecretIsNoCredentials() throws Exception {
        scripts.answering("test", "", "");
        assertEquals(Optional.empty(), helper(Duration.ofSeconds(10)).get("ghcr.io"));
    }

    @Test
    void theTokenUserNameMeansAnIdentityToken() throws Exception {
        scripts.answering("test", "<token>", SECRET);
        Credentials c = helper(Duration.ofSeconds(10)).get("myreg.azurecr.io").orElseThrow();
        assertEquals(Credentials.Kind.IDENTITY_TOKEN, c.kind());
        assertEquals(SECRET, c.secret());
    }

    @Test
    void aFailingHelperIsAnErrorWithItsMessage() throws Exception {
        scripts.write("test", "cat > /dev/null\necho 'gpg: decryption failed: No secret key' >&2\nexit 2");
        CredentialLookupException e = assertThrows(CredentialLookupException.class, () -> helper(Duration.ofSeconds(10)).get("ghcr.io"));
        assertEquals("could not get the credentials for ghcr.io from docker-credential-test (credsStore of ~/.docker/config.json):"
                + " it failed (exit 2): gpg: decryption failed: No secret key", e.getMessage());
    }

    @Test
    void aHangingHelperIsKilledAfterTheTimeout() throws Exception {
        Path childPid = work.resolve("child.pid");
        scripts.write("test", "sleep 60 &\necho $! > '" + childPid + "'\nwait");
        long start = System.nanoTime();
        CredentialLookupException e = assertThrows(CredentialLookupException.class, () -> helper(Duration.ofSeconds(1)).get("ghcr.io"));
        long seconds = Duration.ofNanos(System.nanoTime() - start).toSeconds();
        assertTrue(seconds < 10, "gave up after " + seconds + " s");
        assertTrue(e.getMessage().contains("docker-credential-test") && e.getMessage().contains("did not answer within 1 s"), e.getMessage());
        // what the helper started goes with it, or a build would leave a sleeping process behind
        long pid = Long.parseLong(Files.readString(childPid).trim());
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false) && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertFalse(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false), "the helper's child is still running");
    }

    @Test
    void garbageIsAClearErrorThatDoesNotEchoIt() throws Exception {
        scripts.write("test", "cat > /dev/null\necho 'Username=alice Secret=" + SECRET + "'");
        CredentialLookupException e = assertThrows(CredentialLookupException.class, () -> helper(Duration.ofSeconds(10)).get("ghcr.io"));
        assertTrue(e.getMessage().contains("did not answer with the credential helper JSON"), e.getMessage());
        assertFalse(e.getMessage().contains(SECRET), e.getMessage());
        assertEquals(null, e.getCause());
    }

    @Test
    void endlessOutputIsBounded() throws Exception {
        scripts.write("test", "cat > /dev/null\nhead -c 1000000 /dev/zero | tr '\\0' 'a'");
        CredentialLookupException e = assertThrows(CredentialLookupException.class, () -> helper(Duration.ofSeconds(10)).get("ghcr.io"));
        assertTrue(e.getMessage().contains("more than 64 KiB"), e.getMessage());
    }

    @Test
    void aHelperMissingFromThePathIsAnError() {
        CredentialLookupException e = assertThrows(CredentialLookupException.class, () -> helper(Duration.ofSeconds(10)).get("ghcr.io"));
        assertTrue(e.getMessage().endsWith("docker-credential-test (credsStore of ~/.docker/config.json): it is not on the PATH"), e.getMessage());
    }

    @Test
    void onlyThePathGivenIsSearched() throws Exception {
        scripts.answering("test", "alice", SECRET);
        CredentialHelper noPath = new CredentialHelper("test", "credsStore", Map.of("PATH", "/usr/bin:/bin"), Duration.ofSeconds(10));
        assertThrows(CredentialLookupException.class, () -> noPath.get("ghcr.io"));
        CredentialHelper relative = new CredentialHelper("test", "credsStore",
                Map.of("PATH", work.relativize(work.resolve("bin")) + ":/usr/bin"), Duration.ofSeconds(10));
        assertEquals(Optional.empty(), relative.locate(), "a relative PATH entry is never searched");
    }
}
