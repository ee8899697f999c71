package io.github.frozenimages.images.core;

import io.github.frozenimages.images.testing.FaultProxy;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/** The class's registry behind a fresh fault-injecting proxy for every test, closed even when the test fails. */
abstract class FaultProxyTestSupport extends RegistryTestSupport {

    FaultProxy proxy;

    @BeforeEach
    void startProxy() {
        proxy = FaultProxy.start(registry.baseUrl());
    }

    @AfterEach
    void stopProxy() {
        if (proxy != null) {
            proxy.close();
        }
    }
}
