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
 * A signature policy: an image passes only when a signature stored for one of its digests is valid for exactly that
 * digest under the policy. The key policy accepts a cosign signature (tag convention) whose payload names the digest
 * and verifies with the trusted key, and else a Sigstore bundle (a referrer) signed with that key; the keyless policy
 * accepts a Sigstore bundle whose certificate names the identity asked for. Anything else fails the build, naming the
 * image, the digests, what the policy asked for and what was found instead.
 */
public final class SignatureCheck {

    /** Where cosign's older keyless signatures keep their Fulcio certificate, in the tag convention's layers. */
    private static final String CERTIFICATE_ANNOTATION = "dev.sigstore.cosign/certificate";

    private final Optional<TrustedKey> key;
    private final Optional<KeylessIdentity> identity;
    private final KeylessVerification keyless;

    /** The key policy. */
    public SignatureCheck(TrustedKey key) {
        this.key = Optional.of(Objects.requireNonNull(key, "key"));
        this.identity = Optional.empty();
        this.keyless = null;
    }

    private SignatureCheck(KeylessIdentity identity, KeylessVerification keyless) {
        this.key = Optional.empty();
        this.identity = Optional.of(Objects.requireNonNull(identity, "identity"));
        this.keyless = Objects.requireNonNull(keyless, "keyless");
    }

    /** The keyless policy: Sigstore bundles whose certificate {@code verification} finds to be {@code identity}'s. */
    public static SignatureCheck keyless(KeylessIdentity identity, KeylessVerification verification) {
        return new SignatureCheck(identity, verification);
    }

    /** The trusted key, for the key policy; empty for the keyless one. */
    public Optional<TrustedKey> key() {
        return key;
    }

    /** The identity asked for, for the keyless policy; empty for the key one. */
    public Optional<KeylessIdentity> identity() {
        return identity;
    }

    /** What the policy asks for, for messages: {@code the key sha256:...} or {@code a keyless signature by issuer ...}. */
    public String describe() {
        return key.map(k -> "the key " + k.fingerprint()).orElseGet(() -> "a keyless signature by " + identity.orElseThrow().describe());
    }

    /**
     * Checks at the registry, at pull time. Passes (returning what it accepted), or throws {@link ImagePullException}
     * with {@link Reason#UNTRUSTED}.
     *
     * @param digests the digests a signature may name, the top one (what the reference resolved to) first
     */
    public Accepted verify(RegistryClient client, ImageReference image, List<SignedDigest> digests, PullListener listener) {
        Operation op = client.operation(image, "verify the signature of", digests.get(0).digest());
        SignatureSource registry = new SignatureSource() {
            @Override
            public Optional<SignatureImage> find(Digest signed) {
                return CosignSignatures.fetch(client, op, signed);
            }

            @Override
            public List<SigstoreBundleArtifact> bundles(Digest signed) {
                return SigstoreBundles.fetch(client, op, signed);
            }
        };
        return verify(image, digests, registry, listener, detail -> op.failure(Reason.UNTRUSTED, detail));
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
            Digest signed = candidate.digest();
            List<CosignSignature> layers = List.of();
            if (key.isPresent()) {
                // cosign's tag convention first: what most signed images carry, and one request to find
                Optional<SignatureImage> signatures = source.find(signed);
                layers = signatures.map(SignatureImage::signatures).orElse(List.of());
                if (layers.stream().anyMatch(s -> valid(s, signed))) {
                    listener.info("verified " + image.familiarString() + ": " + candidate.what() + " " + signed + " is signed by the key "
                            + key.get().fingerprint());
                    return new Accepted(candidate, signatures.get());
                }
            }
            List<String> problems = new ArrayList<>();
            for (SigstoreBundleArtifact bundle : source.bundles(signed)) {
                Optional<String> problem = problem(bundle, signed);
                if (problem.isEmpty()) {
                    listener.info("verified " + image.familiarString() + ": " + candidate.what() + " " + signed + " is signed by "
                            + (key.isPresent() ? "the key " + key.get().fingerprint() : identity.orElseThrow().describe())
                            + " (Sigstore bundle " + bundle.manifest().digest() + ")");
                    return new Accepted(candidate, bundle);
                }
                problems.add(problem.get());
            }
            if (key.isEmpty() && problems.isEmpty()) {
                // only on the way to a failure: what the tag convention holds, so the message can say why it is not taken
                layers = source.find(signed).map(SignatureImage::signatures).orElse(List.of());
            }
            found.add(candidate.what() + " " + signed + ": " + describe(layers, problems, signed));
        }
        String wanted = digests.stream().map(d -> d.what() + " " + d.digest()).collect(Collectors.joining(" or "));
        String asked = key.map(k -> "by the key " + k.fingerprint() + " (" + k.source() + ")")
                .orElseGet(() -> "by a keyless signer with " + identity.orElseThrow().describe());
        throw failure.apply("no signature of " + wanted + " " + asked + "; found for " + String.join("; for ", found));
    }

    /** What is wrong with a bundle under this policy; empty when it is a valid signature of {@code signed}. */
    private Optional<String> problem(SigstoreBundleArtifact bundle, Digest signed) {
        if (key.isPresent()) {
            return new KeyBundleVerification(key.get()).problem(bundle.bundleJson(), signed);
        }
        return keyless.problem(bundle.bundleJson(), signed, identity.orElseThrow());
    }

    /**
     * What was found instead of a valid signature. The key policy's words for cosign's signatures are as they were
     * before bundles: bundles add a clause only when there are some.
     */
    private String describe(List<CosignSignature> layers, List<String> bundleProblems, Digest signed) {
        String bundles = count(bundleProblems.size(), "Sigstore bundle") + " (" + String.join("; ", bundleProblems) + ")";
        if (key.isEmpty()) {
            if (!bundleProblems.isEmpty()) {
                return bundles;
            }
            String none = "no Sigstore bundle (no referrer of type " + SigstoreBundles.BUNDLE_MEDIA_TYPE + ")";
            long withCertificate = layers.stream().filter(l -> l.layer().annotations().containsKey(CERTIFICATE_ANNOTATION)).count();
            if (withCertificate > 0) {
                return none + ", and " + count(withCertificate, "keyless cosign signature") + " under the tag " + CosignSignatures.tagFor(signed)
                        + ", which this plugin does not check: its transparency-log bundle carries no inclusion proof, which"
                        + " sigstore-java needs to check it offline (sign with cosign v3 or --new-bundle-format for a Sigstore bundle)";
            }
            return none;
        }
        String signatures = describe(layers, signed);
        return bundleProblems.isEmpty() ? signatures : signatures + ", and " + bundles;
    }

    private boolean valid(CosignSignature signature, Digest signed) {
        return signature.signedDigest().filter(signed::equals).isPresent() && key.orElseThrow().verifies(signature.payload(), signature.signature());
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
