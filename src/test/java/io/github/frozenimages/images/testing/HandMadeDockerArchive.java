package io.github.frozenimages.images.testing;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

/**
 * Writes a minimal docker-archive ({@code docker save} format) for a {@link TestImage}, independently
 * of the plugin: {@code manifest.json}, the config as {@code <config hex>.json} and each distinct layer
 * once, uncompressed, as {@code <diff id hex>.tar}. It exists to prove the consumer wrappers work on
 * an archive whose correctness does not depend on the code under test.
 */
public final class HandMadeDockerArchive {

    private HandMadeDockerArchive() {
    }

    /** Writes {@code image} tagged {@code repoTag} (e.g. {@code localhost/app:1.0}) to {@code target}. */
    public static Path write(TestImage image, String repoTag, Path target) {
        String configName = Sha256.hexOf(image.configDigest()) + ".json";
        ObjectNode entry = Json.object();
        entry.put("Config", configName);
        entry.putArray("RepoTags").add(repoTag);
        ArrayNode layerNames = entry.putArray("Layers");
        image.layers().forEach(layer -> layerNames.add(layerName(layer)));
        byte[] manifest = Json.bytes(Json.MAPPER.createArrayNode().add(entry));

        try (OutputStream file = Files.newOutputStream(target);
                TarArchiveOutputStream tar = new TarArchiveOutputStream(file)) {
            tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            Set<String> written = new HashSet<>();
            for (TestLayer layer : image.layers()) {
                // A layer listed twice is stored once and referenced twice, as docker save does.
                if (written.add(layerName(layer))) {
                    add(tar, layerName(layer), layer.tar());
                }
            }
            add(tar, configName, image.configBytes());
            add(tar, "manifest.json", manifest);
            tar.finish();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + target, e);
        }
        return target;
    }

    private static String layerName(TestLayer layer) {
        return Sha256.hexOf(layer.diffId()) + ".tar";
    }

    private static void add(TarArchiveOutputStream tar, String name, byte[] content) throws IOException {
        TarArchiveEntry entry = new TarArchiveEntry(name);
        entry.setSize(content.length);
        entry.setMode(0100644);
        entry.setModTime(java.util.Date.from(TestLayer.ENTRY_TIME));
        tar.putArchiveEntry(entry);
        tar.write(content);
        tar.closeArchiveEntry();
    }
}
