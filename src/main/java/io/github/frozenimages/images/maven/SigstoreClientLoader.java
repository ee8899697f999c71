package io.github.frozenimages.images.maven;

import io.github.frozenimages.images.core.trust.KeylessVerification;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.reflect.InvocationTargetException;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.maven.plugin.MojoExecutionException;
import org.eclipse.aether.RepositorySystem;
import org.eclipse.aether.RepositorySystemSession;
import org.eclipse.aether.artifact.DefaultArtifact;
import org.eclipse.aether.repository.RemoteRepository;
import org.eclipse.aether.resolution.ArtifactRequest;
import org.eclipse.aether.resolution.ArtifactResolutionException;
import org.eclipse.aether.resolution.ArtifactResult;

/**
 * Brings in the Sigstore client for the builds that ask for keyless verification, and only for them: sigstore-java
 * and its ~30 MB of grpc, guava, protobuf and BouncyCastle are not in the plugin's jar nor on its class path.
 * They are resolved here through Maven's own resolver, exactly the jars (and versions) the plugin was tested with, as
 * listed in {@link #LIBRARIES} (so {@code mvn -o} works once they are in the local repository), and loaded with
 * {@code core.trust.sigstore} by a class loader of their own, child-first, so that neither Maven's copies of guava
 * and the like nor the plugin's bundled libraries get in their way. Only the project's other classes
 * ({@link KeylessVerification}, the digest and identity types) come from the plugin's class loader: they are what
 * the two sides share.
 */
public final class SigstoreClientLoader {

    /** Keep in step with the provided dependency in pom.xml and the first line of {@link #LIBRARIES}. */
    static final String CLIENT = "dev.sigstore:sigstore-java:2.0.0";
    /** The resource beside this class that lists the client's jars. */
    static final String LIBRARIES = "sigstore-client.txt";
    static final String IMPLEMENTATION = "io.github.frozenimages.images.core.trust.sigstore.SigstoreKeylessVerification";
    private static final String ISOLATED_PACKAGE = "io.github.frozenimages.images.core.trust.sigstore.";
    private static final String PROJECT = "io.github.frozenimages.images.";

    /** One class loader per set of jars: several modules of a build verifying keylessly load the client once. */
    private static final Map<Client, ClassLoader> LOADERS = new ConcurrentHashMap<>();

    private record Client(List<Path> libraries, ClassLoader plugin) {
    }

    private SigstoreClientLoader() {
    }

    /**
     * Resolves the Sigstore client from {@code repositories} (the plugin repositories of the project) and returns
     * the keyless verification it backs, reading {@code trustedRoot}.
     *
     * @throws MojoExecutionException when the client or one of its dependencies cannot be resolved
     * @throws IllegalArgumentException when {@code trustedRoot} cannot be read as a Sigstore trusted root; the message
     *         names the file, the caller adds the parameter it came from
     */
    public static KeylessVerification load(RepositorySystem system, RepositorySystemSession session,
                                           List<RemoteRepository> repositories, Path trustedRoot) throws MojoExecutionException {
        return instantiate(resolve(system, session, repositories), SigstoreClientLoader.class.getClassLoader(), trustedRoot);
    }

    static List<Path> resolve(RepositorySystem system, RepositorySystemSession session, List<RemoteRepository> repositories)
            throws MojoExecutionException {
        List<ArtifactRequest> requests = new ArrayList<>();
        for (String coordinates : libraries()) {
            requests.add(new ArtifactRequest(jar(coordinates), repositories, null));
        }
        try {
            List<Path> jars = new ArrayList<>();
            for (ArtifactResult result : system.resolveArtifacts(session, requests)) {
                jars.add(result.getArtifact().getFile().toPath());
            }
            return List.copyOf(jars);
        } catch (ArtifactResolutionException e) {
            throw new MojoExecutionException("Keyless verification needs " + CLIENT + " and its dependencies, which the plugin"
                    + " loads only for builds that verify keyless signatures, and " + unresolved(e)
                    + ". Run the build once online (without -o) so that they reach the local repository, or make them"
                    + " available from the build's plugin repositories.", e);
        }
    }

    /** The client's jars as {@code groupId:artifactId:version}, sigstore-java first: the list the plugin was tested with. */
    static List<String> libraries() {
        try (InputStream in = SigstoreClientLoader.class.getResourceAsStream(LIBRARIES)) {
            if (in == null) {
                throw new IllegalStateException("the plugin's jar lacks " + LIBRARIES);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().map(String::strip)
                    .filter(line -> !line.isEmpty() && !line.startsWith("#")).toList();
        } catch (IOException e) {
            throw new UncheckedIOException("could not read the plugin's " + LIBRARIES, e);
        }
    }

    private static DefaultArtifact jar(String coordinates) {
        String[] parts = coordinates.split(":");
        return new DefaultArtifact(parts[0], parts[1], "jar", parts[2]);
    }

    /** What could not be resolved, as the resolver said it: the first missing artifact, else the whole failure. */
    private static String unresolved(ArtifactResolutionException e) {
        for (ArtifactResult artifact : e.getResults()) {
            if (!artifact.isResolved()) {
                String reason = artifact.getExceptions().isEmpty() ? "not found" : artifact.getExceptions().get(0).getMessage();
                return artifact.getRequest().getArtifact() + " could not be resolved: " + reason;
            }
        }
        return "they could not be resolved: " + e.getMessage();
    }

    /** The class-loading half: {@code libraries} are the client's jars, {@code plugin} the plugin's class loader. */
    static KeylessVerification instantiate(List<Path> libraries, ClassLoader plugin, Path trustedRoot) throws MojoExecutionException {
        ClassLoader loader = LOADERS.computeIfAbsent(new Client(List.copyOf(libraries), plugin),
                client -> new ClientClassLoader(urls(client.libraries()), client.plugin()));
        try {
            Class<?> implementation = Class.forName(IMPLEMENTATION, true, loader);
            return (KeylessVerification) implementation.getConstructor(Path.class).newInstance(trustedRoot);
        } catch (InvocationTargetException e) {
            if (e.getCause() instanceof RuntimeException cause) {
                throw cause;
            }
            throw new MojoExecutionException("The Sigstore client could not be started: " + e.getCause(), e.getCause());
        } catch (ReflectiveOperationException | LinkageError e) {
            throw new MojoExecutionException("The Sigstore client resolved as " + CLIENT + " does not fit this plugin (" + e
                    + "): its jars are " + libraries, e);
        }
    }

    private static URL[] urls(List<Path> jars) {
        List<URL> urls = new ArrayList<>();
        try {
            for (Path jar : jars) {
                urls.add(jar.toUri().toURL());
            }
            // core.trust.sigstore itself: in the plugin's jar (or target/classes), but it must be defined by this loader
            // so that its references to sigstore-java resolve here. The libraries come first: where the plugin bundles
            // a library the client also uses (commons-codec), the client gets the version it was resolved with.
            urls.add(SigstoreClientLoader.class.getProtectionDomain().getCodeSource().getLocation());
        } catch (MalformedURLException e) {
            throw new IllegalStateException(e);
        }
        return urls.toArray(URL[]::new);
    }

    /**
     * Child-first for everything but the JDK and the project's shared classes: those come from the plugin, so that
     * the {@link KeylessVerification} this loader's classes implement is the one the plugin calls.
     */
    static final class ClientClassLoader extends URLClassLoader {

        static {
            registerAsParallelCapable();
        }

        ClientClassLoader(URL[] urls, ClassLoader parent) {
            super("images-maven-plugin sigstore client", urls, parent);
        }

        @Override
        protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
            if (fromParent(name)) {
                return super.loadClass(name, resolve);
            }
            synchronized (getClassLoadingLock(name)) {
                Class<?> loaded = findLoadedClass(name);
                if (loaded == null) {
                    try {
                        loaded = findClass(name);
                    } catch (ClassNotFoundException notHere) {
                        return super.loadClass(name, resolve);
                    }
                }
                if (resolve) {
                    resolveClass(loaded);
                }
                return loaded;
            }
        }

        @Override
        public URL getResource(String name) {
            URL own = name.startsWith(PROJECT.replace('.', '/')) ? null : findResource(name);
            return own != null ? own : super.getResource(name);
        }

        private static boolean fromParent(String name) {
            return name.startsWith("java.") || name.startsWith(PROJECT) && !name.startsWith(ISOLATED_PACKAGE);
        }
    }
}
