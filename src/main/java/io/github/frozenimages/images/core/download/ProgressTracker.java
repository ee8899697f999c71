package io.github.frozenimages.images.core.download;

import io.github.frozenimages.images.core.shared.PullListener;
import io.github.frozenimages.images.core.shared.ImageProgress;

import io.github.frozenimages.images.core.model.Descriptor;
import io.github.frozenimages.images.core.ref.ImageReference;
import java.util.Collection;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/** Adds up one image's download progress from its parallel layer downloads and hands snapshots to the listener. */
final class ProgressTracker {

    private final ImageReference image;
    private final PullListener listener;
    private final long total;
    private final int layers;
    private final long start = System.nanoTime();
    private final AtomicLong done = new AtomicLong();
    private final AtomicInteger layersDone = new AtomicInteger();

    ProgressTracker(ImageReference image, Collection<Descriptor> distinctLayers, PullListener listener) {
        this.image = image;
        this.listener = listener;
        this.total = distinctLayers.stream().mapToLong(Descriptor::size).sum();
        this.layers = distinctLayers.size();
    }

    void bytes(long count) {
        report(done.addAndGet(count), layersDone.get());
    }

    /** A layer is complete; one from the cache counts with all its bytes. */
    void layerDone(Descriptor layer, boolean downloaded) {
        long bytes = downloaded ? done.get() : done.addAndGet(layer.size());
        report(bytes, layersDone.incrementAndGet());
    }

    private void report(long bytes, int layerCount) {
        listener.progress(new ImageProgress(image.familiarString(), bytes, total, layerCount, layers, System.nanoTime() - start));
    }
}
