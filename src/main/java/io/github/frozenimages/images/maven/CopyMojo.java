package io.github.frozenimages.images.maven;

import static io.github.frozenimages.images.maven.MavenExceptions.misconfigured;

import io.github.frozenimages.images.core.ImagePuller;
import io.github.frozenimages.images.core.OutputFormat;
import io.github.frozenimages.images.core.PullRequest;
import io.github.frozenimages.images.core.push.ImagePusher;
import io.github.frozenimages.images.core.push.PushRequest;
import io.github.frozenimages.images.core.ref.ImageRequest;
import io.github.frozenimages.images.core.registry.NetworkOptions;
import io.github.frozenimages.images.core.shared.ImagePullException;
import io.github.frozenimages.images.core.shared.PullListener;
import java.io.File;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import javax.inject.Inject;
import org.apache.maven.plugin.MojoExecutionException;
import org.apache.maven.plugin.MojoFailureException;
import org.apache.maven.plugins.annotations.Mojo;
import org.apache.maven.plugins.annotations.Parameter;
import org.apache.maven.settings.crypto.SettingsDecrypter;

/**
 * Copies the configured images from their registries to {@code target}, with no output of the build's own: each
 * image is resolved and its blobs verified through the cache, as {@code pull} does, into a staging layout under
 * {@code target/} (hard links into the cache), then pushed byte for byte as {@code push} does. For promotion,
 * mirroring, or keeping a list of images in step with an internal registry.
 *
 * @since 0.1.0
 */
@Mojo(name = "copy", requiresProject = false, threadSafe = true)
public class CopyMojo extends AbstractImagesMojo {

    /**
     * Where the images go: a registry and optionally a path in it, before each image's own repository path.
     *
     * @since 0.1.0
     */
    @Parameter(property = "images.push.target")
    private String target;

    /**
     * Where the verified images are staged between the pull and the push.
     *
     * @since 0.1.0
     */
    @Parameter(defaultValue = "${project.build.directory}/images-copy", readonly = true)
    private File stagingDirectory;

    /**
     * How many blobs are fetched, and sent, at once.
     *
     * @since 0.1.0
     */
    @Parameter(property = "images.parallelDownloads", defaultValue = "4")
    private int parallel;

    @Inject
    public CopyMojo(SettingsDecrypter settingsDecrypter) {
        super(settingsDecrypter);
    }

    @Override
    public void execute() throws MojoExecutionException, MojoFailureException {
        List<ImageRequest> requests = imageRequests();
        if (requests.isEmpty()) {
            getLog().warn("No images configured: set <images>, <imagesFile> or -Dimages=...");
            return;
        }
        Map<String, String> pushAs = pushTargets();
        if ((target == null || target.isBlank()) && pushAs.isEmpty()) {
            throw misconfigured(UserParameter.PUSH_TARGET, "images:copy needs a target registry, e.g. registry.corp/mirror");
        }
        NetworkOptions network = network(requests);
        PullListener listener = new MavenPullListener(getLog(), null);
        Path staging = stagingDirectory.toPath();
        int threads = Math.max(1, parallel);
        try {
            io.github.frozenimages.images.core.store.CacheFolders caches = cacheFolders();
            new ImagePuller(trustPolicy()).pull(new PullRequest(requests, staging, OutputFormat.OCI, Optional.empty(), threads, caches.writable(),
                    insecureRegistries(), credentials(listener), listener).withNetwork(network).withReadOnlyCaches(caches.readOnly()));
            new ImagePusher().push(new PushRequest(staging, Optional.empty(), target, pushAs, threads, insecureRegistries(),
                    credentials(listener), network, listener, staging.toAbsolutePath().resolveSibling(staging.getFileName() + "-push-report.json")));
        } catch (IllegalArgumentException e) {
            throw misconfigured(UserParameter.PUSH_TARGET, e);
        } catch (ImagePullException e) {
            throw MavenExceptions.failed(e);
        }
    }
}
