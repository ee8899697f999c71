package io.github.frozenimages.images.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * Docker schema 1 images made by the tools that made them in the wild: umoci builds an image (two file
 * layers and a config change, which becomes a {@code throwaway} history entry), and skopeo pushes it with
 * {@code --format v2s1} to a registry that accepts schema 1 ({@link #registryConfig()}), which stores the
 * signed manifest as pushed.
 */
public final class Schema1Images {

    /** The files the two layers add, and the config the image carries. */
    public static final String FIRST_FILE = "etc/first.txt";
    public static final String FIRST_CONTENT = "first layer\n";
    public static final String SECOND_FILE = "etc/second.txt";
    public static final String SECOND_CONTENT = "second layer\n";
    public static final String ENV = "SCHEMA=1";
    public static final String CMD = "/bin/true";

    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    private Schema1Images() {
    }

    /** A plain registry that also takes schema 1 pushes: {@code compatibility: schema1: enabled: true} (Distribution 2.x). */
    public static RegistryConfig registryConfig() {
        return RegistryConfig.plain().set("compatibility.schema1.enabled", true);
    }

    /**
     * Builds the image in {@code work} and pushes it as {@code <registry>/<repository>:<tag>}.
     *
     * @return the digest the registry names the manifest by (over its JWS payload)
     */
    public static String push(RegistryServer registry, String repository, String tag, Path work) throws IOException {
        Path layout = work.resolve("schema1-source");
        Path files = work.resolve("schema1-files");
        Files.createDirectories(files.resolve("etc"));
        Files.writeString(files.resolve(FIRST_FILE), FIRST_CONTENT, StandardCharsets.UTF_8);
        Files.writeString(files.resolve(SECOND_FILE), SECOND_CONTENT, StandardCharsets.UTF_8);
        String umoci = Consumers.requireBinary("umoci");
        String image = layout + ":src";
        umoci(List.of(umoci, "init", "--layout", layout.toString()));
        umoci(List.of(umoci, "new", "--image", image));
        umoci(List.of(umoci, "insert", "--image", image, files.resolve(FIRST_FILE).toString(), "/" + FIRST_FILE));
        umoci(List.of(umoci, "config", "--image", image, "--config.env", ENV, "--config.cmd", CMD, "--os", "linux", "--architecture", "amd64"));
        umoci(List.of(umoci, "insert", "--image", image, files.resolve(SECOND_FILE).toString(), "/" + SECOND_FILE));
        String target = "docker://" + registry.address() + "/" + repository + ":" + tag;
        Consumers.skopeoCopyAsSchema1("oci:" + image, target);
        String inspected = Consumers.skopeoInspect(target);
        java.util.regex.Matcher digest = java.util.regex.Pattern.compile("\"Digest\":\\s*\"(sha256:[0-9a-f]{64})\"").matcher(inspected);
        if (!digest.find()) {
            throw new AssertionError("skopeo inspect shows no digest: " + inspected);
        }
        return digest.group(1);
    }

    private static void umoci(List<String> command) {
        ProcessRunner.runSuccessfully(TIMEOUT, Map.of(), command);
    }
}
