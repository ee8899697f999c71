package io.github.frozenimages.images.testing;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Real Maven builds, forked, that run the plugin under test: for what only separate processes can show (a build
 * killed with SIGKILL, two builds sharing a cache, {@code mvn -T} in a reactor).
 *
 * <p>How the plugin gets there, and why: the plugin is "installed" by hand into a fresh local repository in the
 * test's temp folder, as a jar of {@code target/classes} (which holds the generated {@code META-INF/maven/plugin.xml}
 * once {@code process-classes} has run, i.e. in any surefire run) and the project's POM. That takes milliseconds,
 * never touches {@code ~/.m2} or {@code target/} (a nested {@code mvn install} of the project would rebuild the
 * very folders the running build uses), and always runs the code just compiled. Everything else the plugin needs
 * is read from the user's local repository as a read-only tail ({@code maven.repo.local.tail}, Maven 3.9+), and a
 * settings file mirrors every remote repository to a closed loopback port, so a forked build never reaches the
 * network: something missing fails at once instead of downloading.
 *
 * <p>The Maven is the project's wrapper distribution ({@code ~/.m2/wrapper/dists/apache-maven-<version>/}), whose
 * {@code bin/mvn} ends in {@code exec java}: the process started here is the build's JVM itself, so killing it by its
 * pid is a true {@code kill -9} of the build. {@link #close} kills every build still running.
 */
public final class ForkedMaven implements AutoCloseable {

    private static final Pattern COORDINATE = Pattern.compile("<(groupId|artifactId|version)>([^<]+)</\\1>");

    private final Path mavenHome;
    private final Path localRepository;
    private final Path settings;
    private final String groupId;
    private final String artifactId;
    private final String version;
    private final List<Build> started = new CopyOnWriteArrayList<>();

    private ForkedMaven(Path mavenHome, Path localRepository, Path settings, String groupId, String artifactId, String version) {
        this.mavenHome = mavenHome;
        this.localRepository = localRepository;
        this.settings = settings;
        this.groupId = groupId;
        this.artifactId = artifactId;
        this.version = version;
    }

    /** Installs the compiled plugin into a local repository under {@code work} and returns a launcher using it. */
    public static ForkedMaven install(Path work) {
        Path project = projectDirectory();
        Path classes = project.resolve("target/classes");
        Path descriptor = classes.resolve("META-INF/maven/plugin.xml");
        if (!Files.isRegularFile(descriptor)) {
            throw new AssertionError(descriptor + " is missing: run the tests through Maven (the plugin descriptor is made in process-classes)");
        }
        try {
            String head = Files.readString(descriptor, StandardCharsets.UTF_8);
            head = head.substring(0, Math.min(head.length(), head.indexOf("<mojos>") < 0 ? head.length() : head.indexOf("<mojos>")));
            String g = null;
            String a = null;
            String v = null;
            for (Matcher m = COORDINATE.matcher(head); m.find(); ) {
                switch (m.group(1)) {
                    case "groupId" -> g = g == null ? m.group(2).trim() : g;
                    case "artifactId" -> a = a == null ? m.group(2).trim() : a;
                    default -> v = v == null ? m.group(2).trim() : v;
                }
            }
            Path repository = Files.createDirectories(work.resolve("local-repository"));
            Path dir = Files.createDirectories(repository.resolve(g.replace('.', '/')).resolve(a).resolve(v));
            jar(classes, dir.resolve(a + "-" + v + ".jar"));
            Files.copy(project.resolve("pom.xml"), dir.resolve(a + "-" + v + ".pom"));
            Files.writeString(dir.resolve("maven-metadata-local.xml"), metadata(g, a, v), StandardCharsets.UTF_8);
            Path settings = work.resolve("settings.xml");
            Files.writeString(settings, """
                    <settings>
                      <mirrors>
                        <mirror>
                          <id>no-network</id>
                          <mirrorOf>*</mirrorOf>
                          <url>http://127.0.0.1:9/no-network-in-tests</url>
                        </mirror>
                      </mirrors>
                    </settings>
                    """, StandardCharsets.UTF_8);
            return new ForkedMaven(mavenHome(project), repository, settings, g, a, v);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot install the plugin for forked builds", e);
        }
    }

    /** {@code groupId:artifactId:version}. */
    public String plugin() {
        return groupId + ":" + artifactId + ":" + version;
    }

    public String groupId() {
        return groupId;
    }

    public String artifactId() {
        return artifactId;
    }

    public String version() {
        return version;
    }

    /**
     * Starts {@code mvn -B -nsu <arguments>} in {@code directory}, output to {@code <directory>/build.log}.
     *
     * @param mavenOpts the JVM options of the build (MAVEN_OPTS), e.g. {@code -Xmx64m}; may be empty
     */
    public Build start(Path directory, String mavenOpts, List<String> arguments) {
        return start(directory, mavenOpts, arguments, null);
    }

    /**
     * As {@link #start(Path, String, List)}, with {@code docker} as the build's only {@code DOCKER_*} variables
     * (this process's are dropped), for what reads Docker's environment as a user's shell sets it.
     */
    public Build start(Path directory, String mavenOpts, List<String> arguments, Map<String, String> docker) {
        List<String> command = new ArrayList<>();
        command.add(mavenHome.resolve("bin/mvn").toString());
        command.addAll(List.of("-B", "-nsu", "-s", settings.toString(), "-Dmaven.repo.local=" + localRepository,
                "-Dmaven.repo.local.tail=" + userRepository(), "-Dstyle.color=never"));
        command.addAll(arguments);
        try {
            Files.createDirectories(directory);
            Path log = directory.resolve("build.log");
            ProcessBuilder builder = new ProcessBuilder(command).directory(directory.toFile())
                    .redirectErrorStream(true).redirectOutput(log.toFile()).redirectInput(new File("/dev/null"));
            Map<String, String> env = builder.environment();
            env.keySet().removeIf(k -> k.startsWith("MAVEN_") || k.equals("JAVA_TOOL_OPTIONS") || k.equals("CI"));
            env.put("JAVA_HOME", System.getProperty("java.home"));
            env.put("MAVEN_OPTS", mavenOpts);
            if (docker != null) {
                env.keySet().removeIf(k -> k.startsWith("DOCKER_"));
                env.putAll(docker);
            }
            Build build = new Build(builder.start(), log, command);
            started.add(build);
            return build;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + command, e);
        }
    }

    /** Kills every build still running (SIGKILL, by the pid of each build this launcher started). */
    @Override
    public void close() {
        for (Build build : started) {
            build.kill();
        }
    }

    /** One forked build. */
    public static final class Build {
        private final Process process;
        private final Path log;
        private final List<String> command;

        Build(Process process, Path log, List<String> command) {
            this.process = process;
            this.log = log;
            this.command = command;
        }

        public long pid() {
            return process.pid();
        }

        /** Whether the process is the build's JVM itself (bin/mvn execs java), so that killing it kills the build. */
        public boolean isJvm() {
            return process.info().command().map(c -> c.endsWith("/java")).orElse(false);
        }

        public boolean isAlive() {
            return process.isAlive();
        }

        /** Waits for the build to end and returns its exit code; fails with the log's tail if it runs longer than {@code max}. */
        public int await(Duration max) {
            try {
                if (!process.waitFor(max.toMillis(), TimeUnit.MILLISECONDS)) {
                    kill();
                    throw new AssertionError("the forked build did not end within " + max.toSeconds() + " s and was killed\n" + describe());
                }
                return process.exitValue();
            } catch (InterruptedException e) {
                kill();
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for a forked build", e);
            }
        }

        /** Waits and fails unless the build succeeded. */
        public void assertSucceeds(Duration max) {
            int code = await(max);
            if (code != 0 || !log().contains("BUILD SUCCESS")) {
                throw new AssertionError("the forked build failed with exit code " + code + "\n" + describe());
            }
        }

        /** SIGKILL, as {@code kill -9 <pid>}; waits (bounded) until the process is gone. */
        public void kill() {
            if (!process.isAlive()) {
                return;
            }
            List<ProcessHandle> children = process.descendants().toList();
            process.destroyForcibly();
            children.forEach(ProcessHandle::destroyForcibly);
            try {
                process.waitFor(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        public String log() {
            return LogTail.read(log);
        }

        public String describe() {
            return "`" + String.join(" ", command) + "`\n--- last lines of " + log + " ---\n" + LogTail.last(log(), 80);
        }
    }

    /** The project folder: surefire runs tests in it and sets {@code basedir}. */
    public static Path projectDirectory() {
        return Path.of(System.getProperty("basedir", System.getProperty("user.dir"))).toAbsolutePath();
    }

    /** The local repository of the build running the tests, read-only to the forked builds. */
    static Path userRepository() {
        String configured = System.getProperty("maven.repo.local");
        return configured != null && !configured.isBlank() ? Path.of(configured)
                : Path.of(System.getProperty("user.home"), ".m2", "repository");
    }

    /** The wrapper's Maven distribution for the version the project's wrapper names; MAVEN_HOME as a fallback. */
    static Path mavenHome(Path project) throws IOException {
        Path properties = project.resolve(".mvn/wrapper/maven-wrapper.properties");
        String version = null;
        if (Files.isRegularFile(properties)) {
            Matcher m = Pattern.compile("apache-maven-([0-9.]+)-bin").matcher(Files.readString(properties));
            version = m.find() ? m.group(1) : null;
        }
        Path dists = Path.of(System.getProperty("user.home"), ".m2", "wrapper", "dists");
        if (version != null && Files.isDirectory(dists.resolve("apache-maven-" + version))) {
            try (Stream<Path> homes = Files.list(dists.resolve("apache-maven-" + version))) {
                for (Path home : homes.toList()) {
                    if (Files.isExecutable(home.resolve("bin/mvn"))) {
                        return home;
                    }
                }
            }
        }
        String env = System.getenv("MAVEN_HOME");
        if (env != null && Files.isExecutable(Path.of(env, "bin/mvn"))) {
            return Path.of(env);
        }
        throw new AssertionError("no Maven found: run ./mvnw once (it unpacks Maven " + version + " under " + dists + ") or set MAVEN_HOME");
    }

    private static void jar(Path classes, Path jar) throws IOException {
        try (OutputStream file = Files.newOutputStream(jar); JarOutputStream out = new JarOutputStream(file);
             Stream<Path> walk = Files.walk(classes)) {
            for (Path p : walk.sorted().toList()) {
                if (p.equals(classes)) {
                    continue;
                }
                String name = classes.relativize(p).toString().replace(File.separatorChar, '/');
                if (Files.isDirectory(p)) {
                    out.putNextEntry(new JarEntry(name + "/"));
                    out.closeEntry();
                    continue;
                }
                out.putNextEntry(new JarEntry(name));
                try (InputStream in = Files.newInputStream(p)) {
                    in.transferTo(out);
                }
                out.closeEntry();
            }
        }
    }

    private static String metadata(String g, String a, String v) {
        return """
                <?xml version="1.0" encoding="UTF-8"?>
                <metadata modelVersion="1.1.0">
                  <groupId>%s</groupId>
                  <artifactId>%s</artifactId>
                  <version>%s</version>
                  <versioning>
                    <snapshot><localCopy>true</localCopy></snapshot>
                    <lastUpdated>20250101000000</lastUpdated>
                    <snapshotVersions>
                      <snapshotVersion><extension>jar</extension><value>%s</value><updated>20250101000000</updated></snapshotVersion>
                      <snapshotVersion><extension>pom</extension><value>%s</value><updated>20250101000000</updated></snapshotVersion>
                    </snapshotVersions>
                  </versioning>
                </metadata>
                """.formatted(g, a, v, v, v);
    }
}
