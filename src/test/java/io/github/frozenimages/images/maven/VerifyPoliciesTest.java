package io.github.frozenimages.images.maven;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.frozenimages.images.core.trust.KeylessIdentity;
import io.github.frozenimages.images.core.trust.KeylessVerification;
import io.github.frozenimages.images.core.trust.SignatureCheck;
import io.github.frozenimages.images.testing.CosignSigner;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.maven.plugin.MojoExecutionException;
import org.apache.maven.plugin.MojoFailureException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reading {@code <verify>}: every mistake named by its setting before any request, and the Sigstore client loaded once a root. */
class VerifyPoliciesTest {

    private static final String ISSUER = "https://token.actions.test";
    private static final String KEYLESS_ADVICE = " (check <verify><keyless> or -Dimages.verify.issuer, -Dimages.verify.identity,"
            + " -Dimages.verify.identityPattern)";
    private static final String ROOT_ADVICE = " (check <verify><trustedRoot> or -Dimages.verify.trustedRoot)";

    @TempDir
    Path work;

    private final List<Path> loaded = new ArrayList<>();
    private final KeylessVerification verification = (bundle, signed, identity) -> Optional.of("not looked at");
    private final VerifyPolicies policies = new VerifyPolicies(root -> {
        loaded.add(root);
        return verification;
    });

    private Path trustedRoot() throws Exception {
        return Files.writeString(work.resolve("trusted_root.json"), "{}");
    }

    private static VerifySpec keyless(String issuer, String identity, String pattern, Path root) {
        KeylessSpec keyless = new KeylessSpec();
        keyless.setIssuer(issuer);
        keyless.setIdentity(identity);
        keyless.setIdentityPattern(pattern);
        VerifySpec spec = new VerifySpec();
        spec.setKeyless(keyless);
        spec.setTrustedRoot(root == null ? null : root.toFile());
        return spec;
    }

    private String refusal(VerifySpec spec) {
        return assertThrows(MojoFailureException.class, () -> policies.checkFor(spec)).getMessage();
    }

    @Test
    void aKeylessPolicyIsTheIdentityAskedForCheckedByTheClientOfItsTrustedRoot() throws Exception {
        Path root = trustedRoot();

        SignatureCheck exact = policies.checkFor(keyless(" " + ISSUER + " ", "release@acme.test", null, root));
        SignatureCheck pattern = policies.checkFor(keyless(ISSUER, null, "release-.*@acme\\.test", work.resolve("./trusted_root.json")));

        assertEquals(Optional.of(KeylessIdentity.exactly(ISSUER, "release@acme.test")), exact.identity());
        assertEquals(Optional.empty(), exact.key());
        assertEquals("a keyless signature by issuer " + ISSUER + " and identity matching /release-.*@acme\\.test/", pattern.describe());
        // one trusted root, however it is written: the client is brought in once
        assertEquals(List.of(root.toAbsolutePath()), loaded);
    }

    @Test
    void aKeyPolicyNeedsNoSigstoreClient() throws Exception {
        CosignSigner signer = CosignSigner.ecdsaP256();
        VerifySpec spec = new VerifySpec();
        spec.setPublicKey(signer.writePublicKey(work.resolve("cosign.pub")).toFile());

        SignatureCheck check = policies.checkFor(spec);

        assertEquals(signer.fingerprint(), check.key().orElseThrow().fingerprint());
        assertTrue(loaded.isEmpty());
    }

    @Test
    void aVerifyThatAsksForNothingOrForTwoThingsIsRefused() throws Exception {
        assertEquals("a <verify> names neither a <publicKey> nor a <keyless> signer (check <verify> or -Dimages.verify.publicKey)",
                refusal(new VerifySpec()));

        VerifySpec both = keyless(ISSUER, "release@acme.test", null, trustedRoot());
        both.setPublicKey(new File("cosign.pub"));
        assertEquals("a <verify> names both a <publicKey> and a <keyless> signer: give each <verify> one of them (an <image>'s own"
                + " <verify> can name the other) (check <verify> or -Dimages.verify.publicKey)", refusal(both));

        VerifySpec rootWithKey = new VerifySpec();
        rootWithKey.setPublicKey(new File("cosign.pub"));
        rootWithKey.setTrustedRoot(trustedRoot().toFile());
        assertEquals("a <trustedRoot> is for <keyless> signers; the <verify> with it names the <publicKey> cosign.pub" + ROOT_ADVICE,
                refusal(rootWithKey));

        VerifySpec rootAlone = new VerifySpec();
        rootAlone.setTrustedRoot(trustedRoot().toFile());
        assertEquals("a <verify> with a <trustedRoot> needs the <keyless> signer (issuer and identity) its images must be signed by"
                + KEYLESS_ADVICE, refusal(rootAlone));
        assertTrue(loaded.isEmpty());
    }

    @Test
    void aKeylessSignerIsAnIssuerAndOneIdentityOrOnePattern() throws Exception {
        Path root = trustedRoot();
        assertEquals("a <keyless> needs the <issuer> of the signers' certificates, e.g. https://token.actions.githubusercontent.com"
                + " for GitHub Actions" + KEYLESS_ADVICE, refusal(keyless(" ", "release@acme.test", null, root)));
        assertEquals("a <keyless> names both an <identity> and an <identityPattern>: give one" + KEYLESS_ADVICE,
                refusal(keyless(ISSUER, "release@acme.test", ".*", root)));
        assertEquals("a <keyless> needs the <identity> its certificates must name (an e-mail address or a workflow URI), or an"
                + " <identityPattern> matching the whole of it" + KEYLESS_ADVICE, refusal(keyless(ISSUER, null, "", root)));
        assertEquals("the <identityPattern> release-(.*@acme.test is no regular expression: Unclosed group at index 21" + KEYLESS_ADVICE,
                refusal(keyless(ISSUER, null, "release-(.*@acme.test", root)));
        assertTrue(loaded.isEmpty());
    }

    @Test
    void aKeylessPolicyNeedsATrustedRootThatExistsAndThatTheClientCanUse() throws Exception {
        String missing = refusal(keyless(ISSUER, "release@acme.test", null, null));
        assertTrue(missing.startsWith("keyless verification needs the Sigstore trusted root to check certificates and"
                + " transparency-log entries against: a trusted_root.json"), missing);
        assertTrue(missing.endsWith(ROOT_ADVICE), missing);

        Path nowhere = work.resolve("no/trusted_root.json");
        assertEquals("there is no trusted root at " + nowhere + ROOT_ADVICE, refusal(keyless(ISSUER, "release@acme.test", null, nowhere)));
        assertTrue(loaded.isEmpty());

        Path root = trustedRoot();
        VerifyPolicies unusable = new VerifyPolicies(r -> {
            throw new IllegalArgumentException("The Sigstore trusted root " + r + " cannot be used: no certificate authority");
        });
        MojoFailureException e = assertThrows(MojoFailureException.class,
                () -> unusable.checkFor(keyless(ISSUER, "release@acme.test", null, root)));
        assertEquals("The Sigstore trusted root " + root + " cannot be used: no certificate authority" + ROOT_ADVICE, e.getMessage());
    }

    @Test
    void aClientThatCannotBeBroughtInFailsTheBuildAsItSaid() throws Exception {
        Path root = trustedRoot();
        MojoExecutionException unresolved = new MojoExecutionException("Keyless verification needs dev.sigstore:sigstore-java:2.0.0");
        VerifyPolicies offline = new VerifyPolicies(r -> {
            throw unresolved;
        });

        assertSame(unresolved, assertThrows(MojoExecutionException.class,
                () -> offline.checkFor(keyless(ISSUER, "release@acme.test", null, root))));
    }
}
