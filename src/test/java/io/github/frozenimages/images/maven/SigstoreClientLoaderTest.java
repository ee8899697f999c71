package io.github.frozenimages.images.maven;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sigstore.KeylessVerifier;
import io.github.frozenimages.images.core.ref.Digest;
import io.github.frozenimages.images.core.trust.KeylessIdentity;
import io.github.frozenimages.images.core.trust.KeylessVerification;
import io.github.frozenimages.images.testing.SigstoreTestAuthority;
import io.github.frozenimages.images.testing.SigstoreTestAuthority.KeylessSigner;
import java.io.File;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.maven.plugin.MojoExecutionException;
import org.eclipse.aether.DefaultRepositorySystemSession;
import org.eclipse.aether.RepositorySystem;
import org.eclipse.aether.artifact.Artifact;
import org.eclipse.aether.artifact.DefaultArtifact;
import org.eclipse.aether.repository.RemoteRepository;
import org.eclipse.aether.resolution.ArtifactRequest;
import org.eclipse.aether.resolution.ArtifactResolutionException;
import org.eclipse.aether.resolution.ArtifactResult;
import org.eclipse.aether.transfer.ArtifactNotFoundException;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Sigstore client's loader: its class-loading half with the jars of the test class path (which holds
 * sigstore-java and its dependencies, as the plugin's provided dependency), and its resolving half against a
 * repository system that answers as told.
 */
class SigstoreClientLoaderTest {

    private static final String ISSUER = "https://accounts.test";
    private static final String IDENTITY = "release@frozen.test";
    private static final Digest MANIFEST = Digest.sha256("the manifest".getBytes(StandardCharsets.UTF_8));
    private static final RemoteRepository PLUGINS = new RemoteRepository.Builder("plugins", "default", "http://127.0.0.1:9/plugins").build();

    private static SigstoreTestAuthority authority;
    private static KeylessSigner signer;
    private static Path trustedRoot;

    @BeforeAll
    static void trustMaterial(@TempDir Path directory) {
        authority = SigstoreTestAuthority.create();
        signer = authority.signer(ISSUER, IDENTITY);
        trustedRoot = authority.writeTrustedRoot(directory.resolve("trusted_root.json"));
    }

    /** The jars of the test class path: sigstore-java's among them (surefire names them in a property of its own). */
    static List<Path> testClassPathJars() {
        String classPath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        List<Path> jars = new ArrayList<>();
        for (String entry : classPath.split(File.pathSeparator)) {
            if (entry.endsWith(".jar")) {
                jars.add(Path.of(entry));
            }
        }
        return jars;
    }

    @Test
    void theVerificationAndSigstoreJavaComeFromTheClientsLoaderAndTheInterfaceFromThePlugins() throws Exception {
        KeylessVerification verification = SigstoreClientLoader.instantiate(testClassPathJars(), getClass().getClassLoader(), trustedRoot);

        ClassLoader client = verification.getClass().getClassLoader();
        assertTrue(client instanceof SigstoreClientLoader.ClientClassLoader, String.valueOf(client));
        assertEquals(SigstoreClientLoader.IMPLEMENTATION, verification.getClass().getName());
        // the test's own class path has sigstore-java too: the client's loader must not have taken that copy
        Class<?> isolated = Class.forName(KeylessVerifier.class.getName(), false, client);
        assertSame(client, isolated.getClassLoader());
        assertNotSame(KeylessVerifier.class, isolated);
        // what both sides share comes from the parent
        assertSame(KeylessVerification.class, Class.forName(KeylessVerification.class.getName(), false, client));
        assertSame(Digest.class, Class.forName(Digest.class.getName(), false, client));
    }

    @Test
    void theLoadedVerificationChecksBundles() throws Exception {
        KeylessVerification verification = SigstoreClientLoader.instantiate(testClassPathJars(), getClass().getClassLoader(), trustedRoot);

        assertEquals(Optional.empty(), verification.problem(authority.bundle(signer, MANIFEST), MANIFEST, KeylessIdentity.exactly(ISSUER, IDENTITY)));
        assertEquals(Optional.of("a certificate for identity " + IDENTITY + ", issuer " + ISSUER),
                verification.problem(authority.bundle(signer, MANIFEST), MANIFEST, KeylessIdentity.exactly(ISSUER, "someone@else.test")));
    }

    @Test
    void anUnusableTrustedRootIsTheCallersIllegalArgument(@TempDir Path directory) throws Exception {
        Path missing = directory.resolve("no-such-trusted-root.json");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> SigstoreClientLoader.instantiate(testClassPathJars(), getClass().getClassLoader(), missing));
        assertTrue(e.getMessage().contains(missing.toString()), e.getMessage());
    }

    @Test
    void loadResolvesExactlyTheListedJarsFromThePluginRepositories() throws Exception {
        AtomicReference<Collection<ArtifactRequest>> asked = new AtomicReference<>();
        Map<String, Path> onClassPath = new HashMap<>();
        testClassPathJars().forEach(jar -> onClassPath.put(jar.getFileName().toString(), jar));
        RepositorySystem system = repositorySystem(requests -> {
            asked.set(requests);
            List<ArtifactResult> artifacts = new ArrayList<>();
            for (ArtifactRequest request : requests) {
                ArtifactResult artifact = new ArtifactResult(request);
                Artifact jar = request.getArtifact();
                artifact.setArtifact(jar.setFile(onClassPath.get(jar.getArtifactId() + "-" + jar.getVersion() + ".jar").toFile()));
                artifacts.add(artifact);
            }
            return artifacts;
        });

        KeylessVerification verification = SigstoreClientLoader.load(system, new DefaultRepositorySystemSession(), List.of(PLUGINS), trustedRoot);

        assertEquals(Optional.empty(), verification.problem(authority.bundle(signer, MANIFEST), MANIFEST, KeylessIdentity.exactly(ISSUER, IDENTITY)));
        List<String> coordinates = asked.get().stream().map(r -> r.getArtifact().toString()).toList();
        assertEquals(SigstoreClientLoader.libraries().stream().map(c -> c.replaceFirst(":([^:]+)$", ":jar:$1")).toList(), coordinates);
        assertEquals("dev.sigstore:sigstore-java:jar:2.0.0", coordinates.get(0));
        assertTrue(asked.get().stream().allMatch(r -> r.getRepositories().equals(List.of(PLUGINS))));
    }

    @Test
    void everyListedJarIsTheOneTheTestsRunWith() {
        List<String> libraries = SigstoreClientLoader.libraries();
        assertEquals(SigstoreClientLoader.CLIENT, libraries.get(0));
        Set<String> onClassPath = new HashSet<>();
        // <repository>/<group as folders>/<artifact>/<version>/<artifact>-<version>.jar
        testClassPathJars().forEach(jar -> onClassPath.add(jar.subpath(jar.getNameCount() - 4, jar.getNameCount()).toString()));
        List<String> elsewhere = new ArrayList<>();
        for (String coordinates : libraries) {
            String[] parts = coordinates.split(":");
            String group = parts[0].substring(parts[0].lastIndexOf('.') + 1);
            String path = group + "/" + parts[1] + "/" + parts[2] + "/" + parts[1] + "-" + parts[2] + ".jar";
            if (!onClassPath.contains(path)) {
                elsewhere.add(coordinates);
            }
        }
        assertEquals(List.of(), elsewhere, "listed in " + SigstoreClientLoader.LIBRARIES + " but not on the test class path at that version");
    }

    @Test
    void anUnresolvableClientSaysWhichArtifactIsMissingAndWhatToDo() {
        DefaultArtifact grpc = new DefaultArtifact("io.grpc:grpc-api:1.70.0");
        RepositorySystem system = repositorySystem(requests -> {
            ArtifactResult missing = new ArtifactResult(new ArtifactRequest(grpc, List.of(PLUGINS), null));
            missing.addException(new ArtifactNotFoundException(grpc, PLUGINS, "not in the local repository (offline)"));
            throw new ArtifactResolutionException(List.of(missing), "could not resolve");
        });

        MojoExecutionException e = assertThrows(MojoExecutionException.class,
                () -> SigstoreClientLoader.load(system, new DefaultRepositorySystemSession(), List.of(PLUGINS), trustedRoot));

        assertTrue(e.getMessage().startsWith("Keyless verification needs dev.sigstore:sigstore-java:2.0.0 and its dependencies"), e.getMessage());
        assertTrue(e.getMessage().contains("io.grpc:grpc-api:jar:1.70.0 could not be resolved: not in the local repository (offline)"),
                e.getMessage());
        assertTrue(e.getMessage().contains("Run the build once online (without -o)"), e.getMessage());
    }

    @Test
    void theClientVersionIsTheOneThePluginIsCompiledAndTestedAgainst() {
        String jar = Path.of(KeylessVerifier.class.getProtectionDomain().getCodeSource().getLocation().getPath()).getFileName().toString();
        String version = SigstoreClientLoader.CLIENT.substring(SigstoreClientLoader.CLIENT.lastIndexOf(':') + 1);
        assertEquals("sigstore-java-" + version + ".jar", jar);
    }

    private interface Resolution {
        List<ArtifactResult> resolve(Collection<ArtifactRequest> requests) throws ArtifactResolutionException;
    }

    /** A repository system that answers resolveArtifacts as told, and nothing else. */
    private static RepositorySystem repositorySystem(Resolution resolution) {
        return (RepositorySystem) Proxy.newProxyInstance(SigstoreClientLoaderTest.class.getClassLoader(), new Class<?>[] {RepositorySystem.class},
                (proxy, method, arguments) -> {
                    if (method.getName().equals("resolveArtifacts")) {
                        @SuppressWarnings("unchecked")
                        Collection<ArtifactRequest> requests = (Collection<ArtifactRequest>) arguments[1];
                        return resolution.resolve(requests);
                    }
                    throw new UnsupportedOperationException(method.getName());
                });
    }
}
