package io.github.frozenimages.images.it;

import io.github.frozenimages.images.testing.FaultProxy;
import io.github.frozenimages.images.testing.ForkedMaven;
import io.github.frozenimages.images.testing.RegistryServer;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real Maven builds in child processes against one registry per class, reached through a fresh fault proxy per
 * test; the subclass pushes its images in its own {@code @BeforeAll}, which runs after this one. Everything is
 * stopped even when a test fails, the builds by their pids.
 */
abstract class ForkedBuildTestSupport {

    static RegistryServer registry;

    @TempDir
    Path work;

    FaultProxy proxy;
    ForkedMaven maven;

    @BeforeAll
    static void startRegistry() {
        registry = RegistryServer.start();
    }

    @AfterAll
    static void stopRegistry() {
        if (registry != null) {
            registry.close();
        }
    }

    @BeforeEach
    void startProxyAndMaven() {
        proxy = FaultProxy.start(registry.baseUrl());
        maven = ForkedMaven.install(work);
    }

    @AfterEach
    void stopMavenAndProxy() {
        if (maven != null) {
            maven.close(); // kills any build still running, by its pid
        }
        if (proxy != null) {
            proxy.close();
        }
    }
}
