package io.github.frozenimages.images.maven;

import static io.github.frozenimages.images.maven.MavenExceptions.misconfigured;
import static io.github.frozenimages.images.maven.MavenExceptions.read;

import io.github.frozenimages.images.core.shared.ImagePullException;
import io.github.frozenimages.images.core.ref.ImageRequest;
import io.github.frozenimages.images.core.trust.SignatureCheck;
import io.github.frozenimages.images.core.trust.TrustPolicy;
import io.github.frozenimages.images.core.trust.KeylessVerification;
import io.github.frozenimages.images.core.registry.NetworkOptions;
import io.github.frozenimages.images.core.shared.PullListener;
import io.github.frozenimages.images.core.PullRequest;
import io.github.frozenimages.images.core.auth.ChainedCredentialProvider;
import io.github.frozenimages.images.core.auth.CredentialProvider;
import io.github.frozenimages.images.core.auth.DockerConfigCredentialProvider;
import io.github.frozenimages.images.core.auth.PodmanAuthFileProvider;
import io.github.frozenimages.images.core.lock.ImageLock;
import io.github.frozenimages.images.core.lock.ImageLocker;
import io.github.frozenimages.images.core.registry.RegistrySession;
import io.github.frozenimages.images.core.ref.Digest;
import io.github.frozenimages.images.core.ref.ImageReference;
import io.github.frozenimages.images.core.ref.Platform;
import io.github.frozenimages.images.core.store.CacheFolders;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import javax.inject.Inject;
import org.apache.maven.execution.MavenSession;
import org.apache.maven.plugin.AbstractMojo;
import org.apache.maven.plugin.MojoExecutionException;
import org.apache.maven.plugin.MojoFailureException;
import org.apache.maven.plugins.annotations.Parameter;
import org.apache.maven.project.MavenProject;
import org.apache.maven.settings.Settings;
import org.apache.maven.settings.crypto.SettingsDecrypter;
import org.eclipse.aether.RepositorySystem;

/**
 * The parameters {@code pull} and {@code lock} share (which images, for which platforms, from which registries
 * and how), and the lock file handling both use, so that the two goals always see the same images.
 */
abstract class AbstractImagesMojo extends AbstractMojo {

    /**
     * The images to pull (and to lock): each a reference such as {@code alpine:3.20}, or an element with {@code <name>}
     * and {@code <platform>}. From the command line: {@code -Dimages=alpine:3.20,busybox:1.36}.
     *
     * @since 0.1.0
     */
    @Parameter(property = "images")
    private List<ImageSpec> images;

    /**
     * A text file with one image reference a line; blank lines and {@code #} comments are ignored.
     *
     * @since 0.1.0
     */
    @Parameter(property = "images.file")
    private File imagesFile;

    /**
     * The platform to pull from multi-platform images, as {@code os/arch[/variant]}. By default the build
     * host's, with {@code TARGETARCH} and {@code TARGETVARIANT} from the environment honoured.
     *
     * @since 0.1.0
     */
    @Parameter(property = "images.platform")
    private String platform;

    /**
     * Several platforms of multi-platform images, or {@code all} (every platform and the image's attestations,
     * keeping its own index). The output then holds each image's index; in the {@code docker} format,
     * {@code manifest.json} names the platform of {@code platform} (the build host's by default), or the first
     * chosen, because {@code docker load} takes one platform per tag. Not with the {@code legacy} format.
     * From the command line: {@code -Dimages.platforms=linux/amd64,linux/arm64}.
     *
     * @since 0.1.0
     */
    @Parameter(property = "images.platforms")
    private List<String> platforms;

    /**
     * The content-addressed blob cache shared by all builds of the user. Default:
     * {@code .cache/images-maven-plugin} under the local Maven repository. Several folders, comma-separated, are all
     * read; the first that can be written takes new blobs. When none can be (a read-only mount, a CI cache restored
     * read-only), the blobs they hold are still used and what they lack goes to {@code target/images-cache}.
     *
     * @since 0.1.0
     */
    @Parameter(property = "images.cacheDirectory")
    private File cacheDirectory;

    /**
     * Registries ({@code host} or {@code host:port}) that may be reached over plain http. Loopback hosts always may.
     *
     * @since 0.1.0
     */
    @Parameter(property = "images.insecureRegistries")
    private List<String> insecureRegistries;

    /**
     * How many times one registry request is tried before its failure is final. Network errors, truncated
     * bodies and the statuses 408, 429, 500, 502, 503 and 504 are retried with exponential backoff, honouring
     * {@code Retry-After}; a broken blob download resumes where it stopped.
     *
     * @since 0.1.0
     */
    @Parameter(property = "images.retries", defaultValue = "5")
    private int retries;

    /**
     * Connect and idle-read timeout in seconds: a download that keeps moving never times out, one that stalls
     * this long does (and is retried).
     *
     * @since 0.1.0
     */
    @Parameter(property = "images.timeout", defaultValue = "30")
    private int timeout;

    /**
     * Mirrors tried in order before a registry; one that fails or lacks the image falls through to the next,
     * then to the registry itself. Content from a mirror is verified by digest like any other.
     * {@code <mirror><registry>docker.io</registry><url>https://mirror.example:5000</url></mirror>}, or
     * {@code -Dimages.mirrors=docker.io=https://mirror.example:5000,quay.io=https://...}.
     *
     * @since 0.1.0
     */
    @Parameter(property = "images.mirrors")
    private List<MirrorSpec> mirrors;

    /**
     * Extra CA certificates trusted for every registry, on top of the JVM's: a PEM bundle, or a JKS/PKCS12
     * key store. Per registry, Docker's {@code ~/.docker/certs.d/<host[:port]>/} and
     * {@code /etc/docker/certs.d/<host[:port]>/} ({@code *.crt}, {@code client.cert}, {@code client.key}) also apply.
     *
     * @since 0.1.0
     */
    @Parameter(property = "images.trustStore")
    private File trustStore;

    /**
     * The password of {@code trustStore} when it is a key store.
     *
     * @since 0.1.0
     */
    @Parameter(property = "images.trustStorePassword")
    private String trustStorePassword;

    /**
     * The lock file: {@code images:lock} writes it, and {@code pull} fetches exactly the digests it holds while
     * it exists. Default: <code>${project.basedir}/images.lock.json</code>, or {@code images.lock.json} in the current
     * folder when there is no project.
     *
     * @since 0.1.0
     */
    @Parameter(property = "images.lockFile")
    private File lockFile;

    /**
     * Images enter the build only with a valid cosign or Sigstore signature: {@code <verify><publicKey>cosign.pub</publicKey></verify>}
     * for a key pair made with {@code cosign generate-key-pair} ({@code -Dimages.verify.publicKey=cosign.pub} on the
     * command line), or keyless, {@code <verify><keyless><issuer>..</issuer><identity>..</identity></keyless>
     * <trustedRoot>trusted_root.json</trustedRoot></verify>} for images signed with a Fulcio certificate
     * ({@code <identityPattern>} instead of {@code <identity>} for a regular expression). An {@code <image>}'s own
     * {@code <verify>} overrides it.
     *
     * @since 0.2.0
     */
    @Parameter(property = "images.verify.publicKey")
    private VerifySpec verify;

    /**
     * The command line's {@code <verify><keyless><issuer>}: the OIDC issuer keyless signers' certificates must name.
     *
     * @since 0.2.0
     */
    @Parameter(property = "images.verify.issuer")
    private String verifyIssuer;

    /**
     * The command line's {@code <verify><keyless><identity>}: the identity keyless signers' certificates must name.
     *
     * @since 0.2.0
     */
    @Parameter(property = "images.verify.identity")
    private String verifyIdentity;

    /**
     * The command line's {@code <verify><keyless><identityPattern>}: a regular expression the whole identity must match.
     *
     * @since 0.2.0
     */
    @Parameter(property = "images.verify.identityPattern")
    private String verifyIdentityPattern;

    /**
     * The command line's {@code <verify><trustedRoot>}: the Sigstore trusted root keyless signatures are checked against.
     *
     * @since 0.2.0
     */
    @Parameter(property = "images.verify.trustedRoot")
    private File verifyTrustedRoot;

    /**
     * With a {@code <verify>}: writes the accepted signature images into the output beside their images (and so
     * into the archive), as {@code index.json} entries under cosign's tags, so that {@code images:verify} can check
     * the output or the archive with no network, and {@code images:push} carries them to the target.
     *
     * @since 0.1.0
     */
    @Parameter(property = "images.includeSignatures", defaultValue = "true")
    private boolean includeSignatures = true;

    @Parameter(defaultValue = "${session}", readonly = true, required = true)
    MavenSession session;

    @Parameter(defaultValue = "${project}", readonly = true, required = true)
    MavenProject project;

    @Parameter(defaultValue = "${settings}", readonly = true)
    Settings settings;

    final SettingsDecrypter settingsDecrypter;

    /** Registry (canonical name) to the {@code <serverId>} an image names for it; filled while the images are read. */
    private final Map<String, String> serverIds = new HashMap<>();

    /** Platform manifest to the index it was locked from; filled while the lock is applied. */
    private final Map<Digest, Digest> lockedIndexes = new HashMap<>();
    private final Map<Digest, Digest> lockedSignatures = new HashMap<>();

    /** Image name (registry and repository) to the check its own {@code <verify>} asks for; filled while the images are read. */
    private final Map<String, SignatureCheck> verifyByName = new HashMap<>();

    /** Made on first use: the Sigstore client it brings in for keyless policies is loaded once for the goal. */
    private VerifyPolicies verifyPolicies;

    /**
     * Maven's resolver: for the Sigstore client of keyless policies, and for {@code push}'s bundles from a Maven
     * repository. A field, not a constructor argument, so that the goals that need none do not name it.
     */
    @Inject
    RepositorySystem repositorySystem;

    AbstractImagesMojo(SettingsDecrypter settingsDecrypter) {
        this.settingsDecrypter = settingsDecrypter;
    }

    /**
     * Every configured image, each for its platforms; a configuration mistake is a MojoFailureException naming
     * the parameter it is in. Also notes the {@code <serverId>} each registry takes, for {@link #credentials}.
     */
    final List<ImageRequest> imageRequests() throws MojoFailureException, MojoExecutionException {
        serverIds.clear();
        verifyByName.clear();
        Platform defaultPlatform = platform == null || platform.isBlank()
                ? read(UserParameter.PLATFORM, () -> Platform.fromBuildEnvironment(System.getenv()))
                : read(UserParameter.PLATFORM, () -> Platform.parse(platform.trim()));
        List<Platform> chosen = morePlatforms();
        List<ImageRequest> requests = new ArrayList<>();
        if (images != null) {
            for (ImageSpec spec : images) {
                requests.add(imageRequest(spec, UserParameter.IMAGES, "", defaultPlatform, chosen));
            }
        }
        if (imagesFile != null) {
            List<String> names;
            try {
                names = ImageListFile.read(imagesFile.toPath());
            } catch (IOException e) {
                throw misconfigured(UserParameter.IMAGES_FILE, "could not read the images file " + imagesFile + ": " + e.getMessage(), e);
            }
            for (String name : names) {
                requests.add(imageRequest(new ImageSpec(name), UserParameter.IMAGES_FILE, " in " + imagesFile, defaultPlatform, chosen));
            }
        }
        return requests;
    }

    /** @param where how the message says where in {@code from} the image is written, if it needs saying */
    private ImageRequest imageRequest(ImageSpec spec, UserParameter from, String where, Platform defaultPlatform, List<Platform> chosen)
            throws MojoFailureException, MojoExecutionException {
        if (spec.getName() == null || spec.getName().isBlank()) {
            throw misconfigured(from, "an <image> has no name");
        }
        Platform p;
        ImageReference reference;
        try {
            p = spec.getPlatform() == null || spec.getPlatform().isBlank() ? defaultPlatform : Platform.parse(spec.getPlatform().trim());
            reference = ImageReference.parse(spec.getName().trim());
        } catch (IllegalArgumentException e) {
            throw misconfigured(from, e.getMessage() + where, e);
        }
        if (spec.getServerId() != null && !spec.getServerId().isBlank()) {
            String earlier = serverIds.putIfAbsent(reference.registry(), spec.getServerId().trim());
            if (earlier != null && !earlier.equals(spec.getServerId().trim())) {
                throw misconfigured(from, "images of " + reference.registry() + " name two <serverId>s, \""
                        + earlier + "\" and \"" + spec.getServerId().trim() + "\": one registry takes one set of credentials");
            }
        }
        if (spec.getVerify() != null) {
            verifyByName.put(reference.name(), verifyPolicies().checkFor(spec.getVerify()));
        }
        // one platform named in <platforms> is simply the platform to pull
        return new ImageRequest(reference, chosen.size() == 1 ? chosen.get(0) : p, chosen, allPlatforms());
    }

    /**
     * Which images must be signed by whom: the goal's {@code <verify>} (or its command-line forms) and each image's
     * own. Call after {@link #imageRequests}, which reads the images' own.
     */
    final TrustPolicy trustPolicy() throws MojoFailureException, MojoExecutionException {
        VerifySpec goalWide = VerifySpec.goalWide(verify, verifyIssuer, verifyIdentity, verifyIdentityPattern, verifyTrustedRoot);
        return new TrustPolicy(goalWide == null ? Optional.empty() : Optional.of(verifyPolicies().checkFor(goalWide)), verifyByName)
                .withIncludeSignatures(includeSignatures);
    }

    private VerifyPolicies verifyPolicies() {
        if (verifyPolicies == null) {
            verifyPolicies = new VerifyPolicies(this::keylessClient);
        }
        return verifyPolicies;
    }

    /** The Sigstore client, resolved from the project's plugin repositories (or the local repository under -o). */
    KeylessVerification keylessClient(Path trustedRoot) throws MojoExecutionException {
        if (repositorySystem == null || session == null) {
            throw new MojoExecutionException("Keyless verification needs Maven's repository system to bring in the Sigstore client,"
                    + " and this goal was started without one");
        }
        return SigstoreClientLoader.load(repositorySystem, session.getRepositorySession(), project.getRemotePluginRepositories(), trustedRoot);
    }

    private boolean allPlatforms() {
        return platforms != null && platforms.stream().anyMatch(p -> p.trim().equalsIgnoreCase("all"));
    }

    private List<Platform> morePlatforms() throws MojoFailureException {
        if (platforms == null || allPlatforms()) {
            return List.of();
        }
        return read(UserParameter.PLATFORMS,
                () -> platforms.stream().map(String::trim).filter(p -> !p.isEmpty()).map(Platform::parse).toList());
    }

    /**
     * The explicit push targets of the configured images ({@code <pushAs>}), by the image's full name; a name or
     * target that is no reference is a configuration mistake.
     */
    final Map<String, String> pushTargets() throws MojoFailureException {
        Map<String, String> targets = new HashMap<>();
        for (ImageSpec spec : images == null ? List.<ImageSpec>of() : images) {
            if (spec.getPushAs() != null && !spec.getPushAs().isBlank()) {
                ImageReference source = read(UserParameter.IMAGES, () -> ImageReference.parse(spec.getName()));
                ImageReference target = read(UserParameter.IMAGES, () -> ImageReference.parse(spec.getPushAs().trim()));
                targets.put(source.toString(), target.toString());
            }
        }
        return targets;
    }

    final Set<String> insecureRegistries() {
        Set<String> insecure = new HashSet<>();
        if (insecureRegistries != null) {
            insecureRegistries.stream().map(String::trim).filter(s -> !s.isEmpty()).forEach(insecure::add);
        }
        return insecure;
    }

    /**
     * The network settings, each checked as it is read, so that a mistake fails the build before any request,
     * as a MojoFailureException naming its parameter: retries, timeout, mirrors, proxies, the trust store, and
     * the certs.d folders of these images' registries and of the mirrors, where they are reached over https.
     */
    final NetworkOptions network(List<ImageRequest> requests) throws MojoFailureException {
        Set<String> insecure = insecureRegistries();
        NetworkOptions options = NetworkConfiguration.build(retries, timeout, trustStore, trustStorePassword, mirrors, insecure,
                settings, settingsDecrypter);
        TrustFiles.check(options.tls(), TrustFiles.httpsAuthorities(requests, options.mirrors(), insecure));
        return options;
    }

    final boolean offline() {
        return session.getRequest() != null && session.isOffline();
    }

    /**
     * settings.xml first (Maven users keep their secrets there), then what docker login and podman login left.
     * Call after {@link #imageRequests}, which notes the {@code <serverId>}s the images name.
     */
    final CredentialProvider credentials(PullListener listener) {
        return new ChainedCredentialProvider(listener,
                new SettingsCredentialProvider(settings, settingsDecrypter, serverIds),
                DockerConfigCredentialProvider.ofThisUser(),
                PodmanAuthFileProvider.ofThisUser());
    }

    /** The folder new blobs go to: the first configured one that can be written, else the build's fallback. */
    final Path cacheDirectory() {
        return cacheFolders().writable();
    }

    /**
     * The configured cache folders sorted into the one that takes new blobs and those only read; when none can be
     * written, one warning names them and the fallback under the build directory.
     */
    final CacheFolders cacheFolders() {
        CacheFolders folders = CacheFolders.choose(configuredCacheFolders(), () -> CacheLocation.fallback(project, session));
        folders.fellBack().ifPresent(why -> getLog().warn(why));
        return folders;
    }

    /** {@code cacheDirectory} split at its commas, or the default folder. */
    final List<Path> configuredCacheFolders() {
        return CacheLocation.folders(cacheDirectory, project, session);
    }

    final Path lockFile() {
        if (lockFile != null) {
            return lockFile.toPath();
        }
        if (project.getFile() != null) {
            return project.getBasedir().toPath().resolve(ImageLock.FILE_NAME);
        }
        String root = session.getExecutionRootDirectory();
        return (root == null ? Path.of("") : Path.of(root)).resolve(ImageLock.FILE_NAME);
    }

    /**
     * Resolves the images with HEAD requests, writes the lock file (only when its content changed) and logs what
     * changed, for the review of the lock file's diff.
     *
     * @param locker asked for only once locking can go ahead (online); the network settings it uses are checked
     *               already, with {@link #network}
     */
    final ImageLock lock(List<ImageRequest> requests, Supplier<ImageLocker> locker) throws MojoExecutionException, MojoFailureException {
        Path file = lockFile();
        if (offline()) {
            throw new MojoFailureException("cannot lock the images offline (-o): locking asks each registry what its tags"
                    + " point to now; run images:lock online");
        }
        ImageLock previous = null;
        if (Files.isRegularFile(file)) {
            try {
                previous = ImageLock.read(file);
            } catch (IOException e) {
                getLog().warn("replacing " + file + ", which could not be read: " + e.getMessage());
            }
        }
        ImageLock lock;
        try {
            lock = locker.get().lock(requests);
        } catch (ImagePullException e) {
            throw MavenExceptions.failed(e);
        }
        int platforms = 0;
        for (ImageLock.Image image : lock.images()) {
            Optional<ImageLock.Image> before = previous == null ? Optional.empty() : previous.image(image.reference());
            for (Map.Entry<Platform, Digest> e : image.manifests().entrySet()) {
                platforms++;
                Digest was = before.map(b -> b.manifests().get(e.getKey())).orElse(null);
                String change = was == null ? (previous == null ? "" : " (new)") : was.equals(e.getValue()) ? "" : " (was " + was + ")";
                getLog().info("locked " + image.reference().familiarString() + " " + e.getKey() + " to " + e.getValue() + change);
            }
        }
        if (previous != null) {
            for (ImageLock.Image old : previous.images()) {
                if (lock.image(old.reference()).isEmpty()) {
                    getLog().info("dropped " + old.reference().familiarString() + ", no longer configured");
                }
            }
        }
        boolean changed;
        try {
            changed = lock.write(file);
        } catch (IOException e) {
            throw new MojoExecutionException("could not write the lock file " + file + ": " + e.getMessage(), e);
        }
        String counts = lock.images().size() + " image" + (lock.images().size() == 1 ? "" : "s") + ", "
                + platforms + " platform manifest" + (platforms == 1 ? "" : "s");
        getLog().info(changed ? "wrote " + file + " (" + counts + ")" : file + " is up to date (" + counts + ")");
        return lock;
    }

    /**
     * The images a pull fetches: with a lock file, each one it holds pinned to its locked digest (its tag kept
     * for the output's names); an image missing from it is a warning, or a failure when {@code strict}. With
     * {@code update}, the lock is written first, through the pull's own registry session.
     */
    final List<ImageRequest> applyLock(PullRequest pull, boolean strict, boolean update, RegistrySession session)
            throws MojoExecutionException, MojoFailureException {
        List<ImageRequest> requests = pull.images();
        Path file = lockFile();
        ImageLock lock;
        if (update) {
            // the lock just written is what the file now holds: no need to read it back
            TrustPolicy trust = trustPolicy();
            lock = lock(requests, () -> new ImageLocker(pull.cacheDirectory(), session, pull.listener(), trust));
        } else if (Files.isRegularFile(file)) {
            try {
                lock = ImageLock.read(file);
            } catch (IOException e) {
                throw new MojoFailureException("could not read the lock file " + file + ": " + e.getMessage()
                        + "; fix it, or write it anew with mvn images:lock", e);
            }
        } else if (strict) {
            throw new MojoFailureException("images.lock.strict is set but there is no lock file " + file
                    + ": create it with mvn images:lock");
        } else {
            return requests;
        }
        ImageLock.Applied applied = lock.apply(requests);
        noteLockedIndexes(lock);
        if (!applied.missing().isEmpty()) {
            String missing = applied.missing().stream().map(r -> r.reference().familiarString() + " (" + platforms(r) + ")")
                    .collect(Collectors.joining(", "));
            if (strict) {
                throw new MojoFailureException(file.getFileName() + " has no locked digest for " + missing
                        + " (images.lock.strict=true); add them with mvn images:lock, or -Dimages.lock.update=true");
            }
            getLog().warn(file.getFileName() + " has no locked digest for " + missing
                    + ": pulled as the registry has them now; add them with mvn images:lock");
        }
        if (applied.locked() > 0) {
            getLog().info("using " + applied.locked() + " locked digest" + (applied.locked() == 1 ? "" : "s") + " from "
                    + file.getFileName());
        }
        return applied.images();
    }

    /**
     * A locked single-platform image is pulled by its platform manifest's digest; the index it was chosen from is
     * noted so that a signature of that index (what cosign signs for a multi-platform tag) still vouches for it.
     */
    private void noteLockedIndexes(ImageLock lock) {
        lockedIndexes.clear();
        lockedSignatures.clear();
        for (ImageLock.Image image : lock.images()) {
            image.index().ifPresent(index -> image.manifests().values().forEach(manifest -> lockedIndexes.put(manifest, index)));
            lockedSignatures.putAll(image.signatures());
        }
    }

    /**
     * The policy with what {@link #applyLock} noted: each locked platform manifest's index, and the signatures the
     * lock accepted (what {@code mvn -o} checks from the cache).
     */
    final TrustPolicy withLock(TrustPolicy trust) {
        return trust.withLockedIndexes(Map.copyOf(lockedIndexes)).withLockedSignatures(Map.copyOf(lockedSignatures));
    }

    private static String platforms(ImageRequest request) {
        if (request.all()) {
            return "all platforms";
        }
        return request.platforms().stream().map(Platform::toString).collect(Collectors.joining(", "));
    }
}
