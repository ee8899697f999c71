package io.github.frozenimages.images.maven;

import java.io.File;

/**
 * A {@code <verify>} of the POM, for the goal or one {@code <image>}: the images it covers enter the build only
 * with a valid signature, by this key ({@code <publicKey>}) or by this keyless signer ({@code <keyless>}, checked
 * against the Sigstore trusted root {@code <trustedRoot>}).
 */
public class VerifySpec {

    /** The PEM public key the images must be signed with, as {@code cosign generate-key-pair} writes {@code cosign.pub}. */
    private File publicKey;

    /** Who a keyless signature must come from. */
    private KeylessSpec keyless;

    /** The Sigstore trusted root (certificate authorities, transparency logs) keyless signatures are checked against. */
    private File trustedRoot;

    /** Called by Maven for {@code -Dimages.verify.publicKey=cosign.pub}: the value is the key's path. */
    public void set(String publicKeyPath) {
        this.publicKey = new File(publicKeyPath);
    }

    public File getPublicKey() {
        return publicKey;
    }

    public void setPublicKey(File publicKey) {
        this.publicKey = publicKey;
    }

    public KeylessSpec getKeyless() {
        return keyless;
    }

    public void setKeyless(KeylessSpec keyless) {
        this.keyless = keyless;
    }

    public File getTrustedRoot() {
        return trustedRoot;
    }

    public void setTrustedRoot(File trustedRoot) {
        this.trustedRoot = trustedRoot;
    }

    /**
     * The goal-wide policy: the POM's {@code <verify>}, with what the command line's {@code -Dimages.verify.issuer},
     * {@code .identity}, {@code .identityPattern} and {@code .trustedRoot} add where the POM says nothing; null for none.
     * An empty goal-wide {@code <verify>} is what an unset {@code -Dimages.verify.publicKey} can leave: no policy.
     */
    static VerifySpec goalWide(VerifySpec pom, String issuer, String identity, String identityPattern, File trustedRoot) {
        boolean keylessFromCommandLine = issuer != null || identity != null || identityPattern != null;
        if (!keylessFromCommandLine && trustedRoot == null) {
            return pom == null || pom.isEmpty() ? null : pom;
        }
        VerifySpec spec = new VerifySpec();
        if (pom != null) {
            spec.setPublicKey(pom.getPublicKey());
            spec.setKeyless(pom.getKeyless());
            spec.setTrustedRoot(pom.getTrustedRoot());
        }
        if (spec.getKeyless() == null && keylessFromCommandLine) {
            KeylessSpec keyless = new KeylessSpec();
            keyless.setIssuer(issuer);
            keyless.setIdentity(identity);
            keyless.setIdentityPattern(identityPattern);
            spec.setKeyless(keyless);
        }
        if (spec.getTrustedRoot() == null) {
            spec.setTrustedRoot(trustedRoot);
        }
        return spec;
    }

    /** An empty {@code <verify/>}: it asks for nothing; an image's own is refused rather than read as "no policy". */
    boolean isEmpty() {
        return publicKey == null && keyless == null && trustedRoot == null;
    }
}
