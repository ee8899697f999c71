package io.github.frozenimages.images.core.output;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.frozenimages.images.core.files.AtomicFile;
import io.github.frozenimages.images.core.files.Durability;
import io.github.frozenimages.images.core.model.Json;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What a pull did, for machines ({@code <output>-report.json}, beside the output tree so the tree stays exactly
 * an image layout) and for people (a compact table for the log). Never holds a secret: credentials appear
 * only as the name of their source.
 */
public final class PullReport {

    private PullReport() {
    }

    /** The report's place: {@code target/images} reports to {@code target/images-report.json}. */
    public static Path pathFor(Path outputDirectory) {
        Path out = outputDirectory.toAbsolutePath().normalize();
        return out.resolveSibling(out.getFileName() + "-report.json");
    }

    public static void write(Path file, List<PulledImage> images) throws IOException {
        write(file, images, Map.of());
    }

    /**
     * @param requests what was asked of each registry, by kind ({@code "GET manifest"}, {@code "HEAD manifest"},
     *                 {@code "GET blob"}, {@code "ping"}): Docker Hub counts each manifest GET as a pull, and no HEAD
     */
    public static void write(Path file, List<PulledImage> images, Map<String, Map<String, Integer>> requests) throws IOException {
        ObjectNode root = JsonNodeFactory.instance.objectNode();
        ArrayNode list = root.putArray("images");
        for (PulledImage p : images) {
            ObjectNode n = list.addObject();
            n.put("reference", p.reference().toString());
            n.put("digest", p.manifestDigest().toString());
            n.put("config", p.configDigest().toString());
            n.put("platform", p.platform().toString());
            n.put("layers", p.layers());
            n.put("bytes", p.totalBytes());
            n.put("downloadedBytes", p.downloadedBytes());
            n.put("layersReused", p.cachedLayers());
            n.put("layersDownloaded", p.layers() - p.cachedLayers());
            n.put("endpoint", p.registry());
            n.put("mirror", p.mirror() != null);
            n.put("credentials", p.credentialSource());
            n.put("retries", p.retries());
            if (p.rateLimitRemaining() != null) {
                n.put("ratelimitRemaining", p.rateLimitRemaining());
            }
            n.put("millis", p.duration().toMillis());
        }
        ObjectNode asked = root.putObject("requests");
        requests.forEach((registry, kinds) -> {
            ObjectNode r = asked.putObject(registry);
            kinds.forEach(r::put);
        });
        // not synced: nothing of the plugin reads the report back, and every pull writes it anew
        AtomicFile.write(file, Json.write(root), Durability.UNSYNCED);
    }

    /** The log's table: one row per image, columns padded to their widest cell. */
    public static List<String> table(List<PulledImage> images) {
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"image", "platform", "digest", "layers", "size", "downloaded", "endpoint", "credentials", "retries"});
        for (PulledImage p : images) {
            rows.add(new String[] {p.reference().familiarString(), p.platform().toString(),
                    p.manifestDigest().algorithm() + ":" + p.manifestDigest().shortHex(),
                    p.layers() + " (" + p.cachedLayers() + " cached)", PulledImage.humanBytes(p.totalBytes()),
                    PulledImage.humanBytes(p.downloadedBytes()), p.registry() + (p.mirror() != null ? " (mirror)" : ""),
                    p.credentialSource(), String.valueOf(p.retries())});
        }
        return TextTable.render(rows);
    }
}
