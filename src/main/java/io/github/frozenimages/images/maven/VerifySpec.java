package io.github.frozenimages.images.maven;

import java.io.File;

/**
 * A {@code <verify>} of the POM, for the goal or one {@code <image>}: the images it covers enter the build only
 * with a valid cosign signature by this key.
 */
public class VerifySpec {

    /** The PEM public key the images must be signed with, as {@code cosign generate-key-pair} writes {@code cosign.pub}. */
    private File publicKey;

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
}
