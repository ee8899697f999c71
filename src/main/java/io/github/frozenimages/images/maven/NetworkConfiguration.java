package io.github.frozenimages.images.maven;

import static io.github.frozenimages.images.maven.MavenExceptions.misconfigured;
import static io.github.frozenimages.images.maven.MavenExceptions.read;

import io.github.frozenimages.images.core.registry.NetworkOptions;
import io.github.frozenimages.images.core.http.ProxySettings;
import io.github.frozenimages.images.core.http.TlsSettings;
import io.github.frozenimages.images.core.ref.ImageReference;
import io.github.frozenimages.images.core.registry.RegistryEndpoint;
import java.io.File;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.maven.plugin.MojoFailureException;
import org.apache.maven.settings.Proxy;
import org.apache.maven.settings.Settings;
import org.apache.maven.settings.building.SettingsProblem;
import org.apache.maven.settings.crypto.DefaultSettingsDecryptionRequest;
import org.apache.maven.settings.crypto.SettingsDecrypter;
import org.apache.maven.settings.crypto.SettingsDecryptionResult;

/**
 * Turns the goal's network parameters and settings.xml's proxies into the core's NetworkOptions, checking each
 * value as it is read, so that a mistake fails the build, naming the setting, before any request is sent.
 */
final class NetworkConfiguration {

    private NetworkConfiguration() {
    }

    static NetworkOptions build(int retries, int timeoutSeconds, File trustStore, String trustStorePassword,
                                List<MirrorSpec> mirrorSpecs, Set<String> insecureRegistries, Settings settings,
                                SettingsDecrypter decrypter) throws MojoFailureException {
        if (timeoutSeconds < 1) {
            throw misconfigured(UserParameter.TIMEOUT, "the timeout must be a positive number of seconds, not " + timeoutSeconds);
        }
        TlsSettings tls = new TlsSettings(Optional.ofNullable(trustStore).map(File::toPath), Optional.ofNullable(trustStorePassword),
                TlsSettings.dockerCertsDirectories(Path.of(System.getProperty("user.home"))));
        NetworkOptions attempts = read(UserParameter.RETRIES, () -> NetworkOptions.DEFAULTS.withAttempts(retries));
        return attempts.withTimeout(Duration.ofSeconds(timeoutSeconds)).withTls(tls).withProxies(proxies(settings, decrypter))
                .withMirrors(mirrors(mirrorSpecs, insecureRegistries));
    }

    /**
     * The mirrors by canonical registry name, each URL held to the rules the pull applies to it (an http(s) URL
     * with a host; plain http only to loopback or an insecure registry), so a mirror no image uses yet is
     * checked too, and one that is used fails here rather than halfway through the pull.
     */
    static Map<String, List<URI>> mirrors(List<MirrorSpec> specs, Set<String> insecureRegistries) throws MojoFailureException {
        Map<String, List<URI>> byRegistry = new LinkedHashMap<>();
        if (specs == null) {
            return byRegistry;
        }
        for (MirrorSpec m : specs) {
            if (m.getRegistry() == null || m.getUrl() == null) {
                throw misconfigured(UserParameter.MIRRORS, "a <mirror> needs both <registry> and <url>");
            }
            String registry;
            try {
                // normalised like an image's registry, so "index.docker.io" and "docker.io" are one key
                registry = ImageReference.parse(m.getRegistry().trim() + "/x").registry();
            } catch (IllegalArgumentException e) {
                throw misconfigured(UserParameter.MIRRORS, "the mirrored registry \"" + m.getRegistry() + "\" is not a registry name", e);
            }
            URI url;
            try {
                url = URI.create(m.getUrl().trim());
            } catch (IllegalArgumentException e) {
                throw misconfigured(UserParameter.MIRRORS, "mirror URL \"" + m.getUrl() + "\" is not a URL", e);
            }
            read(UserParameter.MIRRORS, () -> RegistryEndpoint.mirror(url, insecureRegistries));
            byRegistry.computeIfAbsent(registry, k -> new ArrayList<>()).add(url);
        }
        return byRegistry;
    }

    /** The active proxies of settings.xml, passwords decrypted; none means the JVM's own proxy settings. */
    static ProxySettings proxies(Settings settings, SettingsDecrypter decrypter) throws MojoFailureException {
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
                    throw misconfigured(UserParameter.SETTINGS_PROXIES,
                            "could not decrypt a proxy password of settings.xml: " + problem.getMessage());
                }
            }
            active = result.getProxies();
        }
        List<ProxySettings.Proxy> proxies = new ArrayList<>();
        for (Proxy p : active) {
            // the HTTP client would only reject these at the first request, in words about hosts, not settings.xml
            if (p.getHost() == null || p.getHost().isBlank()) {
                throw misconfigured(UserParameter.SETTINGS_PROXIES, "the proxy '" + p.getId() + "' of settings.xml has no <host>");
            }
            if (p.getPort() < 1 || p.getPort() > 65535) {
                throw misconfigured(UserParameter.SETTINGS_PROXIES, "the proxy '" + p.getId() + "' of settings.xml has the port "
                        + p.getPort() + "; a port is a number from 1 to 65535");
            }
            proxies.add(new ProxySettings.Proxy(p.getProtocol() == null ? "http" : p.getProtocol(), p.getHost(), p.getPort(),
                    p.getUsername(), p.getPassword(), p.getNonProxyHosts()));
        }
        return new ProxySettings(proxies);
    }
}
