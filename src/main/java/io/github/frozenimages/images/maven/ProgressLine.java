package io.github.frozenimages.images.maven;

import io.github.frozenimages.images.core.shared.ImageProgress;
import io.github.frozenimages.images.core.output.PulledImage;
import java.io.PrintStream;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * The live line an interactive terminal shows while images download: each image in flight with its bytes,
 * rate and layers, redrawn in place at most twice a second. Never used in batch mode or CI, where it would
 * only be noise in a log file.
 */
final class ProgressLine {

    static final long MIN_INTERVAL_NANOS = 500_000_000L;

    private final PrintStream out;
    private final LongSupplier clock;
    private final Map<String, ImageProgress> inFlight = new LinkedHashMap<>();
    private long lastDrawn = Long.MIN_VALUE / 2;
    private int drawnLength;

    ProgressLine(PrintStream out, LongSupplier clock) {
        this.out = out;
        this.clock = clock;
    }

    synchronized void update(ImageProgress progress) {
        String key = progress.image();
        if (progress.finished()) {
            inFlight.remove(key);
        } else {
            inFlight.put(key, progress);
        }
        long now = clock.getAsLong();
        if (now - lastDrawn < MIN_INTERVAL_NANOS) {
            return;
        }
        lastDrawn = now;
        draw(render());
    }

    /** Wipes the line, so that a log message starts on a clean line. */
    synchronized void clear() {
        if (drawnLength > 0) {
            draw("");
        }
    }

    String render() {
        StringBuilder sb = new StringBuilder();
        for (ImageProgress p : inFlight.values()) {
            if (sb.length() > 0) {
                sb.append(" | ");
            }
            sb.append(String.format(Locale.ROOT, "%s %s/%s %s/s %d/%d layers", p.image(),
                    PulledImage.humanBytes(p.bytesDone()), PulledImage.humanBytes(p.bytesTotal()),
                    PulledImage.humanBytes(p.rate()), p.layersDone(), p.layersTotal()));
        }
        return sb.toString();
    }

    private void draw(String text) {
        String padded = text.length() < drawnLength ? text + " ".repeat(drawnLength - text.length()) : text;
        out.print("\r" + padded + (text.isEmpty() ? "\r" : ""));
        out.flush();
        drawnLength = text.length();
    }
}
