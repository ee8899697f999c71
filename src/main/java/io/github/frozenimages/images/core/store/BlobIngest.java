package io.github.frozenimages.images.core.store;

import io.github.frozenimages.images.core.model.Descriptor;
import io.github.frozenimages.images.core.ref.Digest;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;

/**
 * Downloads one blob into its partial file, resuming where a broken body left off, and verifies it.
 * The partial file has a fixed name beside the blob, so a build killed mid-download leaves bytes that the
 * next build (holding the same blob lock) re-hashes and continues from. Bytes that fail verification are
 * discarded and fetched once more from zero; a second failure is final.
 */
final class BlobIngest {

    /** Consecutive attempts that bring no new byte before the download gives up, when the caller sets none. */
    static final int DEFAULT_ATTEMPTS_WITHOUT_PROGRESS = 3;
    /**
     * A hard bound on all attempts, as a multiple of those allowed without progress, for a connection that always
     * dies a little further on: 100 with the default of 5 retries.
     */
    static final int ATTEMPTS_PER_RETRY = 20;

    private static final int BUFFER = 256 * 1024;

    private final Descriptor blob;
    private final Path partial;
    private final IngestObserver observer;

    BlobIngest(Descriptor blob, Path partial, IngestObserver observer) {
        this.blob = blob;
        this.partial = partial;
        this.observer = observer;
    }

    /** Leaves a verified, synced partial file, or throws and leaves none. */
    void run(BlobSource source) throws IOException {
        boolean restarted = false;
        while (true) {
            try {
                download(source);
                return;
            } catch (IOException | RuntimeException e) {
                deleteIfEmpty();
                if (!(e instanceof BlobVerificationException)) {
                    throw e;
                }
                Files.deleteIfExists(partial);
                if (restarted) {
                    throw e;
                }
                restarted = true;
                observer.restarting(e.getMessage());
            }
        }
    }

    /** A refused response leaves nothing worth resuming: no empty partial file lingers. */
    private void deleteIfEmpty() throws IOException {
        if (Files.isRegularFile(partial) && Files.size(partial) == 0) {
            Files.delete(partial);
        }
    }

    private void download(BlobSource source) throws IOException {
        MessageDigest hasher = blob.digest().newMessageDigest();
        if (Files.exists(partial, java.nio.file.LinkOption.NOFOLLOW_LINKS) && !Files.isRegularFile(partial, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            Files.delete(partial); // a link (or anything else) planted under the partial file's name is never written through
        }
        try (FileChannel file = FileChannel.open(partial, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE,
                java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            EarlyWriteback writeback = new EarlyWriteback(file);
            try {
                receive(source, file, hasher, writeback);
                writeback.finish();
                file.force(true);
            } finally {
                writeback.abandon(); // the channel closes next: no sync may still be running on it
            }
        }
    }

    private void receive(BlobSource source, FileChannel file, MessageDigest hasher, EarlyWriteback writeback) throws IOException {
        long expected = blob.size();
        long held = rehash(file, hasher, expected);
        int allowedWithoutProgress = Math.max(1, observer.attemptsWithoutProgress());
        int maxAttempts = allowedWithoutProgress * ATTEMPTS_PER_RETRY;
        int withoutProgress = 0;
        for (int attempt = 1; held < expected; attempt++) {
            if (attempt > maxAttempts) {
                throw new DownloadBrokeOffException("gave up after " + maxAttempts + " attempts at " + held + " of " + expected + " bytes", null);
            }
            long before = held;
            IOException broke;
            try (BlobSource.Body body = source.open(held)) {
                if (body.start() != held) {
                    // the server sent the whole blob instead of the range: start over with it
                    file.truncate(0);
                    hasher.reset();
                    held = 0;
                    if (body.start() != 0) {
                        throw new IOException("the body starts at byte " + body.start() + ", not " + before);
                    }
                }
                held = copy(body.stream(), file, hasher, writeback, held, expected);
                if (held == expected) {
                    break;
                }
                broke = new IOException("the body ended after " + (held - before) + " bytes, " + (expected - held) + " short");
            } catch (ReadBrokeOff e) {
                held = e.held;
                broke = (IOException) e.getCause();
            } catch (RangeNotHonouredException e) {
                file.truncate(0);
                hasher.reset();
                held = 0;
                broke = e;
                observer.restarting(e.getMessage());
            }
            withoutProgress = held > before ? 0 : withoutProgress + 1;
            if (withoutProgress >= allowedWithoutProgress) {
                throw new DownloadBrokeOffException("the download broke off " + withoutProgress + " times at byte " + held
                        + " of " + expected + " without progress: " + broke.getMessage(), broke);
            }
            observer.resuming(held, broke, attempt);
        }
        if (held != expected) {
            throw new BlobVerificationException("received " + held + " bytes, the descriptor declares " + expected);
        }
        Digest actual = Digest.of(blob.digest().algorithm(), hasher.digest());
        if (!actual.equals(blob.digest())) {
            throw new BlobVerificationException("the content hashes to " + actual + ", expected " + blob.digest());
        }
    }

    /** Rebuilds the hash state over bytes a previous attempt or build left; more than the blob's size is junk. */
    private static long rehash(FileChannel file, MessageDigest hasher, long expected) throws IOException {
        long size = file.size();
        if (size > expected) {
            file.truncate(0);
            return 0;
        }
        ByteBuffer buffer = ByteBuffer.allocate(BUFFER);
        long position = 0;
        while (position < size) {
            buffer.clear();
            int n = file.read(buffer, position);
            if (n < 0) {
                break;
            }
            hasher.update(buffer.array(), 0, n);
            position += n;
        }
        file.position(position);
        return position;
    }

    /** Appends the body; never reads more than one byte past the declared size. */
    private long copy(InputStream in, FileChannel file, MessageDigest hasher, EarlyWriteback writeback, long held, long expected)
            throws IOException {
        byte[] buffer = new byte[BUFFER];
        while (true) {
            int n;
            try {
                n = in.read(buffer, 0, (int) Math.min(buffer.length, expected - held + 1));
            } catch (IOException e) {
                throw new ReadBrokeOff(held, e);
            }
            if (n < 0) {
                return held;
            }
            if (held + n > expected) {
                throw new BlobVerificationException("received more than the " + expected + " bytes the descriptor declares");
            }
            hasher.update(buffer, 0, n);
            ByteBuffer out = ByteBuffer.wrap(buffer, 0, n);
            while (out.hasRemaining()) {
                file.write(out);
            }
            held += n;
            writeback.written(n);
            observer.bytesWritten(n);
        }
    }

    /** A read (not a write) failed: the network, so the download may resume. */
    private static final class ReadBrokeOff extends IOException {
        final long held;

        ReadBrokeOff(long held, IOException cause) {
            super(cause);
            this.held = held;
        }
    }
}
