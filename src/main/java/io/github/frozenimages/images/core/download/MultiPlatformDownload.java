package io.github.frozenimages.images.core.download;

import io.github.frozenimages.images.core.model.Descriptor;
import io.github.frozenimages.images.core.model.ImageIndex;
import io.github.frozenimages.images.core.model.ImageManifest;
import io.github.frozenimages.images.core.output.IndexDocument;
import io.github.frozenimages.images.core.output.IndexOutput;
import io.github.frozenimages.images.core.output.PulledImage;
import io.github.frozenimages.images.core.ref.Digest;
import io.github.frozenimages.images.core.ref.ImageRequest;
import io.github.frozenimages.images.core.registry.FetchedManifest;
import io.github.frozenimages.images.core.registry.ImageResolver;
import io.github.frozenimages.images.core.registry.RegistryClient;
import io.github.frozenimages.images.core.registry.ResolvedImage;
import io.github.frozenimages.images.core.shared.ImagePullException;
import io.github.frozenimages.images.core.shared.ImagePullException.Reason;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Downloads several platforms of one image and the index the output keeps for them: the image's own index
 * (exact bytes, attestations included) when all platforms were asked for, else one over the chosen ones.
 * Each platform is an ordinary single-platform download; the output is the primary platform's, with the index.
 */
final class MultiPlatformDownload {

    private final ImageDownload platforms;
    private final BlobDownloads blobs;

    MultiPlatformDownload(ImageDownload platforms, BlobDownloads blobs) {
        this.platforms = platforms;
        this.blobs = blobs;
    }

    Downloaded fetch(RegistryClient client, ImageResolver.Resolution resolution, ImageRequest request) throws IOException {
        Downloaded primary = platforms.fetch(client, resolution.primary(), request);
        List<PulledImage> pulled = new ArrayList<>(primary.pulled());
        List<Descriptor> indexBlobs = new ArrayList<>(primary.output().blobs());
        List<Descriptor> entries = new ArrayList<>();
        entries.add(primary.output().manifest());
        for (ResolvedImage other : resolution.others()) {
            Downloaded platform = platforms.fetch(client, other, request);
            indexBlobs.addAll(platform.output().blobs());
            entries.add(platform.output().manifest());
            pulled.addAll(platform.pulled());
        }
        for (FetchedManifest attestation : resolution.attestations()) {
            indexBlobs.addAll(fetchArtifact(client, resolution.primary(), attestation));
        }
        Descriptor index = index(resolution.index(), entries, request);
        return new Downloaded(primary.output().withIndex(new IndexOutput(index, indexBlobs)), pulled);
    }

    /** The image's own index when every platform was asked for; else one listing the chosen entries, stored. */
    private Descriptor index(FetchedManifest original, List<Descriptor> entries, ImageRequest request) throws IOException {
        if (request.all()) {
            return new Descriptor(original.mediaType(), original.digest(), original.bytes().length);
        }
        byte[] bytes = IndexDocument.of(original.mediaType(), ordered(entries, (ImageIndex) original.document()));
        Descriptor index = new Descriptor(original.mediaType(), Digest.sha256(bytes), bytes.length);
        try {
            blobs.store().put(index, bytes);
        } catch (IOException e) {
            throw new ImagePullException(Reason.IO, "could not store the index of " + request.reference().familiarString()
                    + " in the cache " + blobs.store().root() + ": " + e.getMessage(), e);
        }
        return index;
    }

    /**
     * Brings an attestation (or any non-image artifact of an index) into the store: its manifest is there
     * already; its config and layers are fetched as opaque blobs. Returns every blob it consists of.
     */
    private List<Descriptor> fetchArtifact(RegistryClient client, ResolvedImage primary, FetchedManifest artifact) {
        List<Descriptor> artifactBlobs = new ArrayList<>();
        artifactBlobs.add(new Descriptor(artifact.mediaType(), artifact.digest(), artifact.bytes().length));
        if (artifact.document() instanceof ImageManifest m) {
            ResolvedImage asImage = new ResolvedImage(primary.reference(), Optional.empty(), artifact, null, primary.endpoint());
            blobs.fetch(client, asImage, m.config(), "an attestation's config of", null);
            artifactBlobs.add(m.config());
            for (Descriptor layer : m.layers()) {
                blobs.fetch(client, asImage, layer, "an attestation's layer of", null);
                artifactBlobs.add(layer);
            }
        }
        return artifactBlobs;
    }

    /** The chosen entries in the order the image's index lists them, with their annotations as it has them. */
    private static List<Descriptor> ordered(List<Descriptor> chosen, ImageIndex original) {
        List<Descriptor> out = new ArrayList<>();
        for (Descriptor d : original.manifests()) {
            if (chosen.stream().anyMatch(c -> c.digest().equals(d.digest())) && out.stream().noneMatch(o -> o.digest().equals(d.digest()))) {
                out.add(d);
            }
        }
        return out;
    }
}
