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

    /** An empty {@code <verify/>}: it asks for nothing, and is refused rather than read as "no policy". */
    boolean isEmpty() {
        return publicKey == null && keyless == null && trustedRoot == null;
    }
}
