package io.github.frozenimages.images.core.auth;

import static io.github.frozenimages.images.core.auth.HelperScripts.base64;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.frozenimages.images.testing.RecordingListener;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Order, first answer wins, one report per registry naming the source, and never a secret in a report. */
class ChainedCredentialProviderTest {

    private static final String SECRET = "hunter2-chain-secret";

    @TempDir
    Path work;

    private final RecordingListener listener = new RecordingListener();

    /** A source answering for one registry and counting how often it is asked. */
    private static final class Source implements CredentialProvider {
        final String registry;
        final String name;
        final Credentials.Kind kind;
        final AtomicInteger asked = new AtomicInteger();

        Source(String registry, String name, Credentials.Kind kind) {
            this.registry = registry;
            this.name = name;
            this.kind = kind;
        }

        @Override
        public Optional<Credentials> credentialsFor(String r) {
            asked.incrementAndGet();
            return r.equals(registry) ? Optional.of(new Credentials("alice", SECRET, name, kind)) : Optional.empty();
        }
    }

    @Test
    void theFirstSourceWithAnAnswerWinsAndLaterOnesAreNotAsked() {
        Source first = new Source("quay.io", "first", Credentials.Kind.PASSWORD);
        Source second = new Source("ghcr.io", "settings.xml server 'ghcr.io'", Credentials.Kind.PASSWORD);
        Source third = new Source("ghcr.io", "third", Credentials.Kind.PASSWORD);
        ChainedCredentialProvider chain = new ChainedCredentialProvider(listener, first, second, third);

        assertEquals("settings.xml server 'ghcr.io'", chain.credentialsFor("ghcr.io").orElseThrow().source());
        assertEquals(1, first.asked.get());
        assertEquals(0, third.asked.get());
        assertEquals(List.of("INFO credentials for ghcr.io from settings.xml server 'ghcr.io'"), listener.lines());
    }

    @Test
    void eachRegistryIsLookedUpAndReportedOnce() {
        Source source = new Source("ghcr.io", "~/.docker/config.json", Credentials.Kind.PASSWORD);
        ChainedCredentialProvider chain = new ChainedCredentialProvider(listener, source);
        for (int i = 0; i < 3; i++) {
            assertTrue(chain.credentialsFor("ghcr.io").isPresent());
            assertTrue(chain.credentialsFor("quay.io").isEmpty());
        }
        assertEquals(2, source.asked.get());
        assertEquals(List.of("INFO credentials for ghcr.io from ~/.docker/config.json", "DEBUG no credentials for quay.io: anonymous"), listener.lines());
    }

    @Test
    void tokensAreReportedAsSuch() {
        ChainedCredentialProvider chain = new ChainedCredentialProvider(listener,
                new Source("a.example", "docker-credential-pass", Credentials.Kind.IDENTITY_TOKEN),
                new Source("b.example", "~/.docker/config.json", Credentials.Kind.REGISTRY_TOKEN));
        chain.credentialsFor("a.example");
        chain.credentialsFor("b.example");
        assertEquals(List.of("INFO credentials for a.example from docker-credential-pass (identity token)",
                "INFO credentials for b.example from ~/.docker/config.json (registry token)"), listener.lines());
    }

    @Test
    void aFailingSourceFailsTheLookupAndIsAskedAgainNextTime() {
        AtomicInteger asked = new AtomicInteger();
        ChainedCredentialProvider chain = new ChainedCredentialProvider(listener, registry -> {
            asked.incrementAndGet();
            throw new CredentialLookupException("could not read x: not valid JSON");
        }, new Source("ghcr.io", "later", Credentials.Kind.PASSWORD));
        assertThrows(CredentialLookupException.class, () -> chain.credentialsFor("ghcr.io"));
        assertThrows(CredentialLookupException.class, () -> chain.credentialsFor("ghcr.io"));
        assertEquals(2, asked.get());
        assertEquals(List.of(), listener.lines());
    }

    @Test
    void realSourcesInOrderAndNoSecretInAnyLine() throws Exception {
        Path home = work.resolve("home");
        Files.createDirectories(home.resolve(".docker"));
        Files.writeString(home.resolve(".docker/config.json"), "{\"auths\":{"
                + "\"ghcr.io\":{\"auth\":\"" + base64("docker-user:" + SECRET) + "\"},"
                + "\"reg.example:5000\":{\"identitytoken\":\"" + SECRET + "\"}}}");
        Path podman = work.resolve("auth.json");
        Files.writeString(podman, "{\"auths\":{\"ghcr.io\":{\"auth\":\"" + base64("podman-user:" + SECRET) + "\"},"
                + "\"quay.io\":{\"auth\":\"" + base64("podman-user:" + SECRET) + "\"}}}");
        Map<String, String> env = Map.of("REGISTRY_AUTH_FILE", podman.toString());
        ChainedCredentialProvider chain = new ChainedCredentialProvider(listener,
                new DockerConfigCredentialProvider(env, home), new PodmanAuthFileProvider(env, home));

        assertEquals("docker-user", chain.credentialsFor("ghcr.io").orElseThrow().username());
        assertEquals("podman-user", chain.credentialsFor("quay.io").orElseThrow().username());
        assertTrue(chain.credentialsFor("reg.example:5000").isPresent());
        assertTrue(chain.credentialsFor("docker.io").isEmpty());
        assertEquals(List.of(
                "INFO credentials for ghcr.io from ~/.docker/config.json",
                "INFO credentials for quay.io from $REGISTRY_AUTH_FILE",
                "INFO credentials for reg.example:5000 from ~/.docker/config.json (identity token)",
                "DEBUG no credentials for docker.io: anonymous"), listener.lines());
        String basic = base64("docker-user:" + SECRET);
        for (String line : listener.lines()) {
            assertFalse(line.contains(SECRET) || line.contains(basic), line);
        }
    }
    @Test
    void ciSourcesAreNamedByTheVariableOrFileAndNeverBySecret() throws Exception {
        Path home = work.resolve("ci-home");
        Files.createDirectories(home);
        Files.writeString(home.resolve(".dockercfg"), "{\"quay.io\":{\"auth\":\"" + base64("legacy-user:" + SECRET) + "\",\"email\":\"\"}}");
        Map<String, String> env = Map.of("DOCKER_AUTH_CONFIG",
                "{\"auths\":{\"registry.gitlab.example\":{\"auth\":\"" + base64("gitlab-ci-token:" + SECRET) + "\"}}}");
        ChainedCredentialProvider chain = new ChainedCredentialProvider(listener, new DockerConfigCredentialProvider(env, home));

        assertEquals("gitlab-ci-token", chain.credentialsFor("registry.gitlab.example").orElseThrow().username());
        assertEquals("legacy-user", chain.credentialsFor("quay.io").orElseThrow().username());
        assertEquals(List.of(
                "INFO credentials for registry.gitlab.example from DOCKER_AUTH_CONFIG",
                "INFO credentials for quay.io from ~/.dockercfg"), listener.lines());
        for (String line : listener.lines()) {
            assertFalse(line.contains(SECRET) || line.contains(base64("gitlab-ci-token:" + SECRET)), line);
        }
    }
}
