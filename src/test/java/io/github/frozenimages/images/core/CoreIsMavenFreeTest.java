package io.github.frozenimages.images.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The core must stay usable outside Maven (a Gradle plugin, a CLI, tests): nothing under
 * {@code io.github.frozenimages.images.core} may refer to Maven's API, by import or by fully qualified name.
 */
class CoreIsMavenFreeTest {

    private static final Path CORE = Path.of(System.getProperty("basedir", "."))
            .resolve("src/main/java/io/github/frozenimages/images/core");

    /** {@code org.apache.maven} as a name in code, however it is spaced around the dots. */
    private static final Pattern MAVEN = Pattern.compile("\\borg\\s*\\.\\s*apache\\s*\\.\\s*maven\\b");

    @Test
    void coreSourcesDoNotReferToMaven() throws IOException {
        List<Path> sources;
        try (Stream<Path> walk = Files.walk(CORE)) {
            sources = walk.filter(p -> p.toString().endsWith(".java")).sorted().toList();
        }
        // guards against a wrong working directory making the check pass on nothing
        assertTrue(sources.size() > 20, "found only " + sources.size() + " sources under " + CORE.toAbsolutePath());

        List<String> offenders = new ArrayList<>();
        for (Path source : sources) {
            if (refersToMaven(Files.readString(source, StandardCharsets.UTF_8))) {
                offenders.add(CORE.relativize(source).toString());
            }
        }
        assertEquals(List.of(), offenders, "core classes that use Maven's API");
    }

    /** Whether code (comments aside; string literals count, they may name a class to load) names Maven's packages. */
    static boolean refersToMaven(String source) {
        return MAVEN.matcher(withoutComments(source)).find();
    }

    /** The source with comments blanked out; string, text-block and char literals are kept as they are. */
    static String withoutComments(String s) {
        StringBuilder out = new StringBuilder(s.length());
        int i = 0;
        while (i < s.length()) {
            char c = s.charAt(i);
            if (s.startsWith("\"\"\"", i)) {
                int end = s.indexOf("\"\"\"", i + 3);
                while (end > 0 && s.charAt(end - 1) == '\\') {
                    end = s.indexOf("\"\"\"", end + 1);
                }
                end = end < 0 ? s.length() : end + 3;
                out.append(s, i, end);
                i = end;
            } else if (c == '"' || c == '\'') {
                int j = i + 1;
                while (j < s.length() && s.charAt(j) != c && s.charAt(j) != '\n') {
                    j += s.charAt(j) == '\\' ? 2 : 1;
                }
                j = Math.min(j + 1, s.length());
                out.append(s, i, j);
                i = j;
            } else if (s.startsWith("//", i)) {
                int end = s.indexOf('\n', i);
                i = end < 0 ? s.length() : end;
                out.append(' ');
            } else if (s.startsWith("/*", i)) {
                int end = s.indexOf("*/", i + 2);
                i = end < 0 ? s.length() : end + 2;
                out.append(' ');
            } else {
                out.append(c);
                i++;
            }
        }
        return out.toString();
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', value = {
            "import org.apache.maven.plugin.logging.Log;                           | true",
            "import static org.apache.maven.shared.utils.StringUtils.isBlank;     | true",
            "import org.apache.maven.*;                                           | true",
            "class A { org.apache.maven.plugin.logging.Log log; }                 | true",
            "class A { Object o = org . apache . maven .project.MavenProject.class; } | true",
            "class A { String u = \"http://x\"; org.apache.maven.Foo f; }         | true",
            "class A { String c = \"org.apache.maven.Foo\"; }                     | true",
            "/** Unlike org.apache.maven.plugin.Mojo, this class... */ class A {} | false",
            "// see org.apache.maven.project\\nclass A {}                        | false",
            "class A { char q = '\"'; /* org.apache.maven */ }                    | false",
            "import org.apache.mavenlike.Thing;                                   | false",
            "import org.apache.hc.core5.http.HttpHeaders;                         | false",
    })
    void detection(String source, boolean refers) {
        assertEquals(refers, refersToMaven(source.replace("\\n", "\n")));
    }
}
