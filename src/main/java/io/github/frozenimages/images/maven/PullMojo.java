package io.github.frozenimages.images.maven;

import io.github.frozenimages.images.core.ImagePullException;
import io.github.frozenimages.images.core.ImagePuller;
import io.github.frozenimages.images.core.ImageRequest;
import io.github.frozenimages.images.core.OutputFormat;
import io.github.frozenimages.images.core.PullListener;
import io.github.frozenimages.images.core.PullRequest;
import io.github.frozenimages.images.core.auth.ChainedCredentialProvider;
import io.github.frozenimages.images.core.auth.CredentialProvider;
import io.github.frozenimages.images.core.auth.DockerConfigCredentialProvider;
import io.github.frozenimages.images.core.auth.PodmanAuthFileProvider;
import io.github.frozenimages.images.core.ref.ImageReference;
import io.github.frozenimages.images.core.ref.Platform;
import java.io.File;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.maven.execution.MavenSession;
import org.apache.maven.plugin.AbstractMojo;
import org.apache.maven.plugin.MojoExecutionException;
import org.apache.maven.plugin.MojoFailureException;
import org.apache.maven.plugins.annotations.LifecyclePhase;
import org.apache.maven.plugins.annotations.Mojo;
import org.apache.maven.plugins.annotations.Parameter;
import org.apache.maven.project.MavenProject;
import org.apache.maven.project.MavenProjectHelper;
import org.apache.maven.settings.Settings;
import org.apache.maven.settings.crypto.SettingsDecrypter;
import javax.inject.Inject;

/**
 * Pulls container images from their registries, with no Docker daemon, into a folder that
 * {@code docker load}, {@code podman load} and {@code ctr images import} accept.
 *
 * @since 0.1.0
 */
@Mojo(name = "pull", defaultPhase = LifecyclePhase.PRE_INTEGRATION_TEST, threadSafe = true, requiresProject = false)
public class PullMojo extends AbstractMojo {

    /**
     * The images to pull: each a reference such as {@code alpine:3.20}, or an element with {@code <name>}
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
     * The folder the images are written to; replaced as a whole on each run. Default:
     * {@code ${project.build.directory}/images}, or {@code target/images} under the current folder when
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
     * The content-addressed blob cache shared by all builds of the user. Default:
     * {@code .cache/images-maven-plugin} under the local Maven repository.
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

    @Parameter(defaultValue = "${session}", readonly = true, required = true)
    private MavenSession session;

    @Parameter(defaultValue = "${project}", readonly = true, required = true)
    private MavenProject project;

    @Parameter(defaultValue = "${settings}", readonly = true)
    private Settings settings;

    private final SettingsDecrypter settingsDecrypter;
    private final MavenProjectHelper projectHelper;

    @Inject
    public PullMojo(SettingsDecrypter settingsDecrypter, MavenProjectHelper projectHelper) {
        this.settingsDecrypter = settingsDecrypter;
        this.projectHelper = projectHelper;
    }

    @Override
    public final void execute() throws MojoExecutionException, MojoFailureException {
        if (skip) {
            getLog().info("Skipping images:pull (images.skip=true)");
            return;
        }
        PullRequest request = request();
        if (request.images().isEmpty()) {
            getLog().warn("No images configured: set <images>, <imagesFile> or -Dimages=...");
            return;
        }
        try {
            new ImagePuller().pull(request);
        } catch (ImagePullException e) {
            throw new MojoExecutionException(e.messageWithAdvice(), e);
        }
        if (attach) {
            File file = request.archive().orElseThrow().toFile();
            String type = file.getName().endsWith(".tar") ? "tar" : "tar.gz";
            projectHelper.attachArtifact(project, type, classifier, file);
            getLog().info("attached " + file.getName() + " as " + type + " with classifier " + classifier);
        }
    }

    /** Builds the core's request; every configuration mistake becomes a MojoFailureException here. */
    private PullRequest request() throws MojoFailureException {
        try {
            Platform defaultPlatform = platform == null || platform.isBlank()
                    ? Platform.fromBuildEnvironment(System.getenv()) : Platform.parse(platform.trim());
            List<ImageRequest> requests = new ArrayList<>();
            for (ImageSpec spec : specs()) {
                if (spec.getName() == null || spec.getName().isBlank()) {
                    throw new IllegalArgumentException("an <image> has no name");
                }
                Platform p = spec.getPlatform() == null || spec.getPlatform().isBlank()
                        ? defaultPlatform : Platform.parse(spec.getPlatform().trim());
                ImageReference reference = ImageReference.parse(spec.getName().trim());
                if (spec.getServerId() != null && !spec.getServerId().isBlank()) {
                    String earlier = serverIds.putIfAbsent(reference.registry(), spec.getServerId().trim());
                    if (earlier != null && !earlier.equals(spec.getServerId().trim())) {
                        throw new IllegalArgumentException("images of " + reference.registry() + " name two <serverId>s, \""
                                + earlier + "\" and \"" + spec.getServerId().trim() + "\": one registry takes one set of credentials");
                    }
                }
                List<Platform> chosen = morePlatforms();
                // one platform named in <platforms> is simply the platform to pull
                requests.add(new ImageRequest(reference, chosen.size() == 1 ? chosen.get(0) : p,
                        chosen, allPlatforms()));
            }
            Set<String> insecure = new HashSet<>();
            if (insecureRegistries != null) {
                insecureRegistries.stream().map(String::trim).filter(s -> !s.isEmpty()).forEach(insecure::add);
            }
            PullListener listener = new MavenPullListener(getLog(), progressLine());
            return new PullRequest(requests, outputDirectory(), OutputFormat.parse(format),
                    archivePath(), parallelDownloads, cacheDirectory(), insecure,
                    credentials(listener), listener)
                    .withNetwork(NetworkConfiguration.build(retries, timeout, trustStore, trustStorePassword, mirrors,
                            settings, settingsDecrypter))
                    .withOffline(session.getRequest() != null && session.isOffline())
                    .withArchiveTimestamp(OutputTimestamp.parse(outputTimestamp));
        } catch (IllegalArgumentException e) {
            throw new MojoFailureException(e.getMessage(), e);
        }
    }

    private boolean allPlatforms() {
        return platforms != null && platforms.stream().anyMatch(p -> p.trim().equalsIgnoreCase("all"));
    }

    private List<Platform> morePlatforms() {
        if (platforms == null || allPlatforms()) {
            return List.of();
        }
        return platforms.stream().map(String::trim).filter(p -> !p.isEmpty()).map(Platform::parse).toList();
    }

    /** A live progress line only for a person at a terminal: not in batch mode (-B), not in CI, not when quiet. */
    private ProgressLine progressLine() {
        boolean interactive = session.getRequest() != null && session.getRequest().isInteractiveMode() && System.console() != null
                && System.getenv("CI") == null && getLog().isInfoEnabled();
        return interactive ? new ProgressLine(System.out, System::nanoTime) : null;
    }

    /** settings.xml first (Maven users keep their secrets there), then what docker login and podman login left. */
    /** Registry (canonical name) to the {@code <serverId>} an image names for it; filled while the images are read. */
    private final Map<String, String> serverIds = new java.util.HashMap<>();

    private CredentialProvider credentials(PullListener listener) {
        return new ChainedCredentialProvider(listener,
                new SettingsCredentialProvider(settings, settingsDecrypter, serverIds),
                DockerConfigCredentialProvider.ofThisUser(),
                PodmanAuthFileProvider.ofThisUser());
    }

    private List<ImageSpec> specs() throws MojoFailureException {
        List<ImageSpec> all = new ArrayList<>();
        if (images != null) {
            all.addAll(images);
        }
        if (imagesFile != null) {
            try {
                ImageListFile.read(imagesFile.toPath()).forEach(name -> all.add(new ImageSpec(name)));
            } catch (IOException e) {
                throw new MojoFailureException("could not read the images file " + imagesFile + ": " + e.getMessage(), e);
            }
        }
        return all;
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
        if (outputDirectory != null) {
            return outputDirectory.toPath();
        }
        // without a POM Maven's stub project leaves ${project.basedir} unexpanded in its build directory
        if (project.getFile() == null) {
            return Path.of(session.getExecutionRootDirectory(), "target", "images");
        }
        return Path.of(project.getBuild().getDirectory(), "images");
    }

    private Path cacheDirectory() {
        if (cacheDirectory != null) {
            return cacheDirectory.toPath();
        }
        File localRepository = new File(session.getRepositorySession().getLocalRepository().getBasedir().getPath());
        return localRepository.toPath().resolve(".cache").resolve("images-maven-plugin");
    }
}
