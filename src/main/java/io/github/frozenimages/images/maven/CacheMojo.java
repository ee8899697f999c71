package io.github.frozenimages.images.maven;

import io.github.frozenimages.images.core.store.CacheInventory;
import io.github.frozenimages.images.core.store.PruneLimits;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import org.apache.maven.execution.MavenSession;
import org.apache.maven.plugin.AbstractMojo;
import org.apache.maven.plugin.MojoExecutionException;
import org.apache.maven.plugins.annotations.Mojo;
import org.apache.maven.plugins.annotations.Parameter;
import org.apache.maven.project.MavenProject;

/**
 * Prints where the blob cache is, how much it takes, how many blobs it holds and when the least recently used one was
 * last used: what to look at before {@code images:prune}.
 *
 * @since 0.1.0
 */
@Mojo(name = "cache", requiresProject = false, threadSafe = true, aggregator = true)
public class CacheMojo extends AbstractMojo {

    /**
     * The blob cache, as for {@code pull}; each of several folders is described.
     *
     * @since 0.1.0
     */
    @Parameter(property = "images.cacheDirectory")
    private File cacheDirectory;

    @Parameter(defaultValue = "${session}", readonly = true, required = true)
    MavenSession session;

    @Parameter(defaultValue = "${project}", readonly = true, required = true)
    MavenProject project;

    @Override
    public void execute() throws MojoExecutionException {
        for (Path folder : CacheLocation.folders(cacheDirectory, project, session)) {
            if (!Files.isDirectory(folder)) {
                getLog().info("cache " + folder.toAbsolutePath().normalize() + ": empty (no such folder yet)");
                continue;
            }
            CacheInventory inventory;
            try {
                inventory = CacheInventory.of(folder);
            } catch (IOException e) {
                throw new MojoExecutionException("could not read the cache " + folder + ": " + e.getMessage(), e);
            }
            String oldest = inventory.oldestUse().map(CacheMojo::describe).orElse("none");
            getLog().info("cache " + inventory.folder() + (Files.isWritable(folder) ? "" : " (read-only)") + ": "
                    + PruneLimits.formatSize(inventory.bytes()) + " in " + inventory.blobs() + " blob"
                    + (inventory.blobs() == 1 ? "" : "s") + ", oldest use " + oldest);
        }
    }

    private static String describe(Instant use) {
        long days = Duration.between(use, Instant.now()).toDays();
        return use.atZone(ZoneOffset.UTC).toLocalDate() + " (" + (days == 0 ? "today" : days == 1 ? "1 day ago" : days + " days ago") + ")";
    }
}
