package io.github.frozenimages.images.testing;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Independent readers of the plugin's outputs: skopeo, podman and umoci, the way a user would run
 * them. A missing binary fails the test with an install hint; it is never a skip, because a skipped
 * consumer check would make a broken archive look fine.
 */
public final class Consumers {

    private static final Duration SKOPEO_TIMEOUT = Duration.ofSeconds(120);
    private static final Duration PODMAN_TIMEOUT = Duration.ofSeconds(180);
    private static final Duration UMOCI_TIMEOUT = Duration.ofSeconds(60);

    private Consumers() {
    }

    /** What {@code podman load} put into a fresh store. */
    public record PodmanLoad(List<String> imageIds, List<String> names, String output) {
    }

    /**
     * {@code skopeo inspect <ref>}: the JSON summary (Digest, Architecture, Os, Layers, ...). Refs are
     * transport refs such as {@code docker-archive:/x.tar}, {@code oci:/dir:tag} or
     * {@code docker://127.0.0.1:5000/repo:tag} (plain http is allowed for the test registries).
     */
    public static String skopeoInspect(String transportRef) {
        return skopeo(inspect(transportRef));
    }

    /** {@code skopeo inspect --config <ref>}: the image config as skopeo parsed it (re-serialised). */
    public static String skopeoInspectConfig(String transportRef) {
        return skopeo(inspect(transportRef, "--config"));
    }

    /** {@code skopeo inspect --raw <ref>}: the manifest (or index) as stored, unparsed. */
    public static String skopeoInspectRaw(String transportRef) {
        return skopeo(inspect(transportRef, "--raw"));
    }

    /**
     * {@code skopeo copy <from> <to>}, e.g. {@code docker-archive:/x.tar} to {@code oci:/dir:tag}. Runs
     * with {@code --insecure-policy} (no host policy involved) and plain http for {@code docker://}.
     */
    public static void skopeoCopy(String from, String to) {
        copy(List.of(), from, to);
    }

    /** {@code skopeo copy --all}: every platform of an index, not only the host's. */
    public static void skopeoCopyAll(String from, String to) {
        copy(List.of("--all"), from, to);
    }

    private static void copy(List<String> options, String from, String to) {
        List<String> arguments = new ArrayList<>(List.of("--insecure-policy", "copy"));
        arguments.addAll(options);
        if (from.startsWith("docker://")) {
            arguments.add("--src-tls-verify=false");
        }
        if (to.startsWith("docker://")) {
            arguments.add("--dest-tls-verify=false");
        }
        arguments.add(from);
        arguments.add(to);
        skopeo(arguments.toArray(new String[0]));
    }

    /** Loads a docker-archive (or OCI archive) into a throwaway podman store; returns the full image IDs. */
    public static List<String> podmanLoad(Path archive) {
        return podmanLoadImages(archive).imageIds();
    }

    /** Loads the archive into a throwaway podman store; returns the loaded names, e.g. {@code localhost/app:1}. */
    public static List<String> podmanLoadNames(Path archive) {
        return podmanLoadImages(archive).names();
    }

    /** Loads the archive into a throwaway podman store and lists what it contains afterwards. */
    public static PodmanLoad podmanLoadImages(Path archive) {
        return PodmanStore.load(requireBinary("podman"), archive, PODMAN_TIMEOUT);
    }

    /** {@code umoci stat --json --image <layout>:<tag>}: fails unless umoci can read the OCI layout. */
    public static String umociStat(Path layout, String tag) {
        String umoci = requireBinary("umoci");
        return ProcessRunner.runSuccessfully(UMOCI_TIMEOUT, Map.of(),
                List.of(umoci, "stat", "--json", "--image", layout + ":" + tag)).stdout();
    }

    /** {@code umoci ls --layout <layout>}: the tags umoci finds; it reads a layout whose tag names an index too. */
    public static List<String> umociList(Path layout) {
        String umoci = requireBinary("umoci");
        return ProcessRunner.runSuccessfully(UMOCI_TIMEOUT, Map.of(), List.of(umoci, "ls", "--layout", layout.toString()))
                .stdout().lines().map(String::trim).filter(l -> !l.isEmpty()).toList();
    }

    /**
     * {@code umoci unpack --image <layout>:<tag> <bundle>}: applies every layer (umoci checks each layer's
     * uncompressed digest against the config's diff_ids) and returns the bundle's root file system.
     */
    public static Path umociUnpack(Path layout, String tag, Path bundle) {
        String umoci = requireBinary("umoci");
        ProcessRunner.runSuccessfully(UMOCI_TIMEOUT, Map.of(), List.of(umoci, "unpack", "--image", layout + ":" + tag, bundle.toString()));
        return bundle.resolve("rootfs");
    }

    /** {@code skopeo copy --format v2s1}: pushes an image as a signed Docker schema 1 manifest. */
    public static void skopeoCopyAsSchema1(String from, String to) {
        copy(List.of("--format", "v2s1"), from, to);
    }

    private static String[] inspect(String transportRef, String... options) {
        List<String> arguments = new ArrayList<>(List.of("inspect"));
        arguments.addAll(List.of(options));
        if (transportRef.startsWith("docker://")) {
            arguments.add("--tls-verify=false");
        }
        arguments.add(transportRef);
        return arguments.toArray(new String[0]);
    }

    private static String skopeo(String... arguments) {
        List<String> command = new ArrayList<>();
        command.add(requireBinary("skopeo"));
        command.addAll(List.of(arguments));
        return ProcessRunner.runSuccessfully(SKOPEO_TIMEOUT, Map.of(), command).stdout();
    }

    /** The binary's path in /usr/bin, or a failure telling how to install it. */
    static String requireBinary(String name) {
        return requireBinary(Path.of("/usr/bin", name), name);
    }

    static String requireBinary(Path binary, String debianPackage) {
        if (!Files.isExecutable(binary)) {
            throw new AssertionError(binary + " is missing: install it with `apt-get install -y "
                    + debianPackage + "` (the project's .ci/run does this)");
        }
        return binary.toString();
    }
}
