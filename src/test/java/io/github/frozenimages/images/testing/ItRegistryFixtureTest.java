package io.github.frozenimages.images.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Runs the invoker-IT fixture as exec:java would, in a separate JVM, and checks nothing outlives it. */
class ItRegistryFixtureTest {

    @TempDir
    Path temp;

    @Test
    @Timeout(value = 180, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void servesTheFixturesOnTheGivenPortAndStopsWhenTheJvmExits() throws Exception {
        int port = freePort();
        Path properties = temp.resolve("sub/it-fixtures.properties");
        Process jvm = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), ExecJavaLikeRunner.class.getName(),
                Integer.toString(port), properties.toString())
                .redirectErrorStream(true)
                .start();
        List<String> output = new ArrayList<>();
        List<ProcessHandle> registries = new ArrayList<>();
        try {
            BufferedReader stdout = new BufferedReader(new InputStreamReader(jvm.getInputStream(), StandardCharsets.UTF_8));
            for (String line = stdout.readLine(); line != null && !line.equals("class loader closed");
                    line = stdout.readLine()) {
                output.add(line);
            }
            assertTrue(output.contains("IT registry ready at 127.0.0.1:" + port), output::toString);
            assertTrue(output.contains("threads left in the group: []"), output::toString);

            registries.addAll(jvm.descendants().toList());
            assertEquals(1, registries.size(), output::toString);
            assertEquals(200, manifestStatus(port, StandardFixtures.MULTI_OCI, MediaTypes.OCI_INDEX));
            assertEquals(200, manifestStatus(port, StandardFixtures.DUP_LAYER, MediaTypes.DOCKER_MANIFEST));
            assertFixtureProperties(properties, port);

            jvm.getOutputStream().close(); // lets the JVM exit normally, running its shutdown hooks
            List<String> atExit = new ArrayList<>();
            for (String line = stdout.readLine(); line != null; line = stdout.readLine()) {
                atExit.add(line);
            }
            // The hooks run after exec:java closed the class loader; a class they had to load would fail here.
            assertEquals(List.of(), atExit);
            assertTrue(jvm.waitFor(60, TimeUnit.SECONDS), "the JVM did not exit");
            assertEquals(0, jvm.exitValue(), output::toString);
            assertTrue(registries.get(0).onExit().get(30, TimeUnit.SECONDS) != null);
            assertFalse(registries.get(0).isAlive(), "the registry outlived the JVM");
            try (ServerSocket socket = new ServerSocket(port, 1, InetAddress.getByName("127.0.0.1"))) {
                assertEquals(port, socket.getLocalPort());
            }
        } finally {
            // Once the JVM is gone its children are re-parented, so kill the ones seen while it lived.
            jvm.descendants().forEach(ProcessHandle::destroyForcibly);
            registries.forEach(ProcessHandle::destroyForcibly);
            jvm.destroyForcibly();
        }
    }

    private static void assertFixtureProperties(Path file, int port) throws IOException {
        Properties properties = new Properties();
        try (InputStream in = Files.newInputStream(file)) {
            properties.load(in);
        }
        StandardFixtures fixtures = StandardFixtures.build();
        assertEquals("127.0.0.1:" + port, properties.getProperty("registry"));
        assertEquals(fixtures.ociImage().manifestDigest(), properties.getProperty("oci-image.digest"));
        assertEquals(fixtures.dockerImage().configDigest(), properties.getProperty("docker-image.configDigest"));
        assertEquals(fixtures.multiOci().digest(), properties.getProperty("multi-oci.digest"));
        assertEquals(fixtures.multiDocker().image("linux/arm/v7").manifestDigest(),
                properties.getProperty("multi-docker.linux/arm/v7.digest"));
        assertEquals(fixtures.sharedBase2().manifestDigest(), properties.getProperty("shared-base-2.0.digest"));
        assertEquals(3, properties.getProperty("dup-layer.layers").split(",").length);
    }

    private static int manifestStatus(int port, String repository, String mediaType)
            throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + port + "/v2/" + repository + "/manifests/1.0"))
                .header("Accept", mediaType)
                .timeout(Duration.ofSeconds(10))
                .build();
        return HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            return socket.getLocalPort();
        }
    }
}
