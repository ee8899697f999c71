package io.github.frozenimages.images.maven;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.apache.maven.api.plugin.testing.InjectMojo;
import org.apache.maven.api.plugin.testing.MojoExtension;
import org.apache.maven.api.plugin.testing.MojoParameter;
import org.apache.maven.api.plugin.testing.MojoTest;
import org.apache.maven.plugin.MojoExecutionException;
import org.apache.maven.plugin.MojoFailureException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The load goal's Maven layer: configuration, and which failures become which Maven exception. */
@MojoTest
class LoadMojoTest {

    private static final String POM = "src/test/resources/unit/load-config/pom.xml";

    @TempDir
    Path work;

    @Test
    @InjectMojo(goal = "load", pom = POM)
    void pomConfigurationReachesTheGoal(LoadMojo mojo) throws Exception {
        assertTrue(((File) MojoExtension.getVariableValueFromObject(mojo, "archive")).getPath().endsWith("unit-images.tar"));
        assertEquals("unix:///run/podman/podman.sock", MojoExtension.getVariableValueFromObject(mojo, "dockerHost"));
        assertEquals(90, MojoExtension.getVariableValueFromObject(mojo, "loadTimeout"));
    }

    @Test
    @InjectMojo(goal = "load", pom = POM)
    @MojoParameter(name = "skip", value = "true")
    @MojoParameter(name = "dockerHost", value = "ssh://not-even-valid")
    void skipDoesNothingAtAll(LoadMojo mojo) throws Exception {
        mojo.execute();
    }

    @Test
    @InjectMojo(goal = "load", pom = POM)
    @MojoParameter(name = "dockerHost", value = "ssh://me@host")
    void anUnusableDockerHostIsAConfigurationFailure(LoadMojo mojo) {
        MojoFailureException e = assertThrows(MojoFailureException.class, mojo::execute);
        assertTrue(e.getMessage().contains("ssh:// is not supported"), e.getMessage());
        assertTrue(e.getMessage().endsWith(" (check <dockerHost> or -Dimages.dockerHost)"), "names the parameter: " + e.getMessage());
    }

    @Test
    @InjectMojo(goal = "load", pom = POM)
    void anUnusableDockerHostVariableNamesTheParameterThatOverridesIt(LoadMojo mojo) throws Exception {
        MojoExtension.setVariableValueToObject(mojo, "dockerHost", null);
        mojo.environment = Map.of("DOCKER_HOST", "npipe:////./pipe/docker_engine");
        MojoFailureException e = assertThrows(MojoFailureException.class, mojo::execute);
        assertTrue(e.getMessage().startsWith("DOCKER_HOST \"npipe:////./pipe/docker_engine\" is not usable"), e.getMessage());
        assertTrue(e.getMessage().endsWith(" (check <dockerHost> or -Dimages.dockerHost)"), "names the parameter: " + e.getMessage());
    }

    @Test
    @InjectMojo(goal = "load", pom = POM)
    void aMissingArchiveIsAConfigurationFailure(LoadMojo mojo) throws Exception {
        MojoExtension.setVariableValueToObject(mojo, "archive", work.resolve("none.tar").toFile());
        MojoFailureException e = assertThrows(MojoFailureException.class, mojo::execute);
        assertEquals("nothing to load: " + work.resolve("none.tar") + " does not exist; run images:pull first with the"
                + " same <archive>, or set <archive> (-Dimages.archive)", e.getMessage());
    }

    @Test
    @InjectMojo(goal = "load", pom = POM)
    void withoutArchiveAMissingPulledFolderIsAConfigurationFailure(LoadMojo mojo) throws Exception {
        MojoExtension.setVariableValueToObject(mojo, "archive", null);
        MojoExtension.setVariableValueToObject(mojo, "outputDirectory", work.resolve("images").toFile());
        MojoFailureException e = assertThrows(MojoFailureException.class, mojo::execute);
        assertTrue(e.getMessage().startsWith("nothing to load: " + work.resolve("images") + " does not exist; run images:pull first,"),
                e.getMessage());
    }

    @Test
    @InjectMojo(goal = "load", pom = POM)
    void noEngineIsAnExecutionFailureThatSaysWhereItLooked(LoadMojo mojo) throws Exception {
        Path archive = Files.write(work.resolve("images.tar"), new byte[1024]);
        MojoExtension.setVariableValueToObject(mojo, "archive", archive.toFile());
        MojoExtension.setVariableValueToObject(mojo, "dockerHost", null);
        String socket = "unix://" + work.resolve("docker.sock");
        mojo.environment = Map.of("DOCKER_HOST", socket);
        MojoExecutionException e = assertThrows(MojoExecutionException.class, mojo::execute);
        assertEquals("no engine listening at " + socket + ": there is no socket file (set DOCKER_HOST or -Dimages.dockerHost)",
                e.getMessage());
    }

    @Test
    @InjectMojo(goal = "load", pom = POM)
    @MojoParameter(name = "loadTimeout", value = "0")
    void aNonPositiveTimeoutIsAConfigurationFailure(LoadMojo mojo) {
        MojoFailureException e = assertThrows(MojoFailureException.class, mojo::execute);
        assertEquals("the load timeout must be a positive number of seconds, not 0 (check <loadTimeout> or -Dimages.loadTimeout)",
                e.getMessage());
    }

    @Test
    @InjectMojo(goal = "load", pom = POM)
    void aMissingKeyPemIsAnExecutionFailureNamingTheEngineAndDockerCertPath(LoadMojo mojo) throws Exception {
        Path archive = Files.write(work.resolve("images.tar"), new byte[1024]);
        MojoExtension.setVariableValueToObject(mojo, "archive", archive.toFile());
        MojoExtension.setVariableValueToObject(mojo, "dockerHost", null);
        Path certs = Files.createDirectories(work.resolve("certs/client"));
        Files.writeString(certs.resolve("ca.pem"), "read only once key.pem is there");
        Files.writeString(certs.resolve("cert.pem"), "read only once key.pem is there");
        mojo.environment = Map.of("DOCKER_HOST", "tcp://127.0.0.1:2376", "DOCKER_TLS_VERIFY", "1", "DOCKER_CERT_PATH", certs.toString());

        MojoExecutionException e = assertThrows(MojoExecutionException.class, mojo::execute);

        assertEquals("cannot use TLS with the engine at tcp://127.0.0.1:2376: " + certs.resolve("key.pem") + " does not exist,"
                + " and cert.pem is of no use without its key (check DOCKER_CERT_PATH=" + certs + ")", e.getMessage());
    }

    @Test
    @InjectMojo(goal = "load", pom = POM)
    void theCurrentContextOfTheUsersDockerConfigIsUsedAndNamed(LoadMojo mojo) throws Exception {
        Path archive = Files.write(work.resolve("images.tar"), new byte[1024]);
        MojoExtension.setVariableValueToObject(mojo, "archive", archive.toFile());
        MojoExtension.setVariableValueToObject(mojo, "dockerHost", null);
        Path dockerConfig = Files.createDirectories(work.resolve("home/.docker"));
        // sha256("desktop-linux"), the context Docker Desktop installs
        Path meta = Files.createDirectories(dockerConfig.resolve(
                "contexts/meta/fe9c6bd7a66301f49ca9b6a70b217107cd1284598bfc254700c989b916da791e"));
        String socket = "unix://" + work.resolve("desktop.sock");
        Files.writeString(meta.resolve("meta.json"), "{\"Name\":\"desktop-linux\",\"Metadata\":{},"
                + "\"Endpoints\":{\"docker\":{\"Host\":\"" + socket + "\",\"SkipTLSVerify\":false}}}");
        Files.writeString(dockerConfig.resolve("config.json"), "{\"currentContext\":\"desktop-linux\"}");
        mojo.environment = Map.of();
        mojo.userHome = work.resolve("home");

        MojoExecutionException e = assertThrows(MojoExecutionException.class, mojo::execute);

        assertEquals("no engine listening at " + socket + " (Docker context \"desktop-linux\", chosen by currentContext of "
                + dockerConfig.resolve("config.json") + "): there is no socket file (set DOCKER_HOST or -Dimages.dockerHost)",
                e.getMessage());
    }

    @Test
    @InjectMojo(goal = "load", pom = POM)
    void dockerConfigNamesTheFolderOfTheContexts(LoadMojo mojo) throws Exception {
        MojoExtension.setVariableValueToObject(mojo, "dockerHost", null);
        Path dockerConfig = Files.createDirectories(work.resolve("ci-docker"));
        mojo.environment = Map.of("DOCKER_CONFIG", dockerConfig.toString(), "DOCKER_CONTEXT", "colima");
        mojo.userHome = work.resolve("home-without-docker");

        MojoFailureException e = assertThrows(MojoFailureException.class, mojo::execute);

        assertEquals("the Docker context \"colima\" named by DOCKER_CONTEXT does not exist: there is no " + dockerConfig.resolve(
                "contexts/meta/f24fd3749c1368328e2b149bec149cb6795619f244c5b584e844961215dadd16/meta.json")
                + " (docker context ls lists the contexts there are) (check <dockerHost> or -Dimages.dockerHost)", e.getMessage());
    }
}
