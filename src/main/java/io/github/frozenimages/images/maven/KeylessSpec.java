package io.github.frozenimages.images.maven;

/**
 * A {@code <keyless>} in a {@code <verify>}: who a keyless (Fulcio certificate) signature must come from. The
 * issuer is the OIDC issuer the certificate authority wrote into the certificate; the identity is its subject
 * (an e-mail address or a CI workflow URI), given exactly or as a regular expression that must match it whole.
 */
public class KeylessSpec {

    /** The OIDC issuer, e.g. {@code https://token.actions.githubusercontent.com}. */
    private String issuer;

    /** The certificate's identity, exactly. */
    private String identity;

    /** The certificate's identity as a regular expression over the whole of it; instead of {@code identity}. */
    private String identityPattern;

    public String getIssuer() {
        return issuer;
    }

    public void setIssuer(String issuer) {
        this.issuer = issuer;
    }

    public String getIdentity() {
        return identity;
    }

    public void setIdentity(String identity) {
        this.identity = identity;
    }

    public String getIdentityPattern() {
        return identityPattern;
    }

    public void setIdentityPattern(String identityPattern) {
        this.identityPattern = identityPattern;
    }
}
