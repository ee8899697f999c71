package io.github.frozenimages.images.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;

/** Reads a process's log file for failure messages. */
final class LogTail {

    private LogTail() {
    }

    /** The whole file, or {@code ""} if it does not exist yet; broken UTF-8 is replaced, not fatal. */
    static String read(Path file) {
        try {
            return new String(Files.readAllBytes(file), StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            return "";
        } catch (IOException e) {
            return "<cannot read " + file + ": " + e + ">";
        }
    }

    /** The last {@code lines} lines of the file. */
    static String of(Path file, int lines) {
        return last(read(file), lines);
    }

    static String last(String text, int lines) {
        String[] all = text.split("\n", -1);
        int from = Math.max(0, all.length - lines - 1);
        String tail = String.join("\n", Arrays.asList(all).subList(from, all.length));
        return from > 0 ? "[...]\n" + tail : tail;
    }
}
