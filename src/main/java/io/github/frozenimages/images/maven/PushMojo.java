package io.github.frozenimages.images.maven;

import static io.github.frozenimages.images.maven.MavenExceptions.misconfigured;

import io.github.frozenimages.images.core.push.ImagePusher;
import io.github.frozenimages.images.core.push.PushRequest;
import io.github.frozenimages.images.core.registry.NetworkOptions;
import io.github.frozenimages.images.core.shared.ImagePullException;
import io.github.frozenimages.images.core.shared.PullListener;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import javax.inject.Inject;
import org.apache.maven.execution.MavenSession;
import org.apache.maven.plugin.MojoExecutionException;
import org.apache.maven.plugin.MojoFailureException;
import org.apache.maven.plugins.annotations.LifecyclePhase;
import org.apache.maven.plugins.annotations.Mojo;
import org.apache.maven.plugins.annotations.Parameter;
import org.apache.maven.settings.crypto.SettingsDecrypter;
import org.eclipse.aether.artifact.DefaultArtifact;
import org.eclipse.aether.resolution.ArtifactRequest;
import org.eclipse.aether.resolution.ArtifactResolutionException;

/**
 * Pushes what {@code pull} wrote into a registry, byte for byte: the output tree, the archive, or a bundle that
 * is a Maven artifact. Each image goes to {@code target} followed by its own repository path and tag
 * ({@code docker.io/library/alpine:3.20 -> registry.corp/mirror/library/alpine:3.20}), or to its {@code <pushAs>};
 * one pulled by digest alone is pushed by digest. Manifests keep their exact bytes, so every digest at the target
 * is the source's and a lock file stays true; blobs the target has are not sent again; each tag is checked by
 * {@code HEAD} after the push. Needs no POM: {@code mvn images:push -Dimages.archive=bundle.tar.gz
 * -Dimages.push.target=registry.corp/mirror}.
 *
 * @since 0.1.0
 */
@Mojo(name = "push", defaultPhase = LifecyclePhase.DEPLOY, requiresProject = false, threadSafe = true)
public class PushMojo extends AbstractImagesMojo {

    /**
     * Where the images go: a registry, and optionally a path in it ({@code registry.corp/mirror}), before each image's
     * own repository path.
     *
     * @since 0.1.0
     */
    @Parameter(property = "images.push.target")
    private String target;

    /**
     * The output tree {@code pull} wrote (its {@code docker} or {@code oci} format).
     *
     * @since 0.1.0
     */
    @Parameter(property = "images.outputDirectory", defaultValue = "${project.build.directory}/images")
    private File outputDirectory;

    /**
     * A bundle to push instead of the tree: the {@code .tar} or {@code .tar.gz} that {@code pull} wrote as its archive.
     *
     * @since 0.1.0
     */
    @Parameter(property = "images.archive")
    private File archive;

    /**
     * A bundle that is a Maven artifact, resolved like any dependency (settings.xml mirrors and credentials
     * apply), as {@code groupId:artifactId:version:type:classifier}, e.g. {@code com.acme:app-images:1.0:tar.gz:images}.
     *
     * @since 0.1.0
     */
    @Parameter(property = "images.artifact")
    private String artifact;

    /**
     * How many blobs are sent at once.
     *
     * @since 0.1.0
     */
    @Parameter(property = "images.parallelDownloads", defaultValue = "4")
    private int parallelUploads;

    /**
     * Skips the goal.
     *
     * @since 0.1.0
     */
    @Parameter(property = "images.push.skip", defaultValue = "false")
    private boolean skip;

    @Parameter(defaultValue = "${session}", readonly = true)
    private MavenSession session;

    @Inject
    public PushMojo(SettingsDecrypter settingsDecrypter) {
        super(settingsDecrypter);
    }

    @Override
    public void execute() throws MojoExecutionException, MojoFailureException {
        if (skip) {
            getLog().info("Skipping images:push (images.push.skip=true)");
            return;
        }
        Map<String, String> pushAs = pushTargets();
        if ((target == null || target.isBlank()) && pushAs.isEmpty()) {
            throw misconfigured(UserParameter.PUSH_TARGET, "images:push needs a target registry, e.g. registry.corp/mirror");
        }
        NetworkOptions network = network(List.of());
        PullListener listener = new MavenPullListener(getLog(), null);
        Optional<Path> bundle = bundle();
        Path layout = bundle.isPresent() ? staging(bundle.get()) : outputDirectory.toPath();
        Path report = bundle.map(b -> b.resolveSibling(b.getFileName() + "-push-report.json"))
                .orElseGet(() -> layout.toAbsolutePath().resolveSibling(layout.getFileName() + "-push-report.json"));
        if (bundle.isEmpty() && !Files.isDirectory(layout)) {
            throw misconfigured(UserParameter.OUTPUT_DIRECTORY, "there is nothing to push at " + layout
                    + ": run images:pull first, or name a bundle with images.archive or images.artifact");
        }
        try {
            new ImagePusher().push(new PushRequest(layout, bundle, target, pushAs, Math.max(1, parallelUploads), insecureRegistries(),
                    credentials(listener), network, listener, report));
        } catch (IllegalArgumentException e) {
            throw misconfigured(UserParameter.PUSH_TARGET, e);
        } catch (ImagePullException e) {
            throw MavenExceptions.failed(e);
        }
    }

    /** The bundle to push, when one is named: the archive, or the artifact resolved from a Maven repository. */
    private Optional<Path> bundle() throws MojoFailureException, MojoExecutionException {
        if (artifact != null && !artifact.isBlank()) {
            String[] p = artifact.trim().split(":");
            if (p.length != 5) {
                throw misconfigured(UserParameter.PUSH_ARTIFACT, "\"" + artifact + "\" is not groupId:artifactId:version:type:classifier");
            }
            ArtifactRequest request = new ArtifactRequest(new DefaultArtifact(p[0], p[1], p[4], p[3], p[2]),
                    session.getCurrentProject().getRemoteProjectRepositories(), null);
            try {
                File file = repositorySystem.resolveArtifact(session.getRepositorySession(), request).getArtifact().getFile();
                getLog().info("pushing the bundle " + artifact + " (" + file + ")");
                return Optional.of(file.toPath());
            } catch (ArtifactResolutionException e) {
                throw new MojoExecutionException("could not resolve the bundle " + artifact + ": " + e.getMessage()
                        + " (check the coordinates, and the repositories and credentials of settings.xml)", e);
            }
        }
        if (archive != null) {
            if (!archive.isFile()) {
                throw misconfigured(UserParameter.ARCHIVE, "there is no bundle at " + archive);
            }
            return Optional.of(archive.toPath());
        }
        return Optional.empty();
    }

    /** A new folder beside the bundle to unpack it in; the push removes it when done. */
    private static Path staging(Path bundle) throws MojoExecutionException {
        try {
            Path dir = Files.createTempDirectory(bundle.toAbsolutePath().getParent(), ".images-push-");
            Files.delete(dir);
            return dir;
        } catch (IOException e) {
            throw new MojoExecutionException("could not make a folder to unpack " + bundle + " in: " + e.getMessage(), e);
        }
    }
}
