package io.github.frozenimages.images.core.store;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The two limits a prune is given, as a user writes them: an age ({@code 30d}) and a size ({@code 20GB}). */
public final class PruneLimits {

    private static final Pattern AGE = Pattern.compile("(\\d{1,6})\\s*([dhw])");
    private static final Pattern SIZE = Pattern.compile("(\\d{1,15}(?:\\.\\d{1,6})?)\\s*(B|KB|MB|GB|TB)?");

    private PruneLimits() {
    }

    /** {@code 30d}, {@code 12h} or {@code 2w}: days, hours or weeks. */
    public static Duration parseAge(String text) {
        Matcher m = AGE.matcher(text.trim().toLowerCase(Locale.ROOT));
        if (!m.matches()) {
            throw new IllegalArgumentException("\"" + text + "\" is not an age: write a number of days, hours or weeks, such as 30d, 12h or 2w");
        }
        long n = Long.parseLong(m.group(1));
        return switch (m.group(2)) {
            case "h" -> Duration.ofHours(n);
            case "w" -> Duration.ofDays(7 * n);
            default -> Duration.ofDays(n);
        };
    }

    /** {@code 20GB}, {@code 512MB}, {@code 1.5GB}: B, KB, MB, GB or TB, each 1024 of the one before; no unit is bytes. */
    public static long parseSize(String text) {
        Matcher m = SIZE.matcher(text.trim().toUpperCase(Locale.ROOT));
        if (!m.matches()) {
            throw new IllegalArgumentException("\"" + text + "\" is not a size: write a number with B, KB, MB, GB or TB"
                    + " (powers of 1024), such as 20GB");
        }
        int power = switch (m.group(2) == null ? "B" : m.group(2)) {
            case "KB" -> 1;
            case "MB" -> 2;
            case "GB" -> 3;
            case "TB" -> 4;
            default -> 0;
        };
        return new BigDecimal(m.group(1)).multiply(BigDecimal.valueOf(1024).pow(power)).longValue();
    }

    /** A size in the units {@link #parseSize} reads: {@code 12.3 GB}, {@code 512 B}. */
    public static String formatSize(long bytes) {
        String[] units = {"KB", "MB", "GB", "TB"};
        if (bytes < 1024) {
            return bytes + " B";
        }
        double value = bytes;
        int unit = -1;
        while (value >= 1024 && unit < units.length - 1) {
            value /= 1024;
            unit++;
        }
        return String.format(Locale.ROOT, "%.1f %s", value, units[unit]);
    }
}
