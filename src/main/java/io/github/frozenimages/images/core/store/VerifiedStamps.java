package io.github.frozenimages.images.core.store;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Remembers, per blob, the file's size, modification time and inode at the moment its content was last
 * verified. A blob whose file still has those attributes is trusted without hashing it again (what makes a
 * warm build fast); any change, such as a tool writing into a hard-linked output file, sends it back
 * through verification, like git's index does for the work tree.
 */
final class VerifiedStamps {

    private final Path directory;
    /**
     * The stamps this store has read or written: a blob is checked several times per pull (offline first for
     * the list of what is missing, then when it is used; a layer shared by images once per image), and its
     * attributes are all a check needs once its stamp is known.
     */
    private final Map<String, String> known = new ConcurrentHashMap<>();

    VerifiedStamps(Path directory) {
        this.directory = directory;
    }

    boolean matches(Path blob, String key) {
        try {
            String now = describe(blob);
            if (now.equals(known.get(key))) {
                return true;
            }
            Path stamp = directory.resolve(key);
            if (Files.isRegularFile(stamp) && Files.readString(stamp, StandardCharsets.US_ASCII).equals(now)) {
                known.put(key, now);
                return true;
            }
            return false;
        } catch (IOException e) {
            return false;
        }
    }

    void record(Path blob, String key) throws IOException {
        Files.createDirectories(directory);
        Path temp = Files.createTempFile(directory, "." + key, ".tmp");
        try {
            String stamp = describe(blob);
            Files.writeString(temp, stamp, StandardCharsets.US_ASCII);
            Files.move(temp, directory.resolve(key), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            known.put(key, stamp);
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    void forget(String key) throws IOException {
        known.remove(key);
        Files.deleteIfExists(directory.resolve(key));
    }

    private static String describe(Path blob) throws IOException {
        BasicFileAttributes a = Files.readAttributes(blob, BasicFileAttributes.class);
        return a.size() + " " + a.lastModifiedTime().toInstant() + " " + a.fileKey();
    }
}
