package io.github.frozenimages.images.testing;

import java.io.BufferedReader;
import java.io.File;
import java.io.InputStreamReader;
import java.lang.reflect.InvocationTargetException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs {@link ItRegistryFixture} the way exec-maven-plugin's exec:java does, in a JVM of its own:
 * main() in a fresh thread group and class loader; afterwards the threads left in that group are
 * counted (exec:java would interrupt them and wait up to 15 s each), the group is destroyed and the
 * class loader closed. It then waits for stdin to close and lets the JVM exit, so that
 * {@code ItRegistryFixtureTest} can check the shutdown hooks still stop the registry.
 */
final class ExecJavaLikeRunner {

    private ExecJavaLikeRunner() {
    }

    public static void main(String[] args) throws Exception {
        List<URL> urls = new ArrayList<>();
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            urls.add(new File(entry).toURI().toURL());
        }
        URLClassLoader loader = new URLClassLoader(urls.toArray(new URL[0]), ClassLoader.getPlatformClassLoader());
        ThreadGroup group = new ThreadGroup("exec-java-like");
        List<Throwable> failures = new ArrayList<>();
        Thread runner = new Thread(group, () -> {
            try {
                loader.loadClass(ItRegistryFixture.class.getName())
                        .getMethod("main", String[].class).invoke(null, (Object) args);
            } catch (InvocationTargetException e) {
                failures.add(e.getCause());
            } catch (ReflectiveOperationException e) {
                failures.add(e);
            }
        }, "exec-java-like-main");
        runner.setContextClassLoader(loader);
        runner.start();
        runner.join(180_000);
        if (runner.isAlive() || !failures.isEmpty()) {
            System.out.println("main failed: " + (failures.isEmpty() ? "did not return" : failures.get(0)));
            System.exit(2);
        }
        Thread[] left = new Thread[group.activeCount() + 10];
        int count = group.enumerate(left);
        List<String> names = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            names.add(left[i].getName() + (left[i].isDaemon() ? " (daemon)" : ""));
        }
        System.out.println("threads left in the group: " + names);
        group.destroy();
        loader.close();
        System.out.println("class loader closed");
        System.out.flush();
        try (BufferedReader stdin = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))) {
            while (stdin.readLine() != null) {
                // wait for EOF: the test closes stdin to let this JVM exit
            }
        }
    }
}
