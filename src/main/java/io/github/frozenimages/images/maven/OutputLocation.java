package io.github.frozenimages.images.maven;

import java.io.File;
import java.nio.file.Path;
import org.apache.maven.execution.MavenSession;
import org.apache.maven.project.MavenProject;

/** Where the pull's output tree is, for the goals that write or read it. */
final class OutputLocation {

    private OutputLocation() {
    }

    /** The configured folder, else {@code <build directory>/images}, else {@code ./target/images} without a POM. */
    static Path of(File configured, MavenProject project, MavenSession session) {
        if (configured != null) {
            return configured.toPath();
        }
        // without a POM Maven's stub project leaves ${project.basedir} unexpanded in its build directory
        if (project.getFile() == null) {
            return Path.of(session.getExecutionRootDirectory(), "target", "images");
        }
        return Path.of(project.getBuild().getDirectory(), "images");
    }
}
