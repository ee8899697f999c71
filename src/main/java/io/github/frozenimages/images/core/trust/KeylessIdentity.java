package io.github.frozenimages.images.core.trust;

import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Who a keyless signature must come from: the OIDC issuer written into the signing certificate by the
 * certificate authority, and the certificate's identity (its subject alternative name: an e-mail address or a
 * workflow URI), given exactly or as a regular expression that must match it whole.
 */
public record KeylessIdentity(String issuer, Optional<String> identity, Optional<Pattern> identityPattern) {

    public KeylessIdentity {
        Objects.requireNonNull(issuer, "issuer");
        if (identity.isPresent() == identityPattern.isPresent()) {
            throw new IllegalArgumentException("a keyless identity is given either exactly or as a pattern, not both or neither");
        }
    }

    public static KeylessIdentity exactly(String issuer, String identity) {
        return new KeylessIdentity(issuer, Optional.of(identity), Optional.empty());
    }

    public static KeylessIdentity matching(String issuer, String identityPattern) {
        return new KeylessIdentity(issuer, Optional.empty(), Optional.of(Pattern.compile(identityPattern)));
    }

    /** Whether a certificate's issuer and identity are the ones asked for. */
    public boolean accepts(String certificateIssuer, String certificateIdentity) {
        return issuer.equals(certificateIssuer) && identity.map(certificateIdentity::equals)
                .orElseGet(() -> identityPattern.orElseThrow().matcher(certificateIdentity).matches());
    }

    /** For messages: {@code issuer https://... and identity ...} (or {@code identity matching /regex/}). */
    public String describe() {
        return "issuer " + issuer + " and identity " + identity.orElseGet(() -> "matching /" + identityPattern.orElseThrow().pattern() + "/");
    }
}
