package io.github.frozenimages.images.maven;

import java.io.File;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.maven.execution.MavenSession;
import org.apache.maven.project.MavenProject;

/** Where the blob cache is, for every goal that reads or writes it: the configured folders, or the default. */
final class CacheLocation {

    private CacheLocation() {
    }

    /**
     * {@code cacheDirectory} split at its commas, or {@code .cache/images-maven-plugin} under the local repository.
     * Maven resolved the first folder against the project's folder already; the others are resolved here the same way.
     */
    static List<Path> folders(File configured, MavenProject project, MavenSession session) {
        if (configured == null) {
            File localRepository = new File(session.getRepositorySession().getLocalRepository().getBasedir().getPath());
            return List.of(localRepository.toPath().resolve(".cache").resolve("images-maven-plugin"));
        }
        Path base = project != null && project.getFile() != null ? project.getBasedir().toPath()
                : Path.of(session.getExecutionRootDirectory() == null ? "" : session.getExecutionRootDirectory());
        List<Path> folders = new ArrayList<>();
        for (String part : configured.getPath().split(",")) {
            if (!part.isBlank()) {
                folders.add(base.resolve(part.trim()));
            }
        }
        return folders.isEmpty() ? List.of(configured.toPath()) : folders;
    }

    /** {@code images-cache} in the build directory, beside the output: what {@code mvn clean} removes. */
    static Path fallback(MavenProject project, MavenSession session) {
        if (project != null && project.getFile() != null && project.getBuild() != null && project.getBuild().getDirectory() != null) {
            return Path.of(project.getBuild().getDirectory(), "images-cache");
        }
        String root = session.getExecutionRootDirectory();
        return (root == null ? Path.of("") : Path.of(root)).resolve("target").resolve("images-cache");
    }
}
