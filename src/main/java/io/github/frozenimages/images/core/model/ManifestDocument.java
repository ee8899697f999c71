package io.github.frozenimages.images.core.model;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;

/**
 * A document served from {@code /v2/<name>/manifests/}: an index of platform manifests, one image manifest, or a
 * Docker schema 1 manifest (which is converted before anything is written).
 */
public sealed interface ManifestDocument permits ImageIndex, ImageManifest, Schema1Manifest {

    /** The largest manifest or index read into memory (the limit containers/image and the spec minimum agree on). */
    int MAX_BYTES = 4 * 1024 * 1024;

    String mediaType();

    /**
     * Parses exact registry bytes. The type comes from the document's own {@code mediaType}, else from the
     * response's Content-Type, else from its fields; when both name a type they must agree.
     */
    static ManifestDocument parse(byte[] bytes, String contentType) throws IOException {
        JsonNode root;
        try {
            root = Json.readObject(bytes);
        } catch (IOException e) {
            throw new ManifestFormatException("the manifest is not valid JSON: " + e.getMessage(), false);
        }
        try {
            Json.refuseCaseVariants(root, "the document", "schemaVersion", "mediaType", "config", "layers", "manifests", "subject",
                    "artifactType", "annotations", "fsLayers", "history", "signatures");
        } catch (IOException e) {
            throw new ManifestFormatException(e.getMessage(), false);
        }
        String declared = Json.text(root, "mediaType");
        String served = MediaTypes.withoutParameters(contentType);
        JsonNode schemaVersion = root.get("schemaVersion");
        boolean version1 = Schema1Manifest.declaresVersion1(root);
        boolean hasManifests = root.has("manifests");
        boolean hasImageFields = root.has("config") || root.has("layers");
        if (version1 || MediaTypes.isSchema1(declared) || MediaTypes.isSchema1(served)) {
            if (!version1 || hasManifests || hasImageFields || declared != null && !MediaTypes.isSchema1(declared)) {
                throw new ManifestFormatException("the document mixes Docker schema 1 with a later format", false);
            }
            return Schema1Manifest.read(MediaTypes.isSchema1(served) ? served : MediaTypes.DOCKER_SCHEMA1, root);
        }
        if (declared != null && served != null && MediaTypes.READABLE_MANIFESTS.contains(served) && !declared.equals(served)) {
            throw new ManifestFormatException("the registry served Content-Type " + served
                    + " but the document declares mediaType " + declared, false);
        }
        if (hasManifests && hasImageFields) {
            throw new ManifestFormatException("the document is both an index and a manifest", false);
        }
        String type = declared != null ? declared : served;
        if (type == null || !MediaTypes.READABLE_MANIFESTS.contains(type)) {
            if (declared == null && hasManifests) {
                type = MediaTypes.OCI_INDEX;
            } else if (declared == null && hasImageFields) {
                type = MediaTypes.OCI_MANIFEST;
            } else {
                throw new ManifestFormatException("unsupported manifest media type " + (type == null ? "(none)" : type), true);
            }
        }
        if (schemaVersion == null || schemaVersion.asInt() != 2) {
            throw new ManifestFormatException("unsupported schemaVersion " + schemaVersion, true);
        }
        if (MediaTypes.isIndex(type)) {
            if (hasImageFields) {
                throw new ManifestFormatException("an index must not carry config or layers", false);
            }
            return ImageIndex.read(type, root);
        }
        if (hasManifests) {
            throw new ManifestFormatException("a manifest must not carry a manifests list", false);
        }
        return ImageManifest.read(type, root);
    }
}
