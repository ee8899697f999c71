package io.github.frozenimages.images.maven;

import io.github.frozenimages.images.core.lock.ImageLocker;
import io.github.frozenimages.images.core.ref.ImageRequest;
import io.github.frozenimages.images.core.registry.NetworkOptions;
import io.github.frozenimages.images.core.registry.RegistrySession;
import io.github.frozenimages.images.core.shared.PullListener;
import io.github.frozenimages.images.core.trust.TrustPolicy;
import org.apache.maven.plugin.MojoExecutionException;
import org.apache.maven.plugin.MojoFailureException;
import org.apache.maven.plugins.annotations.Mojo;
import org.apache.maven.plugins.annotations.Parameter;
import org.apache.maven.settings.crypto.SettingsDecrypter;
import java.util.List;
import javax.inject.Inject;

/**
 * Locks the configured images to the digests their tags point to now: resolves each image, for each platform
 * {@code pull} would choose, with manifest HEAD requests (which Docker Hub does not count as pulls; only a
 * multi-platform index is fetched, by digest, unless the cache has it) and writes {@code images.lock.json}
 * beside the POM: sorted and stable, for code review. While the file exists, {@code pull} fetches exactly
 * those digests, keeping the tag names in its output.
 *
 * @since 0.1.0
 */
@Mojo(name = "lock", requiresProject = true, threadSafe = true)
public class LockMojo extends AbstractImagesMojo {

    /**
     * Skips the goal.
     *
     * @since 0.1.0
     */
    @Parameter(property = "images.skip", defaultValue = "false")
    private boolean skip;

    @Inject
    public LockMojo(SettingsDecrypter settingsDecrypter) {
        super(settingsDecrypter);
    }

    @Override
    public void execute() throws MojoExecutionException, MojoFailureException {
        if (skip) {
            getLog().info("Skipping images:lock (images.skip=true)");
            return;
        }
        List<ImageRequest> requests = imageRequests();
        NetworkOptions network = network(requests);
        if (requests.isEmpty()) {
            getLog().warn("No images configured: set <images>, <imagesFile> or -Dimages=...");
            return;
        }
        PullListener listener = new MavenPullListener(getLog(), null);
        try (RegistrySession session = new RegistrySession(4, insecureRegistries(), credentials(listener), network, listener)) {
            TrustPolicy trust = trustPolicy();
            lock(requests, () -> new ImageLocker(cacheDirectory(), session, listener, trust));
        }
    }
}
