package io.github.frozenimages.images.core.trust;

import io.github.frozenimages.images.core.ref.Digest;
import io.github.frozenimages.images.core.ref.ImageReference;
import io.github.frozenimages.images.core.registry.Operation;
import io.github.frozenimages.images.core.registry.RegistryClient;
import io.github.frozenimages.images.core.shared.ImagePullException;
import io.github.frozenimages.images.core.shared.ImagePullException.Reason;
import io.github.frozenimages.images.core.shared.PullListener;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The key-based policy: an image passes only when a signature stored for one of its digests names exactly that
 * digest in its payload and verifies with the trusted key. Anything else fails the build, naming the image,
 * the digests, the key and what was found instead.
 */
public final class SignatureCheck {

    private final TrustedKey key;

    public SignatureCheck(TrustedKey key) {
        this.key = Objects.requireNonNull(key, "key");
    }

    public TrustedKey key() {
        return key;
    }

    /** What this check asks for, in words that change whenever the policy does: {@code the key sha256:...}. */
    public String policy() {
        return "the key " + key.fingerprint();
    }

    /**
     * Checks at the registry, at pull time. Passes (returning what it accepted), or throws {@link ImagePullException}
     * with {@link Reason#UNTRUSTED}.
     *
     * @param digests the digests a signature may name, the top one (what the reference resolved to) first
     */
    public Accepted verify(RegistryClient client, ImageReference image, List<SignedDigest> digests, PullListener listener) {
        Operation op = client.operation(image, "verify the signature of", digests.get(0).digest());
        return verify(image, digests, signed -> CosignSignatures.fetch(client, op, signed), listener,
                detail -> op.failure(Reason.UNTRUSTED, detail));
    }

    /**
     * Checks against any source of signatures (an output folder or a bundle, with no network).
     *
     * @param failure makes the failure from its detail, naming where the signatures were looked for
     */
    public Accepted verify(ImageReference image, List<SignedDigest> digests, SignatureSource source, PullListener listener,
                           java.util.function.Function<String, ImagePullException> failure) {
        List<String> found = new ArrayList<>();
        for (SignedDigest candidate : digests) {
            Optional<SignatureImage> signatures = source.find(candidate.digest());
            List<CosignSignature> layers = signatures.map(SignatureImage::signatures).orElse(List.of());
            if (layers.stream().anyMatch(s -> valid(s, candidate.digest()))) {
                listener.info("verified " + image.familiarString() + ": " + candidate.what() + " " + candidate.digest()
                        + " is signed by the key " + key.fingerprint());
                return new Accepted(candidate, signatures.get());
            }
            found.add(candidate.what() + " " + candidate.digest() + ": " + describe(layers, candidate.digest()));
        }
        String wanted = digests.stream().map(d -> d.what() + " " + d.digest()).collect(Collectors.joining(" or "));
        throw failure.apply("no signature of " + wanted + " by the key " + key.fingerprint() + " (" + key.source()
                + "); found for " + String.join("; for ", found));
    }

    private boolean valid(CosignSignature signature, Digest signed) {
        return signature.signedDigest().filter(signed::equals).isPresent() && key.verifies(signature.payload(), signature.signature());
    }

    /** What was found instead of a valid signature: none, signatures by other keys, payloads for other digests. */
    private String describe(List<CosignSignature> signatures, Digest signed) {
        if (signatures.isEmpty()) {
            return "no signature (no tag " + CosignSignatures.tagFor(signed) + ")";
        }
        long otherKey = signatures.stream().filter(s -> s.signedDigest().filter(signed::equals).isPresent()).count();
        List<String> parts = new ArrayList<>();
        if (otherKey > 0) {
            parts.add(count(otherKey, "signature") + " by another key");
        }
        List<String> otherDigests = signatures.stream().flatMap(s -> s.signedDigest().stream()).filter(d -> !d.equals(signed))
                .map(Digest::toString).distinct().toList();
        long forOthers = signatures.stream().filter(s -> s.signedDigest().filter(d -> !d.equals(signed)).isPresent()).count();
        if (forOthers > 0) {
            parts.add(count(forOthers, "signature") + " with a payload for another digest (" + String.join(", ", otherDigests) + ")");
        }
        long unreadable = signatures.stream().filter(s -> s.signedDigest().isEmpty()).count();
        if (unreadable > 0) {
            parts.add(count(unreadable, "signature") + " whose payload names no digest");
        }
        return String.join(", ", parts);
    }

    private static String count(long n, String noun) {
        return n + " " + noun + (n == 1 ? "" : "s");
    }
}
