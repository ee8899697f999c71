package io.github.frozenimages.images.core.output;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The validator is only worth something if it can say no: each broken document below is caught only when
 * the schema and its {@code $ref}s into defs.json / defs-descriptor.json / content-descriptor.json resolved.
 */
class OciSchemaValidatorTest {

    private static final String DIGEST = "sha256:" + "a".repeat(64);

    private static byte[] json(String s) {
        return s.replace('\'', '"').getBytes(StandardCharsets.UTF_8);
    }

    @ParameterizedTest(name = "{0}: {1}")
    @CsvSource(delimiter = '|', value = {
            "image-layout-schema.json   | {'imageLayoutVersion':'1.0.0'}",
            "image-index-schema.json    | {'schemaVersion':2,'manifests':[]}",
            "image-index-schema.json    | {'schemaVersion':2,'mediaType':'application/vnd.oci.image.index.v1+json','manifests':[{'mediaType':'application/vnd.oci.image.manifest.v1+json','digest':'DIGEST','size':7,'platform':{'architecture':'amd64','os':'linux'},'annotations':{'a':'b'}}]}",
            "image-manifest-schema.json | {'schemaVersion':2,'config':{'mediaType':'application/vnd.oci.image.config.v1+json','digest':'DIGEST','size':2},'layers':[LAYER]}",
    })
    void validDocumentsPass(String schema, String document) throws IOException {
        assertEquals(List.of(), OciSchemaValidator.errors(schema, json(expand(document))));
    }

    @ParameterizedTest(name = "{0}: {2}")
    @CsvSource(delimiter = '|', value = {
            // plain keywords of the top schema
            "image-layout-schema.json   | $.imageLayoutVersion     | {'imageLayoutVersion':'2.0.0'}",
            "image-layout-schema.json   | imageLayoutVersion       | {}",
            "image-index-schema.json    | $.schemaVersion          | {'schemaVersion':3,'manifests':[]}",
            "image-index-schema.json    | mediaType                | {'schemaVersion':2,'manifests':[{'digest':'DIGEST','size':7}]}",
            // defs-descriptor.json#/definitions/digest
            "image-index-schema.json    | $.manifests[0].digest    | {'schemaVersion':2,'manifests':[{'mediaType':'application/vnd.oci.image.manifest.v1+json','digest':'sha256:../etc','size':7}]}",
            // defs-descriptor.json#/definitions/mediaType
            "image-index-schema.json    | $.mediaType              | {'schemaVersion':2,'mediaType':'not a media type','manifests':[]}",
            // defs-descriptor.json#/definitions/annotations -> defs.json#/definitions/mapStringString
            "image-index-schema.json    | $.annotations.a          | {'schemaVersion':2,'manifests':[],'annotations':{'a':1}}",
            // defs.json#/definitions/int64
            "image-index-schema.json    | $.manifests[0].size      | {'schemaVersion':2,'manifests':[{'mediaType':'application/vnd.oci.image.manifest.v1+json','digest':'DIGEST','size':'7'}]}",
            // the index's inline platform
            "image-index-schema.json    | os                       | {'schemaVersion':2,'manifests':[{'mediaType':'application/vnd.oci.image.manifest.v1+json','digest':'DIGEST','size':7,'platform':{'architecture':'amd64'}}]}",
            // content-descriptor.json, then defs-descriptor.json relative to content-descriptor's own id
            "image-manifest-schema.json | $.config.digest          | {'schemaVersion':2,'config':{'mediaType':'application/vnd.oci.image.config.v1+json','digest':'sha256:../etc','size':2},'layers':[LAYER]}",
            "image-manifest-schema.json | $.config.size            | {'schemaVersion':2,'config':{'mediaType':'application/vnd.oci.image.config.v1+json','digest':'DIGEST','size':-1},'layers':[LAYER]}",
            "image-manifest-schema.json | digest                   | {'schemaVersion':2,'config':{'mediaType':'application/vnd.oci.image.config.v1+json','digest':'DIGEST','size':2},'layers':[{'mediaType':'x/y','size':1}]}",
            "image-manifest-schema.json | $.config.annotations.a   | {'schemaVersion':2,'config':{'mediaType':'application/vnd.oci.image.config.v1+json','digest':'DIGEST','size':2,'annotations':{'a':[]}},'layers':[LAYER]}",
    })
    void brokenDocumentsFail(String schema, String expectedInError, String document) throws IOException {
        byte[] bytes = json(expand(document));
        List<String> errors = OciSchemaValidator.errors(schema, bytes);
        assertEquals(1, errors.size(), () -> "expected exactly the one planted error, got " + errors);
        assertTrue(errors.get(0).contains(expectedInError), errors.get(0));
        assertThrows(AssertionError.class, () -> OciSchemaValidator.assertValid(schema, bytes));
    }

    private static String expand(String document) {
        return document.replace("LAYER", "{'mediaType':'application/vnd.oci.image.layer.v1.tar+gzip','digest':'DIGEST','size':1}")
                .replace("DIGEST", DIGEST);
    }
}
