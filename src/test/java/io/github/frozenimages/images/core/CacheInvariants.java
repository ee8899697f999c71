package io.github.frozenimages.images.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.function.Function;
import java.util.stream.Stream;

/**
 * The invariants of the reliability catalogue (its "INV"), checked after a test: I1 no output and no temp
 * sibling of it after a failure; I2 every cached blob hashes to its name, no empty impostor, and partial files only
 * as true prefixes of their blob; I3 every lock file free and the pull's threads gone.
 */
final class CacheInvariants {

    private CacheInvariants() {
    }

    /** I1: {@code output} does not exist, nor any staging or old copy beside it. */
    static void assertNoOutput(Path output) throws IOException {
        assertFalse(Files.exists(output, LinkOption.NOFOLLOW_LINKS), "a failed pull left " + output);
        assertNoTempSiblings(output);
    }

    /** I1: no {@code .<name>-new-*} or {@code .<name>-old-*} beside {@code output}. */
    static void assertNoTempSiblings(Path output) throws IOException {
        Path parent = output.toAbsolutePath().getParent();
        if (!Files.isDirectory(parent)) {
            return;
        }
        String prefix = "." + output.getFileName();
        try (Stream<Path> siblings = Files.list(parent)) {
            List<String> temps = siblings.map(p -> p.getFileName().toString()).filter(n -> n.startsWith(prefix + "-")).toList();
            assertEquals(List.of(), temps, "temp siblings of " + output + " are left");
        }
    }

    /**
     * I2 and I3 for a cache: blobs named by their content, none empty unless it is the empty blob, no temp files
     * of the stamp area, partial files only as prefixes ({@code contentOf} gives a blob's bytes by digest, or null
     * when the test cannot know them, which then fails on any partial of it), and every lock file free.
     */
    static void assertCacheSound(Path cache, Function<String, byte[]> contentOf) throws IOException {
        if (!Files.exists(cache)) {
            return;
        }
        Path blobs = cache.resolve("blobs");
        if (Files.isDirectory(blobs)) {
            try (Stream<Path> files = Files.walk(blobs)) {
                for (Path f : files.filter(p -> Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)).toList()) {
                    String name = f.getFileName().toString();
                    String algorithm = f.getParent().getFileName().toString();
                    if (name.startsWith(".") && name.endsWith(".partial")) {
                        String digest = algorithm + ":" + name.substring(1, name.length() - ".partial".length());
                        byte[] blob = contentOf.apply(digest);
                        byte[] held = Files.readAllBytes(f);
                        if (blob == null) {
                            fail("a partial download of " + digest + " (" + held.length + " bytes) was left in " + f.getParent());
                        }
                        assertTrue(held.length < blob.length && java.util.Arrays.equals(held, 0, held.length, blob, 0, held.length),
                                f + " is not a true prefix of its blob");
                        continue;
                    }
                    assertEquals(name, hash(f, algorithm), "cached blob " + algorithm + ":" + name + " does not hash to its name");
                }
            }
            try (Stream<Path> links = Files.walk(blobs)) {
                List<Path> odd = links.filter(p -> Files.isSymbolicLink(p)).toList();
                assertEquals(List.of(), odd, "symbolic links in the cache's blobs");
            }
        }
        Path verified = cache.resolve("verified");
        if (Files.isDirectory(verified)) {
            try (Stream<Path> files = Files.list(verified)) {
                List<String> temps = files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".tmp")).toList();
                assertEquals(List.of(), temps, "temp files of verification stamps are left");
            }
        }
        assertLocksFree(cache);
    }

    /** I2 without partials: a cache after a successful pull holds complete, verified blobs only. */
    static void assertCacheSound(Path cache) throws IOException {
        assertCacheSound(cache, digest -> null);
    }

    /** I3: nobody (in this JVM or another) holds a lock of the cache, and the pull's worker threads have ended. */
    static void assertLocksFree(Path cache) throws IOException {
        Path locks = cache.resolve("locks");
        if (Files.isDirectory(locks)) {
            try (Stream<Path> files = Files.list(locks)) {
                for (Path lock : files.toList()) {
                    try (FileChannel channel = FileChannel.open(lock, StandardOpenOption.WRITE)) {
                        FileLock held = channel.tryLock();
                        assertTrue(held != null, lock + " is locked by another process");
                        held.release();
                    } catch (OverlappingFileLockException e) {
                        fail(lock + " is still locked by this JVM");
                    }
                }
            }
        }
        long deadline = System.nanoTime() + 5_000_000_000L;
        List<String> workers;
        while (!(workers = workerThreads()).isEmpty() && System.nanoTime() < deadline) {
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        assertEquals(List.of(), workers, "the pull's threads outlived it");
    }

    private static List<String> workerThreads() {
        List<String> names = new ArrayList<>();
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (t.isAlive() && (t.getName().startsWith("images-resolve-") || t.getName().startsWith("images-download-"))) {
                names.add(t.getName());
            }
        }
        return names;
    }

    static String hash(Path file, String algorithm) throws IOException {
        try {
            MessageDigest md = MessageDigest.getInstance(algorithm.equals("sha512") ? "SHA-512" : "SHA-256");
            byte[] buffer = new byte[1 << 16];
            try (InputStream in = Files.newInputStream(file)) {
                int n;
                while ((n = in.read(buffer)) > 0) {
                    md.update(buffer, 0, n);
                }
            }
            return HexFormat.of().formatHex(md.digest());
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
