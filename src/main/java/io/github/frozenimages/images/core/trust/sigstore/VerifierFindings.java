package io.github.frozenimages.images.core.trust.sigstore;

import dev.sigstore.KeylessVerificationException;
import dev.sigstore.fulcio.client.FulcioVerificationException;
import dev.sigstore.rekor.client.RekorVerificationException;
import java.security.cert.X509Certificate;

/**
 * sigstore-java's verification failures, as the phrases a build message is made of. sigstore-java 2.0 tells its
 * failures apart only by their causes and sentences; those are read here, in one place, and the tests of
 * {@code SigstoreKeylessVerification} break each one on purpose, so that a new sigstore-java that words them
 * differently is noticed.
 */
final class VerifierFindings {

    private VerifierFindings() {
    }

    static String phrase(KeylessVerificationException e, X509Certificate leaf) {
        String message = e.getMessage() == null ? "" : e.getMessage();
        Throwable cause = e.getCause();
        if (cause instanceof FulcioVerificationException) {
            String reason = firstLine(cause.getMessage());
            if (reason.contains("SCT")) {
                return "a certificate without a valid timestamp (SCT) from the trusted root's certificate-transparency log";
            }
            if (reason.contains("not verifiable against CAs") || reason.contains("No valid Certificate Authorities")) {
                return "a certificate not issued by the trusted root's certificate authority";
            }
            return "a certificate the trusted root does not accept: " + reason;
        }
        if (message.startsWith("No provided certificate identities matched") || message.startsWith("Could not verify certificate identities")) {
            return CertificateIdentity.of(leaf).describe();
        }
        if (cause instanceof RekorVerificationException) {
            String reason = firstLine(cause.getMessage());
            if (cause.getCause() != null && cause.getCause().getMessage() != null) {
                reason += " (" + firstLine(cause.getCause().getMessage()) + ")";
            }
            return "a bad transparency-log entry: " + reason;
        }
        if (message.startsWith("RFC3161 timestamp verification failed")) {
            String reason = firstLine(message.substring("RFC3161 timestamp verification failed".length())).replaceFirst("^:\\s*", "");
            return "a bad RFC 3161 timestamp: " + (reason.isEmpty() && cause != null ? firstLine(cause.getMessage()) : reason);
        }
        if (message.startsWith("Provided artifact digest does not match")) {
            return "a signature for another digest";
        }
        if (message.startsWith("DSSE signature was not valid") || message.startsWith("Artifact signature was not valid")
                || message.startsWith("Signature could not be processed")) {
            return "a signature that the certificate's key did not make";
        }
        if (message.contains("inconsistent with") || message.startsWith("Digest of DSSE payload")
                || message.startsWith("Unexpected rekor type") || message.startsWith("DSSE log entry must have")
                || message.contains("tlog entry") || message.startsWith("Bundle verification expects")
                || message.startsWith("Could not parse DSSE from log entry") || message.startsWith("Could not parse hashedrekord from log entry")
                || message.startsWith("Could not extract body from log entry")) {
            return "a bad transparency-log entry: " + firstLine(message);
        }
        return "an invalid keyless signature: " + firstLine(message);
    }

    static String firstLine(String message) {
        if (message == null) {
            return "";
        }
        int newline = message.indexOf('\n');
        return (newline < 0 ? message : message.substring(0, newline)).strip();
    }
}
