package io.github.frozenimages.images.core.trust.sigstore;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.frozenimages.images.core.ref.Digest;
import io.github.frozenimages.images.core.trust.KeylessIdentity;
import io.github.frozenimages.images.testing.SigstoreTestAuthority;
import io.github.frozenimages.images.testing.SigstoreTestAuthority.Fault;
import io.github.frozenimages.images.testing.SigstoreTestAuthority.KeylessSigner;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Optional;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Keyless verification against trust material the test makes itself ({@link SigstoreTestAuthority}): a valid
 * bundle passes, and each thing a bundle can get wrong is refused with the phrase that names it.
 */
class SigstoreKeylessVerificationTest {

    private static final String ISSUER = "https://token.actions.githubusercontent.test";
    private static final String WORKFLOW = "https://forge.test/frozen/app/.github/workflows/release.yml@refs/heads/main";
    private static final Digest MANIFEST = Digest.sha256("the manifest".getBytes(StandardCharsets.UTF_8));
    private static final Digest OTHER_MANIFEST = Digest.sha256("another manifest".getBytes(StandardCharsets.UTF_8));

    private static SigstoreTestAuthority authority;
    private static KeylessSigner workflow;
    private static SigstoreKeylessVerification verification;

    @BeforeAll
    static void trustedRoot(@TempDir Path directory) {
        authority = SigstoreTestAuthority.create();
        workflow = authority.signer(ISSUER, WORKFLOW);
        verification = new SigstoreKeylessVerification(authority.writeTrustedRoot(directory.resolve("trusted_root.json")));
    }

    private static Optional<String> check(byte[] bundle, KeylessIdentity identity) {
        return verification.problem(bundle, MANIFEST, identity);
    }

    @Test
    void aValidDsseBundleFromTheExpectedIdentityPasses() {
        assertEquals(Optional.empty(), check(authority.bundle(workflow, MANIFEST), KeylessIdentity.exactly(ISSUER, WORKFLOW)));
    }

    @Test
    void aValidMessageSignatureBundlePasses() {
        assertEquals(Optional.empty(),
                check(authority.messageSignatureBundle(workflow, MANIFEST), KeylessIdentity.exactly(ISSUER, WORKFLOW)));
    }

    @Test
    void aCertificateIssuedByTheRootItselfPasses(@TempDir Path directory) {
        SigstoreTestAuthority rootOnly = SigstoreTestAuthority.createWithoutIntermediate();
        SigstoreKeylessVerification againstRoot = new SigstoreKeylessVerification(rootOnly.writeTrustedRoot(directory.resolve("root.json")));
        assertEquals(Optional.empty(), againstRoot.problem(rootOnly.bundle(rootOnly.signer(ISSUER, WORKFLOW), MANIFEST), MANIFEST,
                KeylessIdentity.exactly(ISSUER, WORKFLOW)));
    }

    @Test
    void anRfc3161TimestampFromTheTrustedRootsAuthorityPassesBesideTheLogEntryAndAlone() {
        KeylessIdentity wanted = KeylessIdentity.exactly(ISSUER, WORKFLOW);
        assertEquals(Optional.empty(), check(authority.bundle(workflow, MANIFEST, Fault.TIMESTAMPED), wanted));
        // a log of the newer kind gives its entries no integration time: the timestamp is the time
        assertEquals(Optional.empty(), check(authority.bundle(workflow, MANIFEST, Fault.TIMESTAMP_ONLY), wanted));
    }

    @Test
    void anRfc3161TimestampOfOtherBytesOrByAnotherAuthorityIsRefused() {
        KeylessIdentity wanted = KeylessIdentity.exactly(ISSUER, WORKFLOW);
        Optional<String> otherBytes = check(authority.bundle(workflow, MANIFEST, Fault.TIMESTAMP_OF_OTHER_BYTES), wanted);
        assertTrue(otherBytes.orElseThrow().startsWith("a bad RFC 3161 timestamp: "), otherBytes.toString());
        Optional<String> stranger = check(authority.bundle(workflow, MANIFEST, Fault.TIMESTAMP_BY_ANOTHER_AUTHORITY), wanted);
        assertTrue(stranger.orElseThrow().startsWith("a bad RFC 3161 timestamp: "), stranger.toString());
    }

    @Test
    void aBundleThatProvesNoSigningTimeIsRefused() {
        assertEquals(Optional.of("a bundle that proves no signing time (no log entry with an integration time, no RFC 3161 timestamp)"),
                check(authority.bundle(workflow, MANIFEST, Fault.NO_TIME), KeylessIdentity.exactly(ISSUER, WORKFLOW)));
    }

    @Test
    void anEmailIdentityPasses() {
        KeylessSigner person = authority.signer("https://accounts.test", "release@frozen.test");
        assertEquals(Optional.empty(),
                check(authority.bundle(person, MANIFEST), KeylessIdentity.exactly("https://accounts.test", "release@frozen.test")));
    }

    @Test
    void anotherIdentityIsRefusedNamingTheCertificatesIdentityAndIssuer() {
        KeylessSigner stranger = authority.signer(ISSUER, "https://forge.test/mallory/app/.github/workflows/release.yml@refs/heads/main");
        assertEquals(Optional.of("a certificate for identity " + stranger.identity() + ", issuer " + ISSUER),
                check(authority.bundle(stranger, MANIFEST), KeylessIdentity.exactly(ISSUER, WORKFLOW)));
    }

    @Test
    void anIdentityPatternMustMatchTheWholeIdentity() {
        byte[] bundle = authority.bundle(workflow, MANIFEST);
        assertEquals(Optional.empty(), check(bundle, KeylessIdentity.matching(ISSUER, "https://forge\\.test/frozen/.*")));
        // a pattern that matches a part of the identity only is not a match
        assertEquals(Optional.of("a certificate for identity " + WORKFLOW + ", issuer " + ISSUER),
                check(bundle, KeylessIdentity.matching(ISSUER, "frozen/app")));
        assertEquals(Optional.of("a certificate for identity " + WORKFLOW + ", issuer " + ISSUER),
                check(bundle, KeylessIdentity.matching(ISSUER, "https://forge\\.test/mallory/.*")));
    }

    @Test
    void anotherIssuerIsRefused() {
        KeylessSigner elsewhere = authority.signer("https://issuer.elsewhere.test", WORKFLOW);
        assertEquals(Optional.of("a certificate for identity " + WORKFLOW + ", issuer https://issuer.elsewhere.test"),
                check(authority.bundle(elsewhere, MANIFEST), KeylessIdentity.exactly(ISSUER, WORKFLOW)));
    }

    @Test
    void aCertificateFromAnotherAuthorityWithTheSameNamesIsRefused() {
        KeylessSigner forged = authority.strangerSigner(ISSUER, WORKFLOW);
        assertEquals(Optional.of("a certificate not issued by the trusted root's certificate authority"),
                check(authority.bundle(forged, MANIFEST), KeylessIdentity.exactly(ISSUER, WORKFLOW)));
    }

    @Test
    void aCertificateWhoseTimestampComesFromAnUnknownCtLogIsRefused() {
        KeylessSigner unlogged = authority.signerLoggedByAnotherCtLog(ISSUER, WORKFLOW);
        assertEquals(Optional.of("a certificate without a valid timestamp (SCT) from the trusted root's certificate-transparency log"),
                check(authority.bundle(unlogged, MANIFEST), KeylessIdentity.exactly(ISSUER, WORKFLOW)));
    }

    @Test
    void aBundleOfAnotherDeploymentIsRefused() {
        SigstoreTestAuthority other = SigstoreTestAuthority.create();
        byte[] bundle = other.bundle(other.signer(ISSUER, WORKFLOW), MANIFEST);
        assertEquals(Optional.of("a certificate not issued by the trusted root's certificate authority"),
                check(bundle, KeylessIdentity.exactly(ISSUER, WORKFLOW)));
    }

    @Test
    void aTamperedLogEntryBodyIsRefused() {
        // the changed body no longer parses as the kind of entry it claims: refused before its SET is looked at
        assertBadLogEntry(Fault.TLOG_BODY, "Could not parse DSSE from log entry body");
    }

    @Test
    void aSignedEntryTimestampOverOtherFieldsIsRefused() {
        assertBadLogEntry(Fault.SIGNED_ENTRY_TIMESTAMP, "Entry SET was not valid");
    }

    @Test
    void aWrongInclusionProofIsRefused() {
        assertBadLogEntry(Fault.INCLUSION_PROOF, "Inclusion proof verification failed (Calculated inclusion proof root hash does not match"
                + " provided root hash)");
    }

    @Test
    void aCheckpointSignedByAnotherKeyIsRefused() {
        assertBadLogEntry(Fault.CHECKPOINT, "Checkpoint signature was invalid");
    }

    @Test
    void anEntryLoggedAfterTheCertificateExpiredIsRefused() {
        Optional<String> problem = check(authority.bundle(workflow, MANIFEST, Fault.LOGGED_AFTER_CERTIFICATE_EXPIRY),
                KeylessIdentity.exactly(ISSUER, WORKFLOW));
        assertTrue(problem.orElse("").startsWith("a bad transparency-log entry: it was logged at "), problem.toString());
        assertTrue(problem.orElse("").contains(", outside the certificate's validity ("), problem.toString());
    }

    @Test
    void aSignatureByAnotherKeyIsRefused() {
        assertEquals(Optional.of("a signature that the certificate's key did not make"),
                check(authority.bundle(workflow, MANIFEST, Fault.SIGNATURE), KeylessIdentity.exactly(ISSUER, WORKFLOW)));
    }

    @Test
    void aBundleForAnotherDigestIsRefused() {
        assertEquals(Optional.of("a signature for another digest"),
                check(authority.bundle(workflow, OTHER_MANIFEST), KeylessIdentity.exactly(ISSUER, WORKFLOW)));
        assertEquals(Optional.of("a signature for another digest"),
                check(authority.messageSignatureBundle(workflow, OTHER_MANIFEST), KeylessIdentity.exactly(ISSUER, WORKFLOW)));
    }

    @Test
    void anAttestationOfAnotherKindIsNotASignature() {
        byte[] provenance = authority.attestationBundle(workflow, MANIFEST, "https://slsa.dev/provenance/v1");
        assertEquals(Optional.of("an attestation of another kind (predicate type https://slsa.dev/provenance/v1), not a signature"
                        + " (https://sigstore.dev/cosign/sign/v1)"),
                check(provenance, KeylessIdentity.exactly(ISSUER, WORKFLOW)));
    }

    @Test
    void aSha512ManifestDigestIsOneKeylessSignaturesCannotBeCheckedFor() {
        Digest sha512 = Digest.parse("sha512:" + "ab".repeat(64));
        assertEquals(Optional.of("a digest keyless signatures cannot be checked for: " + sha512 + " (Sigstore bundles sign sha256 digests)"),
                verification.problem(authority.bundle(workflow, MANIFEST), sha512, KeylessIdentity.exactly(ISSUER, WORKFLOW)));
    }

    @Test
    void malformedJsonIsAnUnreadableBundle() {
        Optional<String> problem = check("{\"mediaType\": ".getBytes(StandardCharsets.UTF_8), KeylessIdentity.exactly(ISSUER, WORKFLOW));
        assertTrue(problem.orElse("").startsWith("an unreadable bundle: "), problem.toString());
    }

    @Test
    void aBundleOfAnotherMediaTypeIsAnUnreadableBundle() {
        String bundle = new String(authority.bundle(workflow, MANIFEST), StandardCharsets.UTF_8)
                .replace(SigstoreTestAuthority.BUNDLE_MEDIA_TYPE, "application/vnd.dev.sigstore.bundle.v9+json");
        assertEquals(Optional.of("an unreadable bundle: Unsupported bundle media type: application/vnd.dev.sigstore.bundle.v9+json"),
                check(bundle.getBytes(StandardCharsets.UTF_8), KeylessIdentity.exactly(ISSUER, WORKFLOW)));
    }

    @Test
    void aHugeBundleIsRefusedBeforeItIsParsed() {
        byte[] huge = new byte[SigstoreKeylessVerification.MAX_BUNDLE_BYTES + 1];
        // not JSON at all: had it been parsed, the message would say so instead
        Arrays.fill(huge, (byte) '{');
        assertEquals(Optional.of("an unreadable bundle: 1048577 bytes, more than the 1048576 a Sigstore bundle may have"),
                check(huge, KeylessIdentity.exactly(ISSUER, WORKFLOW)));
    }

    @Test
    void anUnreadableTrustedRootIsRefusedNamingTheFile(@TempDir Path directory) throws Exception {
        Path broken = Files.writeString(directory.resolve("trusted_root.json"), "{\"tlogs\": 3}");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new SigstoreKeylessVerification(broken));
        assertTrue(e.getMessage().startsWith("The Sigstore trusted root " + broken + " cannot be used: "), e.getMessage());
    }

    private static void assertBadLogEntry(Fault fault, String reason) {
        Optional<String> problem = check(authority.bundle(workflow, MANIFEST, fault), KeylessIdentity.exactly(ISSUER, WORKFLOW));
        assertTrue(problem.orElse("").startsWith("a bad transparency-log entry: " + reason), problem.toString());
    }
}
