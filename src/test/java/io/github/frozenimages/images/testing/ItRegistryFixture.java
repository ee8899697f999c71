package io.github.frozenimages.images.testing;

import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Entry point for the maven-invoker ITs, run inside Maven's JVM by exec-maven-plugin's exec:java:
 * starts a registry on 127.0.0.1:{@code args[0]}, pushes {@link StandardFixtures}, optionally writes
 * their digests to the properties file {@code args[1]} (see {@link FixtureProperties}), and returns
 * while the registry keeps running; a shutdown hook stops it when Maven's JVM exits.
 */
public final class ItRegistryFixture {

    private static final long SETUP_TIMEOUT_MILLIS = 120_000;

    private ItRegistryFixture() {
    }

    public static void main(String[] args) throws InterruptedException {
        if (args.length < 1 || args.length > 3 || !args[0].matches("\\d{1,5}")) {
            throw new IllegalArgumentException("usage: ItRegistryFixture <port> [<fixtures.properties> [<auth port>]], got "
                    + String.join(" ", args));
        }
        int port = Integer.parseInt(args[0]);
        Path propertiesFile = args.length >= 2 ? Path.of(args[1]) : null;
        int authPort = args.length == 3 ? Integer.parseInt(args[2]) : -1;
        AtomicReference<RegistryServer> started = new AtomicReference<>();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        // Set up on a thread outside exec:java's thread group: HttpClient leaves a daemon selector
        // thread behind, and exec:java would interrupt it and then wait 15 s for it to die.
        Thread setup = DetachedThreads.newDaemon("it-registry-setup", () -> {
            try {
                started.set(startAndSeed(port, propertiesFile));
                if (authPort > 0) {
                    RegistryServer auth = AuthRegistryFixture.start(authPort, propertiesFile);
                    Runtime.getRuntime().addShutdownHook(DetachedThreads.newDaemon("it-auth-registry-stop", auth::close));
                }
            } catch (Throwable e) {
                failure.set(e);
            }
        });
        setup.start();
        setup.join(SETUP_TIMEOUT_MILLIS);
        if (setup.isAlive()) {
            setup.interrupt();
            throw new IllegalStateException("the IT registry was not set up within "
                    + SETUP_TIMEOUT_MILLIS / 1000 + " s");
        }
        if (failure.get() != null) {
            throw new IllegalStateException("cannot set up the IT registry: " + failure.get(), failure.get());
        }
        RegistryServer server = started.get();
        Runtime.getRuntime().addShutdownHook(DetachedThreads.newDaemon("it-registry-stop", server::close));
        System.out.println("IT registry ready at " + server.address());
    }

    private static RegistryServer startAndSeed(int port, Path propertiesFile) {
        RegistryServer server = RegistryServer.start(RegistryConfig.plain().port(port));
        try {
            StandardFixtures fixtures = StandardFixtures.pushTo(server.baseUrl());
            if (propertiesFile != null) {
                FixtureProperties.write(FixtureProperties.of(fixtures, server.address()), propertiesFile);
            }
            return server;
        } catch (RuntimeException | Error e) {
            try {
                server.close();
            } catch (RuntimeException closeFailure) {
                e.addSuppressed(closeFailure);
            }
            throw e;
        }
    }
}
