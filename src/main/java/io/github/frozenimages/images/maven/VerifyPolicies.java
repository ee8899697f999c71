package io.github.frozenimages.images.maven;

import static io.github.frozenimages.images.maven.MavenExceptions.misconfigured;

import io.github.frozenimages.images.core.trust.KeylessIdentity;
import io.github.frozenimages.images.core.trust.KeylessVerification;
import io.github.frozenimages.images.core.trust.SignatureCheck;
import io.github.frozenimages.images.core.trust.TrustedKey;
import java.io.File;
import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.PatternSyntaxException;
import org.apache.maven.plugin.MojoExecutionException;
import org.apache.maven.plugin.MojoFailureException;

/**
 * Reads the {@code <verify>} elements of a goal into signature checks: a key policy from {@code <publicKey>}, a
 * keyless one from {@code <keyless>} and {@code <trustedRoot>}. Every mistake is found here, before any request,
 * and named by the setting it is in. The Sigstore client is brought in only when some {@code <verify>} is keyless,
 * once per trusted root, however many images name it.
 */
final class VerifyPolicies {

    /** Brings in the keyless verification for one trusted root: {@link SigstoreClientLoader} in a build. */
    @FunctionalInterface
    interface KeylessClient {
        /**
         * @throws IllegalArgumentException when the trusted root cannot be used, naming the file
         * @throws MojoExecutionException when the client itself cannot be brought in
         */
        KeylessVerification load(Path trustedRoot) throws MojoExecutionException;
    }

    private final KeylessClient client;
    private final Map<Path, KeylessVerification> byRoot = new HashMap<>();
    /** Each key file is read once, however many {@code <verify>}s name it. */
    private final Map<Path, SignatureCheck> byKey = new HashMap<>();

    VerifyPolicies(KeylessClient client) {
        this.client = client;
    }

    /** The check one {@code <verify>} asks for. */
    SignatureCheck checkFor(VerifySpec spec) throws MojoFailureException, MojoExecutionException {
        if (spec.isEmpty()) {
            throw misconfigured(UserParameter.VERIFY, "a <verify> names neither a <publicKey> nor a <keyless> signer");
        }
        if (spec.getPublicKey() != null && spec.getKeyless() != null) {
            throw misconfigured(UserParameter.VERIFY, "a <verify> names both a <publicKey> and a <keyless> signer: give each"
                    + " <verify> one of them (an <image>'s own <verify> can name the other)");
        }
        if (spec.getPublicKey() != null) {
            if (spec.getTrustedRoot() != null) {
                throw misconfigured(UserParameter.TRUSTED_ROOT, "a <trustedRoot> is for <keyless> signers; the <verify> with it"
                        + " names the <publicKey> " + spec.getPublicKey());
            }
            return keyCheck(spec.getPublicKey());
        }
        if (spec.getKeyless() == null) {
            throw misconfigured(UserParameter.KEYLESS, "a <verify> with a <trustedRoot> needs the <keyless> signer (issuer and identity)"
                    + " its images must be signed by");
        }
        return SignatureCheck.keyless(identity(spec.getKeyless()), verification(spec.getTrustedRoot()));
    }

    private SignatureCheck keyCheck(File publicKey) throws MojoFailureException {
        Path key = publicKey.toPath().toAbsolutePath().normalize();
        SignatureCheck known = byKey.get(key);
        if (known != null) {
            return known;
        }
        try {
            SignatureCheck check = new SignatureCheck(TrustedKey.read(publicKey.toPath()));
            byKey.put(key, check);
            return check;
        } catch (IOException e) {
            throw misconfigured(UserParameter.VERIFY, "could not read the public key " + publicKey + ": " + e.getMessage(), e);
        }
    }

    private static KeylessIdentity identity(KeylessSpec keyless) throws MojoFailureException {
        String issuer = trimmed(keyless.getIssuer());
        String identity = trimmed(keyless.getIdentity());
        String pattern = trimmed(keyless.getIdentityPattern());
        if (issuer == null) {
            throw misconfigured(UserParameter.KEYLESS, "a <keyless> needs the <issuer> of the signers' certificates, e.g."
                    + " https://token.actions.githubusercontent.com for GitHub Actions");
        }
        if (identity != null && pattern != null) {
            throw misconfigured(UserParameter.KEYLESS, "a <keyless> names both an <identity> and an <identityPattern>: give one");
        }
        if (identity == null && pattern == null) {
            throw misconfigured(UserParameter.KEYLESS, "a <keyless> needs the <identity> its certificates must name (an e-mail"
                    + " address or a workflow URI), or an <identityPattern> matching the whole of it");
        }
        if (identity != null) {
            return KeylessIdentity.exactly(issuer, identity);
        }
        try {
            return KeylessIdentity.matching(issuer, pattern);
        } catch (PatternSyntaxException e) {
            throw misconfigured(UserParameter.KEYLESS, "the <identityPattern> " + pattern + " is no regular expression: "
                    + e.getDescription() + " at index " + e.getIndex(), e);
        }
    }

    private KeylessVerification verification(File trustedRoot) throws MojoFailureException, MojoExecutionException {
        if (trustedRoot == null) {
            // The public instance's root is published through TUF, which needs the network and a TUF client whose
            // state outlives the build; a file the team checks in is what works offline and on both sides of an air gap.
            throw misconfigured(UserParameter.TRUSTED_ROOT, "keyless verification needs the Sigstore trusted root to check"
                    + " certificates and transparency-log entries against: a trusted_root.json of the Sigstore instance that"
                    + " signed the images (for the public one, the trusted_root.json its TUF repository serves), kept with"
                    + " the project");
        }
        Path root = trustedRoot.toPath().toAbsolutePath().normalize();
        if (!trustedRoot.isFile()) {
            throw misconfigured(UserParameter.TRUSTED_ROOT, "there is no trusted root at " + root);
        }
        KeylessVerification known = byRoot.get(root);
        if (known != null) {
            return known;
        }
        try {
            KeylessVerification loaded = client.load(root);
            byRoot.put(root, loaded);
            return loaded;
        } catch (IllegalArgumentException e) {
            throw misconfigured(UserParameter.TRUSTED_ROOT, e);
        }
    }

    private static String trimmed(String value) {
        return value == null || value.isBlank() ? null : value.trim();
    }
}
