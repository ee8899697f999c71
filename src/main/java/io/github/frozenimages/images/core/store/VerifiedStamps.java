package io.github.frozenimages.images.core.store;

import io.github.frozenimages.images.core.files.AtomicFile;
import io.github.frozenimages.images.core.files.Durability;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
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
        String stamp = describe(blob);
        // not synced: matches() compares the whole stamp with the blob's attributes, so a stamp that a crash
        // tore never matches and only sends its blob through hashing again; a sync here would put a wait on
        // the disk into every blob a pull verifies
        AtomicFile.write(directory.resolve(key), stamp.getBytes(StandardCharsets.US_ASCII), Durability.UNSYNCED);
        known.put(key, stamp);
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
