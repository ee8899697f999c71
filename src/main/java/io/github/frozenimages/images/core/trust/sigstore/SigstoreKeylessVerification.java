package io.github.frozenimages.images.core.trust.sigstore;

import dev.sigstore.KeylessVerificationException;
import dev.sigstore.KeylessVerifier;
import dev.sigstore.TrustedRootProvider;
import dev.sigstore.VerificationOptions;
import dev.sigstore.VerificationOptions.CertificateMatcher;
import dev.sigstore.bundle.Bundle;
import dev.sigstore.bundle.BundleParseException;
import dev.sigstore.dsse.InTotoPayload;
import dev.sigstore.encryption.certificates.Certificates;
import dev.sigstore.json.JsonParseException;
import dev.sigstore.rekor.client.RekorEntry;
import dev.sigstore.strings.StringMatcher;
import dev.sigstore.trustroot.SigstoreConfigurationException;
import io.github.frozenimages.images.core.ref.Digest;
import io.github.frozenimages.images.core.trust.KeylessIdentity;
import io.github.frozenimages.images.core.trust.KeylessVerification;
import java.io.ByteArrayInputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateNotYetValidException;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.Date;
import java.util.HexFormat;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Keyless verification through sigstore-java: the certificate's chain to the trusted root's certificate
 * authority and its embedded SCT, the certificate's issuer and identity, the transparency-log entry (signed entry
 * timestamp, inclusion proof, checkpoint), RFC 3161 timestamps against the trusted root's timestamp authorities, the
 * signing time (the log's or a timestamp's) within the certificate's validity, and the signature
 * over the manifest digest; and, for a DSSE bundle, that its statement is a signature ({@code cosign sign}'s
 * predicate type) rather than another attestation. sigstore-java says what is wrong in its own sentences; they are turned here into the
 * short phrases a build message is made of.
 *
 * <p>Only this package may use sigstore-java: it is loaded on demand, beside its ~30 MB of dependencies, by a
 * class loader of its own ({@code maven.SigstoreClientLoader}), and nothing else of the plugin can see it.
 */
public final class SigstoreKeylessVerification implements KeylessVerification {

    /**
     * A bundle holds one certificate, one log entry and one signature: some kilobytes. Anything past this bound is
     * refused before it is parsed, so that a registry cannot make the build parse a gigabyte of JSON.
     */
    static final int MAX_BUNDLE_BYTES = 1024 * 1024;

    /**
     * What {@code cosign sign} states in the in-toto statement of a DSSE bundle. Other statements about the same
     * digest (provenance, SBOMs) are attestations signed by the same identity, not its signature of the image.
     */
    static final String COSIGN_SIGN_PREDICATE = "https://sigstore.dev/cosign/sign/v1";

    private final KeylessVerifier verifier;

    /** Reads {@code trustedRoot} (a Sigstore {@code trusted_root.json}) once; bundles are checked against it. */
    public SigstoreKeylessVerification(Path trustedRoot) {
        try {
            this.verifier = KeylessVerifier.builder().trustedRootProvider(TrustedRootProvider.from(trustedRoot)).build();
        } catch (SigstoreConfigurationException | GeneralSecurityException | RuntimeException e) {
            throw new IllegalArgumentException("The Sigstore trusted root " + trustedRoot + " cannot be used: " + e.getMessage()
                    + ". Give a trusted_root.json as the Sigstore deployment publishes it (the trustedRoot of the verify policy).", e);
        }
    }

    @Override
    public Optional<String> problem(byte[] bundleJson, Digest signed, KeylessIdentity identity) {
        if (bundleJson.length > MAX_BUNDLE_BYTES) {
            return Optional.of("an unreadable bundle: " + bundleJson.length + " bytes, more than the " + MAX_BUNDLE_BYTES
                    + " a Sigstore bundle may have");
        }
        if (!Digest.SHA256.equals(signed.algorithm())) {
            return Optional.of("a digest keyless signatures cannot be checked for: " + signed
                    + " (Sigstore bundles sign sha256 digests)");
        }
        Bundle bundle;
        try {
            bundle = Bundle.from(new InputStreamReader(new ByteArrayInputStream(bundleJson), StandardCharsets.UTF_8));
        } catch (BundleParseException | RuntimeException e) {
            return Optional.of("an unreadable bundle: " + reason(e));
        }
        try {
            verifier.verify(HexFormat.of().parseHex(signed.hex()), bundle, options(identity));
            Optional<String> untimely = signingTime(bundle);
            if (untimely.isPresent()) {
                return untimely;
            }
            if (bundle.getDsseEnvelope().isEmpty()) {
                return Optional.empty();
            }
            String predicateType = InTotoPayload.from(bundle.getDsseEnvelope().get()).getPredicateType();
            return COSIGN_SIGN_PREDICATE.equals(predicateType) ? Optional.empty()
                    : Optional.of("an attestation of another kind (predicate type " + predicateType + "), not a signature ("
                            + COSIGN_SIGN_PREDICATE + ")");
        } catch (JsonParseException e) {
            return Optional.of("an unreadable bundle: " + reason(e));
        } catch (KeylessVerificationException e) {
            return Optional.of(VerifierFindings.phrase(e, leaf(bundle)));
        } catch (RuntimeException e) {
            // e.g. a DSSE payload that is not JSON, which sigstore-java parses only while verifying
            return Optional.of("an unreadable bundle: " + reason(e));
        }
    }

    /**
     * When the signature was made, as the bundle proves it: the certificate lives ten minutes, so a signature counts
     * only if a trusted clock saw it within them. sigstore-java 2.0 checks the RFC 3161 timestamps against the
     * certificate, but not the time the transparency log integrated the entry (1.3 did); that is checked here, for
     * each entry that carries one (a log of the newer kind leaves it 0, and its bundles carry RFC 3161 timestamps).
     * A bundle with neither proves no time at all.
     */
    private static Optional<String> signingTime(Bundle bundle) {
        X509Certificate leaf = leaf(bundle);
        boolean timed = !bundle.getTimestamps().isEmpty();
        for (RekorEntry entry : bundle.getEntries()) {
            if (entry.getIntegratedTime() <= 0) {
                continue;
            }
            timed = true;
            Instant logged = Instant.ofEpochSecond(entry.getIntegratedTime());
            try {
                leaf.checkValidity(Date.from(logged));
            } catch (CertificateExpiredException | CertificateNotYetValidException e) {
                return Optional.of("a bad transparency-log entry: it was logged at " + logged + ", outside the certificate's validity ("
                        + leaf.getNotBefore().toInstant() + " to " + leaf.getNotAfter().toInstant() + ")");
            }
        }
        return timed ? Optional.empty()
                : Optional.of("a bundle that proves no signing time (no log entry with an integration time, no RFC 3161 timestamp)");
    }

    private static VerificationOptions options(KeylessIdentity identity) {
        StringMatcher subject = identity.identity().map(StringMatcher::string)
                .orElseGet(() -> wholly(identity.identityPattern().orElseThrow()));
        CertificateMatcher matcher = CertificateMatcher.fulcio()
                .issuer(StringMatcher.string(identity.issuer()))
                .subjectAlternativeName(subject)
                .build();
        return VerificationOptions.builder().addCertificateMatchers(matcher).build();
    }

    /** The policy's own compiled pattern, matching the whole identity as {@link KeylessIdentity#accepts} does. */
    private static StringMatcher wholly(Pattern pattern) {
        return new StringMatcher() {
            @Override
            public boolean test(String identity) {
                return identity != null && pattern.matcher(identity).matches();
            }

            @Override
            public String toString() {
                return "/" + pattern.pattern() + "/";
            }
        };
    }

    private static X509Certificate leaf(Bundle bundle) {
        return Certificates.getLeaf(bundle.getCertPath());
    }

    private static String reason(Exception e) {
        String reason = VerifierFindings.firstLine(e.getMessage());
        Throwable cause = e.getCause();
        if (cause != null && cause.getMessage() != null) {
            reason += " (" + VerifierFindings.firstLine(cause.getMessage()) + ")";
        }
        return reason;
    }
}
