package io.github.frozenimages.images.maven;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.frozenimages.images.core.shared.ImageProgress;
import io.github.frozenimages.images.core.ref.ImageReference;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class ProgressLineTest {

    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final AtomicLong now = new AtomicLong(1_000_000_000L);
    private final ProgressLine line = new ProgressLine(new PrintStream(bytes, true, StandardCharsets.UTF_8), now::get);

    private static ImageProgress progress(String image, long done, int layers) {
        return new ImageProgress(ImageReference.parse(image).familiarString(), done, 4_000_000, layers, 4, 2_000_000_000L);
    }

    private String printed() {
        return bytes.toString(StandardCharsets.UTF_8);
    }

    @Test
    void showsBytesRateAndLayersOfEachImageInFlight() {
        line.update(progress("alpine:3.20", 1_000_000, 1));
        assertEquals("\ralpine:3.20 1.0 MB/4.0 MB 500.0 kB/s 1/4 layers", printed());
    }

    @Test
    void redrawsAtMostTwiceASecond() {
        for (int i = 1; i <= 10; i++) {
            line.update(progress("alpine:3.20", i * 100_000L, 1));
            now.addAndGet(100_000_000L); // 10 updates over one second
        }
        long redraws = printed().chars().filter(c -> c == '\r').count();
        assertEquals(2, redraws, printed());
    }

    @Test
    void aFinishedImageLeavesTheLineAndClearWipesIt() {
        line.update(progress("alpine:3.20", 1_000_000, 1));
        now.addAndGet(ProgressLine.MIN_INTERVAL_NANOS);
        line.update(progress("busybox:1.36", 1_000_000, 1));
        assertTrue(line.render().contains("alpine:3.20") && line.render().contains("busybox:1.36"));
        line.update(progress("alpine:3.20", 4_000_000, 4));
        assertEquals("busybox:1.36 1.0 MB/4.0 MB 500.0 kB/s 1/4 layers", line.render());
        line.clear();
        assertTrue(printed().endsWith("\r"), "the line ends wiped: " + printed());
    }
}
