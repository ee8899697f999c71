package io.github.frozenimages.images.core.download;

import io.github.frozenimages.images.core.output.OutputImage;
import io.github.frozenimages.images.core.output.PulledImage;
import java.util.List;

/**
 * One requested image, in the store: what the writers put in the output, and what was pulled for it (one
 * record per platform, the primary first).
 */
public record Downloaded(OutputImage output, List<PulledImage> pulled) {

    public Downloaded {
        pulled = List.copyOf(pulled);
    }
}
