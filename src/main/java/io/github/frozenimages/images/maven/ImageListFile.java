package io.github.frozenimages.images.maven;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Reads an images file: one reference a line; blank lines and {@code #} comments are ignored. */
final class ImageListFile {

    private ImageListFile() {
    }

    static List<String> read(Path file) throws IOException {
        List<String> references = new ArrayList<>();
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            int hash = line.indexOf('#');
            String content = (hash < 0 ? line : line.substring(0, hash)).trim();
            if (!content.isEmpty()) {
                references.add(content);
            }
        }
        return references;
    }
}
