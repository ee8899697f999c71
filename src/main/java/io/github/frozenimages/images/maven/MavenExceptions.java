package io.github.frozenimages.images.maven;

import io.github.frozenimages.images.core.shared.ImagePullException;
import io.github.frozenimages.images.core.engine.EngineException;
import java.util.function.Supplier;
import org.apache.maven.plugin.MojoExecutionException;
import org.apache.maven.plugin.MojoFailureException;

/**
 * The one mapping from failures to Maven's exceptions, shared by every goal so that the same mistake reads the
 * same under pull, lock and load. Maven tells the two apart for the user: a MojoFailureException says the
 * project is wrong and the user has to change it, so a configuration mistake is one, and its message ends with
 * the setting to change; a MojoExecutionException says the goal could not do its work, so whatever went wrong
 * while pulling, locking or loading is one, with the core's message and its advice.
 */
final class MavenExceptions {

    private MavenExceptions() {
    }

    /** A value the core rejected: its message says what is wrong, this adds where the value came from. */
    static MojoFailureException misconfigured(UserParameter parameter, IllegalArgumentException e) {
        return misconfigured(parameter, e.getMessage(), e);
    }

    static MojoFailureException misconfigured(UserParameter parameter, String problem) {
        return misconfigured(parameter, problem, null);
    }

    static MojoFailureException misconfigured(UserParameter parameter, String problem, Throwable cause) {
        return new MojoFailureException(problem + " (check " + parameter + ")", cause);
    }

    /** Runs the core's parser of one parameter's value: what it rejects is that parameter's mistake. */
    static <T> T read(UserParameter parameter, Supplier<T> parser) throws MojoFailureException {
        try {
            return parser.get();
        } catch (IllegalArgumentException e) {
            throw misconfigured(parameter, e);
        }
    }

    /** A pull or lock that failed: the core's message names the image and registry, its advice what to try. */
    static MojoExecutionException failed(ImagePullException e) {
        return new MojoExecutionException(e.messageWithAdvice(), e);
    }

    /** A load that failed; where the engine's own words leave the fix open, the setting that decides it. */
    static MojoExecutionException failed(EngineException e) {
        String message = switch (e.reason()) {
            case NOT_LISTENING -> e.getMessage() + " (set DOCKER_HOST or -Dimages.dockerHost)";
            case TIMEOUT -> e.getMessage() + " (a large archive may need a longer -Dimages.loadTimeout)";
            default -> e.getMessage();
        };
        return new MojoExecutionException(message, e);
    }
}
