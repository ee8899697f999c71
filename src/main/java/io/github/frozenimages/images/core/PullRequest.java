package io.github.frozenimages.images.core;

import io.github.frozenimages.images.core.shared.PullListener;
import io.github.frozenimages.images.core.ref.ImageRequest;
import io.github.frozenimages.images.core.registry.NetworkOptions;

import io.github.frozenimages.images.core.auth.CredentialProvider;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Everything one pull needs. Built by the Maven layer from the POM, or by a test directly.
 *
 * @param archive optional tarball written from the output tree ({@code .tar}, or gzip for {@code .tar.gz}/{@code .tgz})
 */
public record PullRequest(
        List<ImageRequest> images,
        Path outputDirectory,
        OutputFormat format,
        Optional<Path> archive,
        int parallelDownloads,
        Path cacheDirectory,
        Set<String> insecureRegistries,
        CredentialProvider credentials,
        PullListener listener,
        NetworkOptions network,
        boolean offline,
        java.time.Instant archiveTimestamp,
        boolean includeNondistributable,
        boolean verifyCache,
        List<Path> readOnlyCaches) {

    /** A request with the default network behaviour, online. */
    public PullRequest(List<ImageRequest> images, Path outputDirectory, OutputFormat format, Optional<Path> archive,
                       int parallelDownloads, Path cacheDirectory, Set<String> insecureRegistries,
                       CredentialProvider credentials, PullListener listener) {
        this(images, outputDirectory, format, archive, parallelDownloads, cacheDirectory, insecureRegistries, credentials,
                listener, NetworkOptions.DEFAULTS, false, java.time.Instant.EPOCH, false, false, List.of());
    }

    public PullRequest withNetwork(NetworkOptions options) {
        return new PullRequest(images, outputDirectory, format, archive, parallelDownloads, cacheDirectory,
                insecureRegistries, credentials, listener, options, offline, archiveTimestamp, includeNondistributable, verifyCache,
                readOnlyCaches);
    }

    public PullRequest withOffline(boolean value) {
        return new PullRequest(images, outputDirectory, format, archive, parallelDownloads, cacheDirectory,
                insecureRegistries, credentials, listener, network, value, archiveTimestamp, includeNondistributable, verifyCache,
                readOnlyCaches);
    }

    /** The same request for other images, e.g. the configured ones pinned to the digests of a lock file. */
    public PullRequest withImages(List<ImageRequest> list) {
        return new PullRequest(list, outputDirectory, format, archive, parallelDownloads, cacheDirectory,
                insecureRegistries, credentials, listener, network, offline, archiveTimestamp, includeNondistributable, verifyCache,
                readOnlyCaches);
    }

    /** The time every archive entry carries, e.g. {@code project.build.outputTimestamp}. */
    public PullRequest withArchiveTimestamp(java.time.Instant time) {
        return new PullRequest(images, outputDirectory, format, archive, parallelDownloads, cacheDirectory,
                insecureRegistries, credentials, listener, network, offline, time, includeNondistributable, verifyCache,
                readOnlyCaches);
    }

    /**
     * Whether layers marked non-distributable (Docker's foreign layers, OCI's nondistributable types) are
     * downloaded from the registry; by default they are left out, as their licence restricts copying them.
     */
    public PullRequest withIncludeNondistributable(boolean value) {
        return new PullRequest(images, outputDirectory, format, archive, parallelDownloads, cacheDirectory,
                insecureRegistries, credentials, listener, network, offline, archiveTimestamp, value, verifyCache,
                readOnlyCaches);
    }

    /** Whether every cached blob an output needs is hashed again, not trusted by its verification stamp. */
    public PullRequest withVerifyCache(boolean value) {
        return new PullRequest(images, outputDirectory, format, archive, parallelDownloads, cacheDirectory,
                insecureRegistries, credentials, listener, network, offline, archiveTimestamp, includeNondistributable, value,
                readOnlyCaches);
    }

    /**
     * Cache folders read besides {@link #cacheDirectory}, which takes the new blobs: those that cannot be written,
     * or that come after the writable one in {@code images.cacheDirectory}.
     */
    public PullRequest withReadOnlyCaches(List<Path> folders) {
        return new PullRequest(images, outputDirectory, format, archive, parallelDownloads, cacheDirectory,
                insecureRegistries, credentials, listener, network, offline, archiveTimestamp, includeNondistributable, verifyCache,
                folders);
    }

    public PullRequest {
        images = List.copyOf(images);
        Objects.requireNonNull(outputDirectory, "outputDirectory");
        Objects.requireNonNull(format, "format");
        Objects.requireNonNull(archive, "archive");
        Objects.requireNonNull(cacheDirectory, "cacheDirectory");
        insecureRegistries = Set.copyOf(insecureRegistries);
        readOnlyCaches = readOnlyCaches == null ? List.of() : List.copyOf(readOnlyCaches);
        credentials = credentials == null ? CredentialProvider.ANONYMOUS : credentials;
        listener = listener == null ? PullListener.SILENT : listener;
        network = network == null ? NetworkOptions.DEFAULTS : network;
        archiveTimestamp = archiveTimestamp == null ? java.time.Instant.EPOCH : archiveTimestamp;
        if (format == OutputFormat.LEGACY && images.stream().anyMatch(ImageRequest::multiPlatform)) {
            throw new IllegalArgumentException("the legacy format holds one platform per image, as the seed script's tree does;"
                    + " use the docker or oci format for several platforms");
        }
        if (parallelDownloads < 1) {
            throw new IllegalArgumentException("parallelDownloads must be at least 1, was " + parallelDownloads);
        }
    }
}
