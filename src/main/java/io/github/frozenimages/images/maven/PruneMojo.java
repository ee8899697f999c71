package io.github.frozenimages.images.maven;

import static io.github.frozenimages.images.maven.MavenExceptions.misconfigured;
import static io.github.frozenimages.images.maven.MavenExceptions.read;

import io.github.frozenimages.images.core.lock.ImageLock;
import io.github.frozenimages.images.core.ref.Digest;
import io.github.frozenimages.images.core.store.CacheFolders;
import io.github.frozenimages.images.core.store.CacheInventory;
import io.github.frozenimages.images.core.store.CachePruner;
import io.github.frozenimages.images.core.store.PruneLimits;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneOffset;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import org.apache.maven.execution.MavenSession;
import org.apache.maven.plugin.AbstractMojo;
import org.apache.maven.plugin.MojoExecutionException;
import org.apache.maven.plugin.MojoFailureException;
import org.apache.maven.plugins.annotations.Mojo;
import org.apache.maven.plugins.annotations.Parameter;
import org.apache.maven.project.MavenProject;

/**
 * Empties the blob cache of what no build needs any more: {@code -Dimages.prune.olderThan=30d} removes the blobs no
 * build has used for 30 days, {@code -Dimages.prune.maxSize=20GB} the least recently used until the cache fits,
 * with their stamps and the tag records that named them. Safe beside running builds: a blob one of them downloads or
 * uses is left, and a build that finds a blob gone downloads it again. Prunes the folder new blobs go to.
 *
 * @since 0.1.0
 */
@Mojo(name = "prune", requiresProject = false, threadSafe = true, aggregator = true)
public class PruneMojo extends AbstractMojo {

    /**
     * Removes the blobs no build has used for this long: days, hours or weeks, such as {@code 30d}, {@code 12h}, {@code 2w}.
     *
     * @since 0.1.0
     */
    @Parameter(property = "images.prune.olderThan")
    private String olderThan;

    /**
     * Then removes the least recently used blobs until the cache takes at most this much: B, KB, MB, GB or TB (powers
     * of 1024), such as {@code 20GB}.
     *
     * @since 0.1.0
     */
    @Parameter(property = "images.prune.maxSize")
    private String maxSize;

    /**
     * Keeps every image the lock file ({@code lockFile}) names, whatever its age.
     *
     * @since 0.1.0
     */
    @Parameter(property = "images.prune.keepLocked", defaultValue = "false")
    private boolean keepLocked;

    /**
     * The blob cache, as for {@code pull}; of several folders, the first that can be written is pruned.
     *
     * @since 0.1.0
     */
    @Parameter(property = "images.cacheDirectory")
    private File cacheDirectory;

    /**
     * The lock file whose images {@code keepLocked} keeps. Default: <code>${project.basedir}/images.lock.json</code>,
     * or {@code images.lock.json} in the current folder when there is no project.
     *
     * @since 0.1.0
     */
    @Parameter(property = "images.lockFile")
    private File lockFile;

    @Parameter(defaultValue = "${session}", readonly = true, required = true)
    MavenSession session;

    @Parameter(defaultValue = "${project}", readonly = true, required = true)
    MavenProject project;

    @Override
    public void execute() throws MojoExecutionException, MojoFailureException {
        Optional<Duration> age = blank(olderThan) ? Optional.empty()
                : Optional.of(read(UserParameter.PRUNE_OLDER_THAN, () -> PruneLimits.parseAge(olderThan)));
        OptionalLong size = blank(maxSize) ? OptionalLong.empty()
                : OptionalLong.of(read(UserParameter.PRUNE_MAX_SIZE, () -> PruneLimits.parseSize(maxSize)));
        if (age.isEmpty() && size.isEmpty()) {
            throw new MojoFailureException("images:prune needs a limit: -Dimages.prune.olderThan=30d removes what no build has used"
                    + " for 30 days, -Dimages.prune.maxSize=20GB the least recently used until the cache fits");
        }
        Set<Digest> keep = keepLocked ? lockedDigests() : Set.of();
        Path folder = folderToPrune();
        CachePruner.Result result;
        try {
            result = new CachePruner(folder).prune(new CachePruner.Policy(age, size, keep));
        } catch (IOException e) {
            throw new MojoExecutionException("could not prune the cache " + folder + ": " + e.getMessage(), e);
        }
        for (CachePruner.Blob blob : result.removed()) {
            getLog().info("removed " + blob.digest() + " (" + PruneLimits.formatSize(blob.bytes()) + ", last used "
                    + blob.lastUse().atZone(ZoneOffset.UTC).toLocalDate() + ")");
        }
        for (CachePruner.Blob blob : result.kept()) {
            getLog().info("left " + blob.digest() + ", which a running build is downloading or using");
        }
        CacheInventory after = result.after();
        getLog().info("removed " + result.removed().size() + " blob" + (result.removed().size() == 1 ? "" : "s") + " and "
                + result.tagRecordsRemoved() + " tag record" + (result.tagRecordsRemoved() == 1 ? "" : "s") + " from " + folder
                + ", freed " + PruneLimits.formatSize(result.bytesFreed()) + "; it holds " + PruneLimits.formatSize(after.bytes())
                + " in " + after.blobs() + " blob" + (after.blobs() == 1 ? "" : "s") + (keep.isEmpty() ? ""
                : ", keeping the " + keep.size() + " manifests and indexes of " + lockFile().getFileName() + " with what they name"));
    }

    /** The folder pull writes new blobs to; a read-only one cannot be pruned. */
    private Path folderToPrune() throws MojoFailureException {
        List<Path> configured = CacheLocation.folders(cacheDirectory, project, session);
        CacheFolders folders = CacheFolders.choose(configured, Path.of("unused")); // never created: only named
        if (folders.fellBack().isPresent()) {
            throw misconfigured(UserParameter.CACHE_DIRECTORY, "no cache folder can be written, so none can be pruned: "
                    + configured);
        }
        return folders.writable();
    }

    /** The indexes and manifests of the lock file; the pruner keeps what they name. */
    private Set<Digest> lockedDigests() throws MojoFailureException {
        Path file = lockFile();
        if (!Files.isRegularFile(file)) {
            throw misconfigured(UserParameter.PRUNE_KEEP_LOCKED, "images.prune.keepLocked is set but there is no lock file " + file);
        }
        ImageLock lock;
        try {
            lock = ImageLock.read(file);
        } catch (IOException e) {
            throw misconfigured(UserParameter.PRUNE_KEEP_LOCKED, "could not read the lock file " + file + ": " + e.getMessage(), e);
        }
        Set<Digest> digests = new HashSet<>();
        for (ImageLock.Image image : lock.images()) {
            image.index().ifPresent(digests::add);
            digests.addAll(image.manifests().values());
        }
        return digests;
    }

    private Path lockFile() {
        if (lockFile != null) {
            return lockFile.toPath();
        }
        if (project != null && project.getFile() != null) {
            return project.getBasedir().toPath().resolve(ImageLock.FILE_NAME);
        }
        String root = session.getExecutionRootDirectory();
        return (root == null ? Path.of("") : Path.of(root)).resolve(ImageLock.FILE_NAME);
    }

    private static boolean blank(String s) {
        return s == null || s.isBlank();
    }
}
