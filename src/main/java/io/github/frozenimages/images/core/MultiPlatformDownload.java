package io.github.frozenimages.images.core;

import io.github.frozenimages.images.core.ImagePullException.Reason;
import io.github.frozenimages.images.core.model.Descriptor;
import io.github.frozenimages.images.core.model.ImageIndex;
import io.github.frozenimages.images.core.output.IndexDocument;
import io.github.frozenimages.images.core.output.IndexOutput;
import io.github.frozenimages.images.core.ref.Digest;
import io.github.frozenimages.images.core.registry.FetchedManifest;
import io.github.frozenimages.images.core.registry.ImageResolver;
import io.github.frozenimages.images.core.registry.ResolvedImage;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Downloads several platforms of one image and the index the output keeps for them: the image's own index
 * (exact bytes, attestations included) when all platforms were asked for, else one over the chosen ones.
 * The primary platform's result carries the index; the others only report what they fetched.
 */
final class MultiPlatformDownload {

    private MultiPlatformDownload() {
    }

    static List<ImageDownload.Result> fetch(ImageResolver.Resolution resolution, ImageRequest request, ImageDownload download)
            throws IOException {
        List<ImageDownload.Result> results = new ArrayList<>();
        ImageDownload.Result primary = download.fetch(resolution.primary(), request);
        List<Descriptor> blobs = new ArrayList<>(primary.output().blobs());
        List<Descriptor> entries = new ArrayList<>();
        entries.add(primary.output().manifest());
        for (ResolvedImage other : resolution.others()) {
            ImageDownload.Result result = download.fetch(other, request);
            blobs.addAll(result.output().blobs());
            entries.add(result.output().manifest());
            results.add(new ImageDownload.Result(null, result.pulled()));
        }
        FetchedManifest original = resolution.index();
        for (FetchedManifest attestation : resolution.attestations()) {
            blobs.addAll(download.fetchArtifact(resolution.primary().client(), request.reference(), attestation));
        }
        Descriptor index;
        if (request.all()) {
            index = new Descriptor(original.mediaType(), original.digest(), original.bytes().length);
        } else {
            byte[] bytes = IndexDocument.of(original.mediaType(), ordered(entries, (ImageIndex) original.document()));
            index = new Descriptor(original.mediaType(), Digest.sha256(bytes), bytes.length);
            try {
                download.store.put(index, bytes);
            } catch (IOException e) {
                throw new ImagePullException(Reason.IO, "could not store the index of " + request.reference().familiarString()
                        + " in the cache " + download.store.root() + ": " + e.getMessage(), e);
            }
        }
        results.add(0, new ImageDownload.Result(primary.output().withIndex(new IndexOutput(index, blobs)), primary.pulled()));
        return results;
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
