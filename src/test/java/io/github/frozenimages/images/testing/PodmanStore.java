package io.github.frozenimages.images.testing;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** A throwaway podman image store (vfs driver, in a temp dir) used to check that archives load. */
final class PodmanStore {

    private PodmanStore() {
    }

    static Consumers.PodmanLoad load(String podman, Path archive, Duration timeout) {
        // Directly under /tmp with a short name: podman 4.3 refuses a runroot longer than 50 characters.
        Path directory = TempFiles.createDirectory(Path.of("/tmp"), "pm-");
        if (directory.resolve("run").toString().length() > 50) {
            throw new IllegalStateException("podman's runroot would be too long: " + directory);
        }
        try {
            List<String> global = List.of(podman,
                    "--root", directory.resolve("root").toString(),
                    "--runroot", directory.resolve("run").toString(),
                    "--tmpdir", directory.resolve("tmp").toString(),
                    // vfs needs no kernel overlay support; no events or cgroups: nothing runs here.
                    "--storage-driver", "vfs",
                    "--events-backend", "none",
                    "--cgroup-manager", "cgroupfs");
            Map<String, String> environment = Map.of(
                    "TMPDIR", directory.toString(),
                    // Our own storage.conf, so neither /etc nor ~/.config/containers can change the store.
                    "CONTAINERS_STORAGE_CONF", writeStorageConf(directory).toString());
            String output = ProcessRunner.runSuccessfully(timeout, environment,
                    concat(global, "load", "--input", archive.toString())).stdout();
            String listing = ProcessRunner.runSuccessfully(timeout, environment,
                    concat(global, "images", "--no-trunc", "--format", "json")).stdout();
            return parse(listing, output);
        } finally {
            TempFiles.deleteRecursively(directory);
        }
    }

    private static Path writeStorageConf(Path directory) {
        Path file = directory.resolve("storage.conf");
        String conf = "[storage]\n"
                + "driver = \"vfs\"\n"
                + "graphroot = \"" + directory.resolve("root") + "\"\n"
                + "runroot = \"" + directory.resolve("run") + "\"\n";
        try {
            return Files.writeString(file, conf);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }

    private static Consumers.PodmanLoad parse(String listing, String loadOutput) {
        List<String> ids = new ArrayList<>();
        List<String> names = new ArrayList<>();
        for (JsonNode image : Json.parse(listing)) {
            ids.add(image.path("Id").asText().replaceFirst("^sha256:", ""));
            image.path("Names").forEach(name -> names.add(name.asText()));
        }
        return new Consumers.PodmanLoad(List.copyOf(ids), List.copyOf(names), loadOutput);
    }

    private static List<String> concat(List<String> global, String... command) {
        List<String> all = new ArrayList<>(global);
        all.addAll(List.of(command));
        return all;
    }
}
