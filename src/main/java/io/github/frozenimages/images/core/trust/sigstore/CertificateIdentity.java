package io.github.frozenimages.images.core.trust.sigstore;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.Collection;
import java.util.List;
import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.asn1.ASN1Primitive;
import org.bouncycastle.asn1.ASN1String;

/**
 * The identity a Fulcio-style signing certificate was issued for, read back for messages: its one subject
 * alternative name (an e-mail address or a URI) and the OIDC issuer extension. What the verifier matched is
 * sigstore-java's business; this only says to the user whom a refused certificate names.
 */
record CertificateIdentity(String identity, String issuer) {

    /** Fulcio's issuer extension, a DER UTF8String. */
    static final String ISSUER_OID = "1.3.6.1.4.1.57264.1.8";
    /** The extension it replaced, whose value is the issuer's raw UTF-8 bytes; older certificates have only it. */
    static final String LEGACY_ISSUER_OID = "1.3.6.1.4.1.57264.1.1";
    private static final int RFC822_NAME = 1;
    private static final int URI = 6;
    private static final String NONE = "(none)";

    static CertificateIdentity of(X509Certificate certificate) {
        return new CertificateIdentity(subjectAlternativeName(certificate), issuer(certificate));
    }

    /** For messages: {@code a certificate for identity x, issuer y}. */
    String describe() {
        return "a certificate for identity " + identity + ", issuer " + issuer;
    }

    private static String subjectAlternativeName(X509Certificate certificate) {
        try {
            Collection<List<?>> names = certificate.getSubjectAlternativeNames();
            if (names == null) {
                return NONE;
            }
            return names.stream()
                    .filter(name -> name.get(0) instanceof Integer type && (type == RFC822_NAME || type == URI))
                    .map(name -> String.valueOf(name.get(1)))
                    .reduce((first, second) -> first + " and " + second)
                    .orElse(NONE);
        } catch (CertificateParsingException e) {
            return "(unreadable: " + e.getMessage() + ")";
        }
    }

    private static String issuer(X509Certificate certificate) {
        try {
            byte[] current = certificate.getExtensionValue(ISSUER_OID);
            if (current != null) {
                ASN1Primitive value = ASN1Primitive.fromByteArray(ASN1OctetString.getInstance(current).getOctets());
                return value instanceof ASN1String string ? string.getString() : "(unreadable)";
            }
            byte[] legacy = certificate.getExtensionValue(LEGACY_ISSUER_OID);
            if (legacy != null) {
                return new String(ASN1OctetString.getInstance(legacy).getOctets(), StandardCharsets.UTF_8);
            }
            return NONE;
        } catch (IOException | IllegalArgumentException e) {
            return "(unreadable: " + e.getMessage() + ")";
        }
    }
}
