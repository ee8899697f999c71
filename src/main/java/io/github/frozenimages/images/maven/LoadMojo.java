package io.github.frozenimages.images.maven;

import static io.github.frozenimages.images.maven.MavenExceptions.misconfigured;
import static io.github.frozenimages.images.maven.MavenExceptions.read;

import io.github.frozenimages.images.core.engine.ArchiveSource;
import io.github.frozenimages.images.core.engine.EngineClient;
import io.github.frozenimages.images.core.engine.EngineEndpoint;
import io.github.frozenimages.images.core.engine.EngineException;
import io.github.frozenimages.images.core.engine.LoadedImages;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.apache.maven.execution.MavenSession;
import org.apache.maven.plugin.AbstractMojo;
import org.apache.maven.plugin.MojoExecutionException;
import org.apache.maven.plugin.MojoFailureException;
import org.apache.maven.plugins.annotations.LifecyclePhase;
import org.apache.maven.plugins.annotations.Mojo;
import org.apache.maven.plugins.annotations.Parameter;
import org.apache.maven.project.MavenProject;

/**
 * Loads the pulled images into a running Docker-compatible engine (Docker, or Podman's
 * {@code podman system service}) through the Docker Engine API, as {@code docker load} would, and logs the
 * names it loaded. Bind it after {@code pull}: both run in {@code pre-integration-test}, in the order declared.
 *
 * @since 0.1.0
 */
@Mojo(name = "load", defaultPhase = LifecyclePhase.PRE_INTEGRATION_TEST, threadSafe = true, requiresProject = false)
public class LoadMojo extends AbstractMojo {

    /**
     * The tarball to load, as the pull goal's {@code archive} wrote it ({@code .tar}, {@code .tar.gz} or
     * {@code .tgz}); a folder is tarred on the fly. Default: the pull goal's output folder
     * ({@code outputDirectory}), tarred on the fly, with no file written.
     *
     * @since 0.1.0
     */
    @Parameter(property = "images.archive")
    private File archive;

    /**
     * The pull goal's output folder, loaded when no {@code archive} is set. Default:
     * <code>${project.build.directory}/images</code>, or {@code target/images} under the current folder when
     * there is no project.
     *
     * @since 0.1.0
     */
    @Parameter(property = "images.outputDirectory")
    private File outputDirectory;

    /**
     * Where the engine listens: {@code unix:///path/to/socket}, or {@code tcp://host:port}, spoken to over TLS when
     * {@code DOCKER_TLS_VERIFY} is set, with {@code ca.pem}, {@code cert.pem} and {@code key.pem} from
     * {@code DOCKER_CERT_PATH} (else {@code ~/.docker}). Default: as the Docker CLI chooses: {@code DOCKER_HOST},
     * else the Docker context named by {@code DOCKER_CONTEXT}, else the {@code currentContext} of
     * {@code config.json} (in {@code DOCKER_CONFIG}, else {@code ~/.docker}), else
     * {@code unix:///var/run/docker.sock}. For Podman, the socket of {@code podman system service}, such as
     * {@code unix:///run/podman/podman.sock}.
     *
     * @since 0.1.0
     */
    @Parameter(property = "images.dockerHost")
    private String dockerHost;

    /**
     * How long, in seconds, the engine may stay silent: while it takes the archive, and while it unpacks the
     * layers before it answers. Connecting waits at most 30 s of it.
     *
     * @since 0.1.0
     */
    @Parameter(property = "images.loadTimeout", defaultValue = "600")
    private int loadTimeout;

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

    /** The environment DOCKER_HOST, DOCKER_TLS_VERIFY, DOCKER_CONTEXT and DOCKER_CONFIG are read from; tests replace it. */
    Map<String, String> environment = System.getenv();

    /** Where {@code ~/.docker} is when DOCKER_CONFIG is not set; tests replace it. */
    Path userHome = Path.of(System.getProperty("user.home"));

    @Override
    public final void execute() throws MojoExecutionException, MojoFailureException {
        if (skip) {
            getLog().info("Skipping images:load (images.skip=true)");
            return;
        }
        EngineEndpoint endpoint = endpoint();
        ArchiveSource source = source();
        LoadedImages loaded;
        try (EngineClient client = new EngineClient(endpoint, Duration.ofSeconds(loadTimeout))) {
            getLog().info("Loading " + source + (source.isTree() ? " (tarred on the fly)" : "")
                    + " into the engine at " + endpoint + (endpoint.isTls() ? " over TLS" : ""));
            loaded = client.load(source);
        } catch (EngineException e) {
            throw MavenExceptions.failed(e);
        }
        loaded.output().forEach(line -> getLog().debug("engine: " + line));
        loaded.names().forEach(name -> getLog().info("Loaded image: " + name));
        loaded.ids().forEach(id -> getLog().info("Loaded image ID: " + id));
        if (loaded.names().isEmpty() && loaded.ids().isEmpty()) {
            getLog().warn("The engine at " + endpoint + " took " + source + " but named no image it loaded");
        }
    }

    private EngineEndpoint endpoint() throws MojoFailureException {
        if (loadTimeout <= 0) {
            throw misconfigured(UserParameter.LOAD_TIMEOUT, "the load timeout must be a positive number of seconds, not " + loadTimeout);
        }
        // without <dockerHost> the address is DOCKER_HOST's or a context's, which <dockerHost> then overrides
        return read(UserParameter.DOCKER_HOST, () -> EngineEndpoint.resolve(dockerHost, environment, dockerConfigDirectory()));
    }

    /** Docker's config folder, as the Docker CLI finds it: contexts and the default TLS files are there. */
    private Path dockerConfigDirectory() {
        String configured = environment.get("DOCKER_CONFIG");
        return configured == null || configured.isBlank() ? userHome.resolve(".docker") : Path.of(configured.trim());
    }

    private ArchiveSource source() throws MojoFailureException {
        Path path = archive != null ? archive.toPath() : outputDirectory();
        if (!Files.exists(path)) {
            throw new MojoFailureException("nothing to load: " + path + " does not exist; run images:pull first"
                    + (archive != null ? " with the same <archive>" : "") + ", or set <archive> (-Dimages.archive)");
        }
        return read(archive != null ? UserParameter.ARCHIVE : UserParameter.OUTPUT_DIRECTORY, () -> ArchiveSource.of(path));
    }

    private Path outputDirectory() {
        return OutputLocation.of(outputDirectory, project, session);
    }
}
