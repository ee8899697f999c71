package io.github.frozenimages.images.core.engine;

import java.util.List;

/**
 * What an engine said it loaded: image names such as {@code registry.example/app:1.0}, and the ids of images
 * it loaded without a name (Docker reports those as {@code Loaded image ID: sha256:...}).
 *
 * @param names  the loaded names, in the engine's order
 * @param ids    the ids reported for untagged images
 * @param output the engine's other lines, for the debug log
 */
public record LoadedImages(List<String> names, List<String> ids, List<String> output) {

    public LoadedImages {
        names = List.copyOf(names);
        ids = List.copyOf(ids);
        output = List.copyOf(output);
    }
}
