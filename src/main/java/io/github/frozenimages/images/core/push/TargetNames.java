package io.github.frozenimages.images.core.push;

import io.github.frozenimages.images.core.ref.ImageReference;
import java.util.Map;

/**
 * Where each image goes: the target ({@code registry.corp/mirror}) followed by the image's own repository path and
 * tag ({@code docker.io/library/alpine:3.20 -> registry.corp/mirror/library/alpine:3.20}), by digest when it was
 * pulled by digest alone, or the name given for it explicitly ({@code pushAs}).
 */
final class TargetNames {

    private final String target;
    private final Map<String, String> pushAs;

    TargetNames(String target, Map<String, String> pushAs) {
        this.target = target == null ? null : target.replaceAll("/+$", "");
        this.pushAs = pushAs;
    }

    ImageReference targetFor(ImageReference source) {
        String explicit = pushAs.getOrDefault(source.toString(), pushAs.get(source.familiarString()));
        if (explicit != null) {
            return ImageReference.parse(explicit);
        }
        if (target == null || target.isEmpty()) {
            throw new IllegalArgumentException("no target for " + source.familiarString() + ": set <target> (-Dimages.push.target),"
                    + " or a <pushAs> for the image");
        }
        String reference = source.tag().map(t -> ":" + t).orElseGet(() -> "@" + source.digest().orElseThrow());
        return ImageReference.parse(target + "/" + source.repository() + reference);
    }
}
