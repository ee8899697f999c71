package io.github.frozenimages.images.maven;

import static io.github.frozenimages.images.maven.MavenExceptions.misconfigured;
import static io.github.frozenimages.images.maven.MavenExceptions.read;

import io.github.frozenimages.images.core.shared.ImagePullException;
import io.github.frozenimages.images.core.ImagePuller;
import io.github.frozenimages.images.core.trust.TrustPolicy;
import io.github.frozenimages.images.core.registry.RegistrySession;
import io.github.frozenimages.images.core.ref.ImageRequest;
import io.github.frozenimages.images.core.store.CacheFolders;
import io.github.frozenimages.images.core.registry.NetworkOptions;
import io.github.frozenimages.images.core.OutputFormat;
import io.github.frozenimages.images.core.shared.PullListener;
import io.github.frozenimages.images.core.PullRequest;
import io.github.frozenimages.images.core.auth.CredentialProvider;
import java.io.File;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.apache.maven.plugin.MojoExecutionException;
import org.apache.maven.plugin.MojoFailureException;
import org.apache.maven.plugins.annotations.LifecyclePhase;
import org.apache.maven.plugins.annotations.Mojo;
import org.apache.maven.plugins.annotations.Parameter;
import org.apache.maven.project.MavenProjectHelper;
import org.apache.maven.settings.crypto.SettingsDecrypter;
import javax.inject.Inject;

/**
 * Pulls container images from their registries, with no Docker daemon, into a folder that
 * {@code docker load}, {@code podman load} and {@code ctr images import} accept.
 *
 * @since 0.1.0
 */
@Mojo(name = "pull", defaultPhase = LifecyclePhase.PRE_INTEGRATION_TEST, threadSafe = true, requiresProject = false)
public class PullMojo extends AbstractImagesMojo {

    /**
     * The folder the images are written to; replaced as a whole on each run. Default:
     * <code>${project.build.directory}/images</code>, or {@code target/images} under the current folder when
     * there is no project.
     *
     * @since 0.1.0
     */
    @Parameter(property = "images.outputDirectory")
    private File outputDirectory;

    /**
     * {@code docker}: an OCI layout that is also a docker-archive (what {@code docker save} writes); {@code oci}: the OCI layout alone;
     * {@code legacy}: the tree Moby's {@code download-frozen-image-v2.sh} writes (fake v1 layer folders, {@code manifest.json},
     * {@code repositories}), for tooling written against that script.
     *
     * @since 0.1.0
     */
    @Parameter(property = "images.format", defaultValue = "docker")
    private String format;

    /**
     * Optional tarball written from the output folder: {@code .tar}, or gzip for {@code .tar.gz} and {@code .tgz}.
     *
     * @since 0.1.0
     */
    @Parameter(property = "images.archive")
    private File archive;

    /**
     * How many blobs are downloaded at once.
     *
     * @since 0.1.0
     */
    @Parameter(property = "images.parallelDownloads", defaultValue = "4")
    private int parallelDownloads;

    /**
     * Downloads layers marked non-distributable (Docker's foreign layers, OCI's nondistributable layer types,
     * found in Windows base images) from the registry. They are left out by default, as their licence restricts
     * copying them; the output's manifests still name them, as {@code docker save} does.
     *
     * @since 0.1.0
     */
    @Parameter(property = "images.includeNondistributable", defaultValue = "false")
    private boolean includeNondistributable;

    /**
     * Hashes every cached blob again before it goes into the output, once per build, instead of trusting the
     * stamp (size, modification time, inode) recorded when it was verified. Catches a flipped bit that keeps
     * all three (bit rot, a tool that restores times), at the cost of reading each blob: about a second per GB.
     *
     * @since 0.1.0
     */
    @Parameter(property = "images.verifyCache", defaultValue = "false")
    private boolean verifyCache;

    /**
     * Attaches the archive to the project, so that {@code install} and {@code deploy} publish it (an air-gapped
     * bundle beside the build's other artifacts). Without {@code archive}, {@code target/images.tar} is written.
     *
     * @since 0.1.0
     */
    @Parameter(property = "images.attach", defaultValue = "false")
    private boolean attach;

    /**
     * The classifier of the attached archive.
     *
     * @since 0.1.0
     */
    @Parameter(property = "images.classifier", defaultValue = "images")
    private String classifier;

    /**
     * The time every archive entry carries, for reproducible archives: Maven's
     * {@code project.build.outputTimestamp} (epoch seconds or ISO-8601); the epoch when unset.
     *
     * @since 0.1.0
     */
    @Parameter(property = "images.outputTimestamp", defaultValue = "${project.build.outputTimestamp}")
    private String outputTimestamp;

    /**
     * Skips the goal.
     *
     * @since 0.1.0
     */
    @Parameter(property = "images.skip", defaultValue = "false")
    private boolean skip;

    /**
     * Fails the build when a configured image (for its platform) has no entry in the lock file, or there is no
     * lock file; otherwise such an image is pulled as its tag is now, with a warning.
     *
     * @since 0.1.0
     */
    @Parameter(property = "images.lock.strict", defaultValue = "false")
    private boolean lockStrict;

    /**
     * Writes the lock file anew (as {@code images:lock} does) before pulling with it.
     *
     * @since 0.1.0
     */
    @Parameter(property = "images.lock.update", defaultValue = "false")
    private boolean lockUpdate;

    private final MavenProjectHelper projectHelper;

    @Inject
    public PullMojo(SettingsDecrypter settingsDecrypter, MavenProjectHelper projectHelper) {
        super(settingsDecrypter);
        this.projectHelper = projectHelper;
    }

    @Override
    public final void execute() throws MojoExecutionException, MojoFailureException {
        if (skip) {
            getLog().info("Skipping images:pull (skip is set)");
            return;
        }
        long start = System.nanoTime();
        PullRequest request = request();
        TrustPolicy trust = trustPolicy();
        if (request.images().isEmpty()) {
            getLog().warn("No images configured: set <images>, <imagesFile> or -Dimages=...");
            return;
        }
        // one session for the lock update and the pull: each registry is pinged and authenticated once
        try (RegistrySession session = ImagePuller.openSession(request)) {
            request = request.withImages(applyLock(request, lockStrict, lockUpdate, session));
            new ImagePuller(withLock(trust)).pull(request, session, start);
        } catch (ImagePullException e) {
            throw MavenExceptions.failed(e);
        }
        if (attach) {
            File file = request.archive().orElseThrow().toFile();
            String type = file.getName().endsWith(".tar") ? "tar" : "tar.gz";
            projectHelper.attachArtifact(project, type, classifier, file);
            getLog().info("attached " + file.getName() + " as " + type + " with classifier " + classifier);
        }
    }

    /** Builds the core's request; every configuration mistake becomes a MojoFailureException here, before any request. */
    private PullRequest request() throws MojoFailureException, MojoExecutionException {
        List<ImageRequest> requests = imageRequests();
        OutputFormat outputFormat = read(UserParameter.FORMAT, () -> OutputFormat.parse(format));
        if (parallelDownloads < 1) {
            throw misconfigured(UserParameter.PARALLEL_DOWNLOADS, "parallelDownloads must be at least 1, was " + parallelDownloads);
        }
        Instant timestamp = read(UserParameter.OUTPUT_TIMESTAMP, () -> OutputTimestamp.parse(outputTimestamp));
        NetworkOptions network = network(requests);
        Path output = outputDirectory();
        Optional<Path> archiveFile = archivePath();
        CacheFolders caches = cacheFolders();
        Path cache = caches.writable();
        PullListener listener = new MavenPullListener(getLog(), progressLine());
        CredentialProvider credentials = credentials(listener);
        // all the request itself still refuses is the legacy format asked for several platforms
        PullRequest pull = read(UserParameter.FORMAT, () -> new PullRequest(requests, output, outputFormat, archiveFile,
                parallelDownloads, cache, insecureRegistries(), credentials, listener));
        return pull.withNetwork(network)
                .withOffline(offline())
                .withIncludeNondistributable(includeNondistributable)
                .withVerifyCache(verifyCache)
                .withReadOnlyCaches(caches.readOnly())
                .withArchiveTimestamp(timestamp);
    }

    /** A live progress line only for a person at a terminal: not in batch mode (-B), not in CI, not when quiet. */
    private ProgressLine progressLine() {
        boolean interactive = session.getRequest() != null && session.getRequest().isInteractiveMode() && System.console() != null
                && System.getenv("CI") == null && getLog().isInfoEnabled();
        return interactive ? new ProgressLine(System.out, System::nanoTime) : null;
    }

    /** The archive to write: the configured one, or target/images.tar when attaching without one. */
    private Optional<Path> archivePath() {
        if (archive != null) {
            return Optional.of(archive.toPath());
        }
        if (attach) {
            return Optional.of(outputDirectory().resolveSibling("images.tar"));
        }
        return Optional.empty();
    }

    private Path outputDirectory() {
        return OutputLocation.of(outputDirectory, project, session);
    }
}
