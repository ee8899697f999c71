package io.github.frozenimages.images.core.download;

import io.github.frozenimages.images.core.ref.Digest;
import java.security.MessageDigest;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;

/**
 * Gets SHA-256 compiled before the first layer arrives. The JDK hashes with the CPU's SHA instructions only
 * once C2 has compiled SHA-256's compress loop; until then each download thread hashes in the interpreter or
 * C1, which in Maven's fresh JVM (its compile queue full of start-up code) costs a few hundred milliseconds per
 * thread. Hashing a few MiB of zeros in the background while the registry answers the ping, manifest and config
 * requests gets the loop compiled first. Once per class loader: a JVM (a Maven reactor) that has hashed before
 * has nothing to gain.
 */
public final class WarmUp {

    /** Enough calls for C2 to compile SHA2.implCompress0 and DigestBase.implCompressMultiBlock0. */
    private static final int BYTES = 4 * 1024 * 1024;
    private static final int CHUNK = 64 * 1024;
    private static final AtomicBoolean DONE = new AtomicBoolean();

    private WarmUp() {
    }

    /**
     * Warms up hashing when {@code download} guesses that layers will be fetched; the guess runs in the
     * background too. A warm build (everything cached) skips it: there the hashing only costs CPU.
     */
    public static void startIf(BooleanSupplier download) {
        if (!DONE.get()) {
            daemon(() -> {
                if (download.getAsBoolean()) {
                    hash();
                }
            });
        }
    }

    /** For a download {@link #startIf} did not foresee (a tag that moved): late, but still before the layers. */
    static void start() {
        if (!DONE.get()) {
            daemon(WarmUp::hash);
        }
    }

    private static void daemon(Runnable work) {
        Thread t = new Thread(work, "images-warm-up");
        t.setDaemon(true);
        t.start();
    }

    private static void hash() {
        if (!DONE.compareAndSet(false, true)) {
            return;
        }
        MessageDigest md = Digest.sha256Hasher();
        byte[] chunk = new byte[CHUNK];
        for (int done = 0; done < BYTES; done += CHUNK) {
            md.update(chunk);
        }
        md.digest();
    }
}
