package io.github.frozenimages.images.core.push;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.frozenimages.images.core.files.AtomicFile;
import io.github.frozenimages.images.core.files.Durability;
import io.github.frozenimages.images.core.model.Json;
import io.github.frozenimages.images.core.output.TextTable;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** What a push did: {@code images-push-report.json} for machines, a compact table for the log. */
final class PushReport {

    private PushReport() {
    }

    static void write(Path file, List<PushedImage> images) throws IOException {
        ObjectNode root = JsonNodeFactory.instance.objectNode();
        ArrayNode list = root.putArray("images");
        for (PushedImage p : images) {
            ObjectNode n = list.addObject();
            n.put("source", p.source().toString());
            n.put("target", p.target().toString());
            n.put("digest", p.digest().toString());
            n.put("blobsUploaded", p.uploaded());
            n.put("blobsMounted", p.mounted());
            n.put("blobsPresent", p.present());
            n.put("bytesSent", p.bytesSent());
        }
        // not synced: nothing reads it back, and every push writes it anew
        AtomicFile.write(file, Json.write(root), Durability.UNSYNCED);
    }

    static List<String> table(List<PushedImage> images) {
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"image", "pushed to", "digest", "uploaded", "mounted", "present"});
        for (PushedImage p : images) {
            rows.add(new String[] {p.source().familiarString(), p.target().familiarString(),
                    p.digest().algorithm() + ":" + p.digest().shortHex(), String.valueOf(p.uploaded()), String.valueOf(p.mounted()),
                    String.valueOf(p.present())});
        }
        return TextTable.render(rows);
    }
}
