package io.github.frozenimages.images.core.output;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.frozenimages.images.core.model.Descriptor;
import io.github.frozenimages.images.core.model.Json;
import java.io.IOException;
import java.util.List;

/** An index over some of an image's platforms, for an output that keeps only the chosen ones. */
public final class IndexDocument {

    private IndexDocument() {
    }

    /** @param mediaType the original index's type, so a Docker manifest list stays one */
    public static byte[] of(String mediaType, List<Descriptor> entries) throws IOException {
        ObjectNode index = JsonNodeFactory.instance.objectNode();
        index.put("schemaVersion", 2);
        index.put("mediaType", mediaType);
        ArrayNode manifests = index.putArray("manifests");
        for (Descriptor d : entries) {
            ObjectNode entry = OciLayoutWriter.descriptor(d);
            if (!d.annotations().isEmpty()) {
                ObjectNode annotations = entry.putObject("annotations");
                d.annotations().forEach(annotations::put);
            }
            manifests.add(entry);
        }
        return Json.write(index);
    }
}
