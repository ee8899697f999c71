package io.github.frozenimages.images.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Base64;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * A second IT registry that needs credentials: htpasswd (bcrypt) Basic auth with a user whose password is
 * made up per run, holding test/oci-image:1.0. The user and password are appended to the fixture properties,
 * so that an IT can configure them and then scan its whole build log for any trace of the secret.
 */
final class AuthRegistryFixture {

    static final String USER = "it-user";

    private AuthRegistryFixture() {
    }

    static RegistryServer start(int port, Path propertiesFile) throws IOException, InterruptedException {
        String password = "it-secret-" + UUID.randomUUID();
        Path dir = Files.createTempDirectory("it-auth-registry-");
        Path htpasswd = dir.resolve("htpasswd");
        Process p = new ProcessBuilder("htpasswd", "-Bbn", "-C", "4", USER, password).redirectErrorStream(true).start();
        if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
            p.destroyForcibly();
            throw new IllegalStateException("htpasswd failed; it comes with Debian's apache2-utils (.ci/run installs it)");
        }
        Files.write(htpasswd, p.getInputStream().readAllBytes());
        RegistryServer server = RegistryServer.start(RegistryConfig.plain().port(port)
                .set("auth.htpasswd.realm", "it").set("auth.htpasswd.path", htpasswd.toString()));
        String basic = "Basic " + Base64.getEncoder().encodeToString((USER + ":" + password).getBytes(StandardCharsets.UTF_8));
        new RegistryPusher(server.baseUrl(), basic).push("test/oci-image", "1.0", StandardFixtures.build().ociImage());
        if (propertiesFile != null) {
            try {
                Files.writeString(propertiesFile, "auth.registry=" + server.address() + "\nauth.user=" + USER
                        + "\nauth.password=" + password + "\n", StandardCharsets.UTF_8, StandardOpenOption.APPEND);
            } catch (IOException e) {
                server.close();
                throw new UncheckedIOException(e);
            }
        }
        return server;
    }
}
