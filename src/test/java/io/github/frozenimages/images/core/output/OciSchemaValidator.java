package io.github.frozenimages.images.core.output;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import java.io.IOException;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Validates documents against the OCI image-spec JSON schemas copied unchanged into
 * {@code src/test/resources/oci-schema/}. The schemas' ids ({@code https://opencontainers.org/schema/...}) are
 * names, not places: nothing is served there. Every {@code $ref} names a file ({@code defs-descriptor.json}),
 * resolved against whichever id is in scope ({@code .../schema/image/}, {@code .../schema/},
 * {@code .../schema/image/descriptor/}...), so any such URI is mapped by its last segment to the local copy.
 * Nothing is ever fetched from the network.
 */
public final class OciSchemaValidator {

    private static final String ID_PREFIX = "https://opencontainers.org/schema/";
    private static final String LOCAL = "classpath:oci-schema/";

    public static final String IMAGE_LAYOUT = "image-layout-schema.json";
    public static final String IMAGE_INDEX = "image-index-schema.json";
    public static final String IMAGE_MANIFEST = "image-manifest-schema.json";
    public static final String CONFIG = "config-schema.json";

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final JsonSchemaFactory FACTORY = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V4,
            builder -> builder.schemaMappers(mappers -> mappers.mappings(
                    iri -> iri.startsWith(ID_PREFIX) && iri.endsWith(".json"),
                    iri -> LOCAL + iri.substring(iri.lastIndexOf('/') + 1))));
    private static final ConcurrentHashMap<String, JsonSchema> SCHEMAS = new ConcurrentHashMap<>();

    private OciSchemaValidator() {
    }

    /** The validation errors of a document against one of the schema files; empty when it is valid. */
    public static List<String> errors(String schemaFile, byte[] document) throws IOException {
        JsonSchema schema = SCHEMAS.computeIfAbsent(schemaFile, f -> {
            JsonSchema s = FACTORY.getSchema(SchemaLocation.of(ID_PREFIX + "image/" + f));
            // resolve every $ref now, so a ref the mapping misses fails here rather than passing silently
            s.initializeValidators();
            return s;
        });
        JsonNode node = MAPPER.readTree(document);
        Set<ValidationMessage> messages = schema.validate(node);
        return messages.stream().map(ValidationMessage::toString).sorted().toList();
    }

    /** Fails with every validation error listed. */
    public static void assertValid(String schemaFile, byte[] document) throws IOException {
        List<String> errors = errors(schemaFile, document);
        if (!errors.isEmpty()) {
            throw new AssertionError("not valid against " + schemaFile + ": " + errors + "\n"
                    + new String(document, java.nio.charset.StandardCharsets.UTF_8));
        }
    }
}
