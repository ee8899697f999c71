package io.github.frozenimages.images.testing;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * GNU {@code tar} reading an archive the way a user's shell would: a reader that shares no code with the
 * plugin's writer (Commons Compress), so what it lists and extracts is what the archive holds.
 */
public final class GnuTar {

    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    /** UTC and the C locale, so the listing's times and layout do not depend on the machine. */
    private static final Map<String, String> ENVIRONMENT = Map.of("TZ", "UTC", "LC_ALL", "C");

    /** {@code -rw-r--r-- 0/0   1234 1970-01-01 00:00:00 name}, then {@code -> target} or {@code link to target} for links. */
    private static final Pattern VERBOSE_LINE =
            Pattern.compile("(\\S)(\\S{9}) (\\d+)/(\\d+) +(\\d+) (\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d) (.*)");

    private static final DateTimeFormatter FULL_TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss");

    /**
     * One line of {@code tar -tv}: {@code type} is ls's letter ({@code -} file, {@code d} directory, {@code l}
     * symbolic link, {@code h} hard link), {@code permissions} as ls shows them, {@code rest} the name and, for
     * a link, its target as tar prints it.
     */
    public record Entry(char type, String permissions, long uid, long gid, long size, Instant mtime, String rest) {
    }

    private GnuTar() {
    }

    /** Every entry of the archive, in archive order. */
    public static List<Entry> list(Path archive) {
        ProcessRunner.Result listing = ProcessRunner.runSuccessfully(TIMEOUT, ENVIRONMENT,
                List.of("tar", "--list", "--verbose", "--numeric-owner", "--full-time", "--quoting-style=literal", "-f", archive.toString()));
        List<Entry> entries = new ArrayList<>();
        for (String line : listing.stdout().split("\n")) {
            if (line.isEmpty()) {
                continue;
            }
            Matcher m = VERBOSE_LINE.matcher(line);
            if (!m.matches()) {
                throw new AssertionError("tar listed a line of an unknown form: " + line + "\n" + listing.describe());
            }
            Instant mtime = LocalDateTime.parse(m.group(6), FULL_TIME).toInstant(ZoneOffset.UTC);
            entries.add(new Entry(m.group(1).charAt(0), m.group(2), Long.parseLong(m.group(3)), Long.parseLong(m.group(4)),
                    Long.parseLong(m.group(5)), mtime, m.group(7)));
        }
        return entries;
    }

    /** Extracts the archive into an existing folder. */
    public static void extract(Path archive, Path into) {
        ProcessRunner.runSuccessfully(TIMEOUT, ENVIRONMENT, List.of("tar", "--extract", "-f", archive.toString(), "-C", into.toString()));
    }
}
