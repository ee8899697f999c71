package io.github.frozenimages.images.testing;

import io.github.frozenimages.images.core.shared.PullListener;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** Keeps every line a pull reports, prefixed with its level, so tests can look for warnings and secrets. */
public final class RecordingListener implements PullListener {

    private final List<String> lines = new CopyOnWriteArrayList<>();

    @Override
    public void info(String message) {
        lines.add("INFO " + message);
    }

    @Override
    public void warn(String message) {
        lines.add("WARN " + message);
    }

    @Override
    public void debug(String message) {
        lines.add("DEBUG " + message);
    }

    public List<String> lines() {
        return List.copyOf(lines);
    }

    public List<String> warnings() {
        return lines.stream().filter(l -> l.startsWith("WARN ")).toList();
    }

    public void clear() {
        lines.clear();
    }
}
