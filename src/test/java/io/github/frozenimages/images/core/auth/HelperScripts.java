package io.github.frozenimages.images.core.auth;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;

/**
 * Real {@code docker-credential-<name>} executables (POSIX shell scripts) in a folder of the test's own,
 * and an environment whose PATH finds them there and the shell's tools in the system folders only.
 */
final class HelperScripts {

    private final Path bin;

    HelperScripts(Path bin) throws IOException {
        this.bin = Files.createDirectories(bin);
    }

    /** Writes {@code docker-credential-<name>} with a POSIX shell body. */
    Path write(String name, String body) throws IOException {
        Path script = bin.resolve(CredentialHelper.PREFIX + name);
        Files.writeString(script, "#!/bin/sh\n" + body + "\n", StandardCharsets.UTF_8);
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
        return script;
    }

    /** A helper answering every request with one user and secret. */
    Path answering(String name, String username, String secret) throws IOException {
        return write(name, "cat > /dev/null\nprintf '{\"ServerURL\":\"x\",\"Username\":\"%s\",\"Secret\":\"%s\"}\\n' '"
                + username + "' '" + secret + "'");
    }

    /** The test's folder first on the PATH, then the system's tool folders (never the user's own PATH). */
    Map<String, String> env() {
        Map<String, String> env = new HashMap<>();
        env.put("PATH", bin + ":/usr/bin:/bin");
        return env;
    }

    static String base64(String text) {
        return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8));
    }
}
