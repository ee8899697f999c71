package io.github.frozenimages.images.maven;

import io.github.frozenimages.images.core.registry.NetworkOptions;
import io.github.frozenimages.images.core.http.ProxySettings;
import io.github.frozenimages.images.core.http.TlsSettings;
import io.github.frozenimages.images.core.ref.ImageReference;
import java.io.File;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.maven.settings.Proxy;
import org.apache.maven.settings.Settings;
import org.apache.maven.settings.building.SettingsProblem;
import org.apache.maven.settings.crypto.DefaultSettingsDecryptionRequest;
import org.apache.maven.settings.crypto.SettingsDecrypter;
import org.apache.maven.settings.crypto.SettingsDecryptionResult;

/** Turns the goal's network parameters and settings.xml's proxies into the core's NetworkOptions. */
final class NetworkConfiguration {

    private NetworkConfiguration() {
    }

    static NetworkOptions build(int retries, int timeoutSeconds, File trustStore, String trustStorePassword,
                                List<MirrorSpec> mirrorSpecs, Settings settings, SettingsDecrypter decrypter) {
        TlsSettings tls = new TlsSettings(Optional.ofNullable(trustStore).map(File::toPath), Optional.ofNullable(trustStorePassword),
                TlsSettings.dockerCertsDirectories(Path.of(System.getProperty("user.home"))));
        return NetworkOptions.DEFAULTS.withAttempts(retries).withTimeout(Duration.ofSeconds(timeoutSeconds))
                .withTls(tls).withProxies(proxies(settings, decrypter)).withMirrors(mirrors(mirrorSpecs));
    }

    static Map<String, List<URI>> mirrors(List<MirrorSpec> specs) {
        Map<String, List<URI>> byRegistry = new LinkedHashMap<>();
        if (specs == null) {
            return byRegistry;
        }
        for (MirrorSpec m : specs) {
            if (m.getRegistry() == null || m.getUrl() == null) {
                throw new IllegalArgumentException("a <mirror> needs both <registry> and <url>");
            }
            // normalised like an image's registry, so "index.docker.io" and "docker.io" are one key
            String registry = ImageReference.parse(m.getRegistry().trim() + "/x").registry();
            URI url;
            try {
                url = URI.create(m.getUrl().trim());
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("mirror URL \"" + m.getUrl() + "\" is not a URL");
            }
            byRegistry.computeIfAbsent(registry, k -> new ArrayList<>()).add(url);
        }
        return byRegistry;
    }

    /** The active proxies of settings.xml, passwords decrypted; none means the JVM's own proxy settings. */
    static ProxySettings proxies(Settings settings, SettingsDecrypter decrypter) {
        if (settings == null || settings.getProxies() == null) {
            return ProxySettings.SYSTEM;
        }
        List<Proxy> active = settings.getProxies().stream().filter(Proxy::isActive).toList();
        if (active.isEmpty()) {
            return ProxySettings.SYSTEM;
        }
        if (decrypter != null) {
            SettingsDecryptionResult result = decrypter.decrypt(new DefaultSettingsDecryptionRequest().setProxies(active));
            for (SettingsProblem problem : result.getProblems()) {
                if (problem.getSeverity() == SettingsProblem.Severity.ERROR || problem.getSeverity() == SettingsProblem.Severity.FATAL) {
                    throw new IllegalArgumentException("could not decrypt a proxy password of settings.xml: " + problem.getMessage());
                }
            }
            active = result.getProxies();
        }
        List<ProxySettings.Proxy> proxies = new ArrayList<>();
        for (Proxy p : active) {
            proxies.add(new ProxySettings.Proxy(p.getProtocol() == null ? "http" : p.getProtocol(), p.getHost(), p.getPort(),
                    p.getUsername(), p.getPassword(), p.getNonProxyHosts()));
        }
        return new ProxySettings(proxies);
    }
}
