package io.github.frozenimages.images.maven;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.sigstore.KeylessVerifier;
import io.github.frozenimages.images.core.ref.Digest;
import io.github.frozenimages.images.core.trust.KeylessIdentity;
import io.github.frozenimages.images.core.trust.KeylessVerification;
import io.github.frozenimages.images.testing.SigstoreTestAuthority;
import io.github.frozenimages.images.testing.SigstoreTestAuthority.KeylessSigner;
import java.lang.reflect.Method;
import java.net.URISyntaxException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.apache.maven.repository.internal.MavenRepositorySystemUtils;
import org.eclipse.aether.DefaultRepositorySystemSession;
import org.eclipse.aether.RepositorySystem;
import org.eclipse.aether.RepositorySystemSession;
import org.eclipse.aether.repository.LocalRepository;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The loader as a build runs it: Maven's resolver, offline, resolving sigstore-java and its runtime dependencies
 * from the local repository this build compiled against, and a plugin realm that, like the real one, has the
 * plugin's classes and Maven's API but none of sigstore-java, BouncyCastle, guava or protobuf. A verification
 * that works through it shows the resolved jars are all the client needs.
 */
class SigstoreClientResolutionTest {

    private static final String ISSUER = "https://accounts.test";
    private static final String IDENTITY = "release@frozen.test";
    private static final Digest MANIFEST = Digest.sha256("the manifest".getBytes(StandardCharsets.UTF_8));

    private static SigstoreTestAuthority authority;
    private static KeylessSigner signer;
    private static Path trustedRoot;

    @BeforeAll
    static void trustMaterial(@TempDir Path directory) {
        authority = SigstoreTestAuthority.create();
        signer = authority.signer(ISSUER, IDENTITY);
        trustedRoot = authority.writeTrustedRoot(directory.resolve("trusted_root.json"));
    }

    @Test
    void theResolvedJarsAreTheClientAndItsRuntimeDependenciesOnly() throws Exception {
        List<String> names = SigstoreClientLoader.resolve(system(), offlineSession(), List.of()).stream()
                .map(jar -> jar.getFileName().toString()).toList();

        assertTrue(names.contains("sigstore-java-2.0.0.jar"), names.toString());
        assertTrue(names.stream().anyMatch(name -> name.startsWith("bcprov-")), names.toString());
        assertTrue(names.stream().anyMatch(name -> name.startsWith("protobuf-java-util-")), names.toString());
        assertFalse(names.stream().anyMatch(name -> name.startsWith("maven-")), names.toString());
    }

    @Test
    void aPluginRealmWithoutSigstoreVerifiesThroughTheLoadedClient() throws Exception {
        try (PluginRealm realm = new PluginRealm(pluginClasses(), getClass().getClassLoader())) {
            Class<?> loader = realm.loadClass(SigstoreClientLoader.class.getName());
            Method load = loader.getMethod("load", RepositorySystem.class, RepositorySystemSession.class, List.class, Path.class);
            Object verification = load.invoke(null, system(), offlineSession(), List.of(), trustedRoot);

            Class<?> digest = realm.loadClass(Digest.class.getName());
            Class<?> identity = realm.loadClass(KeylessIdentity.class.getName());
            Method problem = realm.loadClass(KeylessVerification.class.getName()).getMethod("problem", byte[].class, digest, identity);
            Object signed = digest.getMethod("parse", String.class).invoke(null, MANIFEST.toString());
            Method exactly = identity.getMethod("exactly", String.class, String.class);
            byte[] bundle = authority.bundle(signer, MANIFEST);

            assertEquals(Optional.empty(), problem.invoke(verification, bundle, signed, exactly.invoke(null, ISSUER, IDENTITY)));
            assertEquals(Optional.of("a certificate for identity " + IDENTITY + ", issuer " + ISSUER),
                    problem.invoke(verification, bundle, signed, exactly.invoke(null, ISSUER, "someone@else.test")));
        }
    }

    /** The plugin's compiled classes: where this test found SigstoreClientLoader. */
    private static URL pluginClasses() {
        return SigstoreClientLoader.class.getProtectionDomain().getCodeSource().getLocation();
    }

    private static RepositorySystem system() {
        return MavenRepositorySystemUtils.newServiceLocator().getService(RepositorySystem.class);
    }

    /**
     * Offline, over the local repository the build took sigstore-java from (its jar lies at
     * {@code <repository>/dev/sigstore/sigstore-java/<version>/}); "simple", so that artifacts count as there
     * whichever remote repository brought them.
     */
    private static RepositorySystemSession offlineSession() throws URISyntaxException {
        Path jar = Path.of(KeylessVerifier.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        Path repository = jar.getParent().getParent().getParent().getParent().getParent();
        assumeTrue(Files.isDirectory(repository.resolve("dev/sigstore/sigstore-java")),
                "sigstore-java was not taken from a Maven local repository (" + jar + "), so there is none to resolve from offline");
        DefaultRepositorySystemSession session = MavenRepositorySystemUtils.newSession();
        session.setOffline(true);
        session.setSystemProperties(System.getProperties());
        session.setLocalRepositoryManager(system().newLocalRepositoryManager(session, new LocalRepository(repository.toFile(), "simple")));
        return session;
    }

    /**
     * A plugin realm as Maven builds one: the plugin's own classes, Maven's API (the resolver, the plugin API)
     * from the realm Maven exports it from, and the JDK; nothing else, so no sigstore-java.
     */
    private static final class PluginRealm extends URLClassLoader {

        PluginRealm(URL pluginClasses, ClassLoader maven) {
            super("test plugin realm", new URL[] {pluginClasses}, maven);
        }

        @Override
        protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
            if (name.startsWith("io.github.frozenimages.images.")) {
                synchronized (getClassLoadingLock(name)) {
                    Class<?> loaded = findLoadedClass(name);
                    return loaded != null ? loaded : findClass(name);
                }
            }
            if (name.startsWith("org.eclipse.aether.") || name.startsWith("org.apache.maven.")) {
                return super.loadClass(name, resolve);
            }
            // the JDK's own classes, java.* and javax.* alike; anything else is not there
            return ClassLoader.getPlatformClassLoader().loadClass(name);
        }
    }
}
