package io.github.frozenimages.images.testing;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.frozenimages.images.core.ref.Digest;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Date;
import java.util.HexFormat;
import java.util.List;
import org.bouncycastle.asn1.ASN1Encoding;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.DEROctetString;
import org.bouncycastle.asn1.DERUTF8String;
import org.bouncycastle.asn1.nist.NISTObjectIdentifiers;
import org.bouncycastle.asn1.x500.RDN;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaCertStore;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.cms.jcajce.JcaSimpleSignerInfoGeneratorBuilder;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.DigestCalculator;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.operator.jcajce.JcaDigestCalculatorProviderBuilder;
import org.bouncycastle.tsp.TSPAlgorithms;
import org.bouncycastle.tsp.TSPException;
import org.bouncycastle.tsp.TimeStampRequest;
import org.bouncycastle.tsp.TimeStampRequestGenerator;
import org.bouncycastle.tsp.TimeStampResponseGenerator;
import org.bouncycastle.tsp.TimeStampTokenGenerator;

/**
 * A Sigstore deployment in miniature, for tests that must not reach the public one: a root certificate
 * authority with an intermediate (Fulcio's shape; or without one), a certificate-transparency log key that signs the SCT embedded
 * in each signing certificate, a Rekor-like transparency log key that signs entry timestamps (SETs) and
 * checkpoints, a small RFC 6962 Merkle tree for inclusion proofs, and the {@code trusted_root.json} naming all of
 * them. Bundles are written in the v0.3 JSON form cosign v3 writes for an image: a DSSE envelope holding an
 * in-toto statement whose subject is the manifest digest, or a plain message signature over that digest.
 *
 * <p>Everything is made here from the public formats with the JDK and BouncyCastle; nothing comes from
 * sigstore-java, so a test that passes shows sigstore-java accepting material it did not make itself.
 */
public final class SigstoreTestAuthority {

    public static final String BUNDLE_MEDIA_TYPE = "application/vnd.dev.sigstore.bundle.v0.3+json";
    public static final String TRUSTED_ROOT_MEDIA_TYPE = "application/vnd.dev.sigstore.trustedroot+json;version=0.1";
    public static final String IN_TOTO_PAYLOAD_TYPE = "application/vnd.in-toto+json";
    public static final String COSIGN_SIGN_PREDICATE = "https://sigstore.dev/cosign/sign/v1";
    /** Fulcio's OIDC issuer extension (a DER UTF8String); the older 1.3.6.1.4.1.57264.1.1 held raw bytes. */
    public static final String ISSUER_EXTENSION_OID = "1.3.6.1.4.1.57264.1.8";
    private static final String SCT_LIST_OID = "1.3.6.1.4.1.11129.2.4.2";
    private static final String SIGNATURE_ALGORITHM = "SHA256withECDSA";
    private static final String KEY_DETAILS = "PKIX_ECDSA_P256_SHA_256";
    private static final String LOG_ORIGIN = "rekor.test - 7215866428557146234";
    private static final String LOG_NAME = "rekor.test";
    /** Our entry sits inside a tree of seven, so that its audit path has siblings on both sides. */
    private static final int TREE_SIZE = 7;
    private static final int LOG_INDEX = 4;
    private static final Duration CERTIFICATE_LIFETIME = Duration.ofMinutes(10);
    private static final HexFormat HEX = HexFormat.of();
    private static final Base64.Encoder BASE64 = Base64.getEncoder();
    private static final SecureRandom RANDOM = new SecureRandom();

    /** A way to spoil a bundle that is otherwise made right. */
    public enum Fault {
        NONE,
        /** the log entry's body is changed after the log signed it */
        TLOG_BODY,
        /** the signed entry timestamp covers another integration time */
        SIGNED_ENTRY_TIMESTAMP,
        /** one hash of the audit path is wrong */
        INCLUSION_PROOF,
        /** the checkpoint is signed by another key (with the right key hint) */
        CHECKPOINT,
        /** the DSSE signature is made with a key other than the certificate's (and logged as such) */
        SIGNATURE,
        /** everything is consistent, but the log entry is an hour after the certificate expired */
        LOGGED_AFTER_CERTIFICATE_EXPIRY,
        /** a valid RFC 3161 timestamp from the trusted root's timestamp authority rides along with the log entry */
        TIMESTAMPED,
        /** as a log of the newer kind makes them: the entry has no integration time, the time is a timestamp's alone */
        TIMESTAMP_ONLY,
        /** the entry has no integration time and there is no timestamp: nothing proves when it was signed */
        NO_TIME,
        /** the RFC 3161 timestamp covers other bytes than the signature */
        TIMESTAMP_OF_OTHER_BYTES,
        /** the RFC 3161 timestamp is signed by a timestamp authority the trusted root does not name */
        TIMESTAMP_BY_ANOTHER_AUTHORITY
    }

    /**
     * Who signs: the identity token's issuer and subject as Fulcio would have put them into {@code chain}'s leaf,
     * and the ephemeral key that certificate is for.
     */
    public record KeylessSigner(String issuer, String identity, KeyPair keys, List<X509Certificate> chain) {

        public X509Certificate leaf() {
            return chain.get(0);
        }
    }

    private record Authority(X500Name name, KeyPair keys, X509Certificate certificate) {
    }

    private final Instant now;
    private final Authority root;
    /** the CA that issues signing certificates: the intermediate, or the root itself when there is none */
    private final Authority intermediate;
    /** the trusted root's certificate chain, issuing CA first */
    private final List<X509Certificate> caChain;
    private final KeyPair ctLogKey;
    private final KeyPair rekorKey;
    /** the RFC 3161 timestamp authority: its signing certificate first, then the root that issued it */
    private final Authority timestampRoot;
    private final Authority timestamper;

    private SigstoreTestAuthority(Instant now, Authority root, Authority intermediate, KeyPair ctLogKey, KeyPair rekorKey) {
        this.now = now;
        this.root = root;
        this.intermediate = intermediate;
        this.caChain = intermediate == root ? List.of(root.certificate()) : List.of(intermediate.certificate(), root.certificate());
        this.ctLogKey = ctLogKey;
        this.rekorKey = rekorKey;
        this.timestampRoot = timestampRoot(now);
        this.timestamper = timestamper(now, timestampRoot);
    }

    /** A fresh authority: root, intermediate, CT log key and transparency-log key, all EC P-256. */
    public static SigstoreTestAuthority create() {
        Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        Authority root = rootAuthority(now);
        return new SigstoreTestAuthority(now, root, intermediate(now, root), ecKey(), ecKey());
    }

    /** The same without an intermediate: the root issues the signing certificates itself. */
    public static SigstoreTestAuthority createWithoutIntermediate() {
        Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        Authority root = rootAuthority(now);
        return new SigstoreTestAuthority(now, root, root, ecKey(), ecKey());
    }

    // ---------------------------------------------------------------- signers

    /** A signer whose certificate this authority's intermediate issued, with a valid embedded SCT. */
    public KeylessSigner signer(String issuer, String identity) {
        return signer(issuer, identity, intermediate, caChain, ctLogKey);
    }

    /** A signer whose certificate this authority issued, but whose SCT a CT log unknown to the trusted root signed. */
    public KeylessSigner signerLoggedByAnotherCtLog(String issuer, String identity) {
        return signer(issuer, identity, intermediate, caChain, ecKey());
    }

    /**
     * A signer whose certificate comes from another CA that bears the very same names as this one (and carries
     * an SCT from this authority's CT log): only the chain to the trusted root can tell it apart.
     */
    public KeylessSigner strangerSigner(String issuer, String identity) {
        Authority strangeRoot = rootAuthority(now);
        Authority strangeIntermediate = intermediate(now, strangeRoot);
        return signer(issuer, identity, strangeIntermediate, List.of(strangeIntermediate.certificate(), strangeRoot.certificate()),
                ctLogKey);
    }

    private KeylessSigner signer(String issuer, String identity, Authority issuing, List<X509Certificate> parents,
                                 KeyPair ctLog) {
        KeyPair keys = ecKey();
        X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(issuing.name(), serial(),
                Date.from(now.minus(Duration.ofMinutes(1))), Date.from(now.plus(CERTIFICATE_LIFETIME)),
                new X500Name(new RDN[0]), keys.getPublic());
        try {
            JcaX509ExtensionUtils utils = new JcaX509ExtensionUtils();
            builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature));
            builder.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_codeSigning));
            builder.addExtension(Extension.subjectKeyIdentifier, false, utils.createSubjectKeyIdentifier(keys.getPublic()));
            builder.addExtension(Extension.authorityKeyIdentifier, false,
                    utils.createAuthorityKeyIdentifier(issuing.keys().getPublic()));
            int nameType = identity.contains("://") ? GeneralName.uniformResourceIdentifier : GeneralName.rfc822Name;
            // Fulcio's certificates have an empty subject, so the SAN is critical (RFC 5280, 4.2.1.6)
            builder.addExtension(Extension.subjectAlternativeName, true, new GeneralNames(new GeneralName(nameType, identity)));
            builder.addExtension(new ASN1ObjectIdentifier(ISSUER_EXTENSION_OID), false, new DERUTF8String(issuer));
            // The SCT signs the precertificate: this TBS without the SCT list. The list goes last, so that removing
            // it again (as a verifier does) gives back exactly these bytes.
            ContentSigner signer = signer(issuing.keys().getPrivate());
            byte[] precertificateTbs = builder.build(signer).toASN1Structure().getTBSCertificate().getEncoded(ASN1Encoding.DER);
            builder.addExtension(new ASN1ObjectIdentifier(SCT_LIST_OID), false,
                    new DEROctetString(sctList(precertificateTbs, issuing.keys().getPublic(), ctLog)));
            List<X509Certificate> chain = new ArrayList<>();
            chain.add(certificate(builder.build(signer)));
            chain.addAll(parents);
            return new KeylessSigner(issuer, identity, keys, List.copyOf(chain));
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalStateException("cannot make a signing certificate for " + identity, e);
        }
    }

    /** An RFC 6962 SignedCertificateTimestampList with one SCT over the precertificate entry. */
    private byte[] sctList(byte[] precertificateTbs, PublicKey issuerKey, KeyPair ctLog) throws IOException {
        long timestamp = now.toEpochMilli();
        ByteArrayOutputStream signedBytes = new ByteArrayOutputStream();
        DataOutputStream signed = new DataOutputStream(signedBytes);
        signed.writeByte(0); // v1
        signed.writeByte(0); // certificate_timestamp
        signed.writeLong(timestamp);
        signed.writeShort(1); // precert_entry
        signed.write(sha256(issuerKey.getEncoded()));
        writeUint24(signed, precertificateTbs.length);
        signed.write(precertificateTbs);
        signed.writeShort(0); // no CT extensions
        byte[] signature = sign(ctLog.getPrivate(), signedBytes.toByteArray());

        ByteArrayOutputStream sctBytes = new ByteArrayOutputStream();
        DataOutputStream sct = new DataOutputStream(sctBytes);
        sct.writeByte(0); // v1
        sct.write(sha256(ctLog.getPublic().getEncoded())); // log id
        sct.writeLong(timestamp);
        sct.writeShort(0); // no CT extensions
        sct.writeByte(4); // sha256
        sct.writeByte(3); // ecdsa
        sct.writeShort(signature.length);
        sct.write(signature);

        ByteArrayOutputStream listBytes = new ByteArrayOutputStream();
        DataOutputStream list = new DataOutputStream(listBytes);
        list.writeShort(sctBytes.size() + 2);
        list.writeShort(sctBytes.size());
        list.write(sctBytes.toByteArray());
        return listBytes.toByteArray();
    }

    // ---------------------------------------------------------------- trusted root

    /** Writes {@code trusted_root.json} naming this authority's CA chain, CT log and transparency log. */
    public Path writeTrustedRoot(Path file) {
        ObjectNode trustedRoot = Json.object();
        trustedRoot.put("mediaType", TRUSTED_ROOT_MEDIA_TYPE);
        trustedRoot.putArray("tlogs").add(log("https://rekor.test", rekorKey.getPublic()));
        ObjectNode ca = trustedRoot.putArray("certificateAuthorities").addObject();
        ObjectNode subject = ca.putObject("subject");
        subject.put("organization", "images-maven-plugin tests");
        subject.put("commonName", "test fulcio");
        ca.put("uri", "https://fulcio.test");
        ArrayNode certificates = ca.putObject("certChain").putArray("certificates");
        try {
            for (X509Certificate certificate : caChain) {
                certificates.addObject().put("rawBytes", BASE64.encodeToString(certificate.getEncoded()));
            }
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
        validFor(ca);
        trustedRoot.putArray("ctlogs").add(log("https://ctfe.test", ctLogKey.getPublic()));
        ObjectNode tsa = trustedRoot.putArray("timestampAuthorities").addObject();
        ObjectNode tsaSubject = tsa.putObject("subject");
        tsaSubject.put("organization", "images-maven-plugin tests");
        tsaSubject.put("commonName", "test timestamp authority");
        tsa.put("uri", "https://tsa.test");
        ArrayNode tsaCertificates = tsa.putObject("certChain").putArray("certificates");
        try {
            for (Authority a : List.of(timestamper, timestampRoot)) {
                tsaCertificates.addObject().put("rawBytes", BASE64.encodeToString(a.certificate().getEncoded()));
            }
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
        validFor(tsa);
        try {
            Files.write(file, Json.bytes(trustedRoot));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return file;
    }

    private ObjectNode log(String baseUrl, PublicKey key) {
        ObjectNode log = Json.object();
        log.put("baseUrl", baseUrl);
        log.put("hashAlgorithm", "SHA2_256");
        ObjectNode publicKey = log.putObject("publicKey");
        publicKey.put("rawBytes", BASE64.encodeToString(key.getEncoded()));
        publicKey.put("keyDetails", KEY_DETAILS);
        validFor(publicKey);
        log.putObject("logId").put("keyId", BASE64.encodeToString(sha256(key.getEncoded())));
        return log;
    }

    private void validFor(ObjectNode node) {
        ObjectNode validFor = node.putObject("validFor");
        validFor.put("start", now.minus(Duration.ofDays(1)).toString());
        validFor.put("end", now.plus(Duration.ofDays(1)).toString());
    }

    // ---------------------------------------------------------------- bundles

    /** What cosign v3 writes for {@code cosign sign} of an image: a DSSE envelope around an in-toto statement. */
    public byte[] bundle(KeylessSigner signer, Digest manifest) {
        return bundle(signer, manifest, Fault.NONE);
    }

    public byte[] bundle(KeylessSigner signer, Digest manifest, Fault fault) {
        return bundle(signer, manifest, fault, COSIGN_SIGN_PREDICATE);
    }

    /** A valid DSSE bundle whose statement is of another kind, as {@code cosign attest} makes for provenance. */
    public byte[] attestationBundle(KeylessSigner signer, Digest manifest, String predicateType) {
        return bundle(signer, manifest, Fault.NONE, predicateType);
    }

    private byte[] bundle(KeylessSigner signer, Digest manifest, Fault fault, String predicateType) {
        byte[] statement = statement(manifest, predicateType);
        byte[] pae = ("DSSEv1 " + IN_TOTO_PAYLOAD_TYPE.length() + " " + IN_TOTO_PAYLOAD_TYPE + " " + statement.length + " ")
                .getBytes(StandardCharsets.UTF_8);
        PrivateKey signingKey = fault == Fault.SIGNATURE ? ecKey().getPrivate() : signer.keys().getPrivate();
        byte[] signature = sign(signingKey, concat(pae, statement));

        ObjectNode envelope = Json.object();
        envelope.put("payload", BASE64.encodeToString(statement));
        envelope.put("payloadType", IN_TOTO_PAYLOAD_TYPE);
        ObjectNode envelopeSignature = envelope.putArray("signatures").addObject();
        envelopeSignature.put("sig", BASE64.encodeToString(signature));
        envelopeSignature.put("keyid", "");

        // Rekor's dsse 0.0.1 entry, canonical JSON (keys sorted, no blanks)
        ObjectNode body = Json.object();
        body.put("apiVersion", "0.0.1");
        body.put("kind", "dsse");
        ObjectNode spec = body.putObject("spec");
        hash(spec.putObject("envelopeHash"), sha256(Json.bytes(envelope)));
        hash(spec.putObject("payloadHash"), sha256(statement));
        ObjectNode logged = spec.putArray("signatures").addObject();
        logged.put("signature", BASE64.encodeToString(signature));
        logged.put("verifier", BASE64.encodeToString(pem(signer.leaf())));

        ObjectNode bundle = bundleWith(signer, tlogEntry(Json.bytes(body), "dsse", fault));
        if (fault == Fault.TIMESTAMPED || fault == Fault.TIMESTAMP_ONLY || fault == Fault.TIMESTAMP_OF_OTHER_BYTES
                || fault == Fault.TIMESTAMP_BY_ANOTHER_AUTHORITY) {
            byte[] stamped = fault == Fault.TIMESTAMP_OF_OTHER_BYTES ? "other bytes".getBytes(StandardCharsets.UTF_8) : signature;
            Authority by = fault == Fault.TIMESTAMP_BY_ANOTHER_AUTHORITY ? timestamper(now, timestampRoot(now)) : timestamper;
            ((ObjectNode) bundle.get("verificationMaterial")).putObject("timestampVerificationData").putArray("rfc3161Timestamps")
                    .addObject().put("signedTimestamp", BASE64.encodeToString(timestampResponse(by, stamped)));
        }
        bundle.set("dsseEnvelope", envelope);
        return Json.bytes(bundle);
    }

    /** The older form: a signature over the manifest digest itself, logged as a hashedrekord. */
    public byte[] messageSignatureBundle(KeylessSigner signer, Digest manifest) {
        byte[] digest = HEX.parseHex(manifest.hex());
        byte[] signature = signDigest(signer.keys().getPrivate(), digest);

        ObjectNode body = Json.object();
        body.put("apiVersion", "0.0.1");
        body.put("kind", "hashedrekord");
        ObjectNode spec = body.putObject("spec");
        hash(spec.putObject("data").putObject("hash"), digest);
        ObjectNode logged = spec.putObject("signature");
        logged.put("content", BASE64.encodeToString(signature));
        logged.putObject("publicKey").put("content", BASE64.encodeToString(pem(signer.leaf())));

        ObjectNode bundle = bundleWith(signer, tlogEntry(Json.bytes(body), "hashedrekord", Fault.NONE));
        ObjectNode messageSignature = bundle.putObject("messageSignature");
        ObjectNode messageDigest = messageSignature.putObject("messageDigest");
        messageDigest.put("algorithm", "SHA2_256");
        messageDigest.put("digest", BASE64.encodeToString(digest));
        messageSignature.put("signature", BASE64.encodeToString(signature));
        return Json.bytes(bundle);
    }

    private static byte[] statement(Digest manifest, String predicateType) {
        ObjectNode statement = Json.object();
        statement.put("_type", "https://in-toto.io/Statement/v1");
        ObjectNode subject = statement.putArray("subject").addObject();
        subject.put("name", "127.0.0.1/test/image");
        subject.putObject("digest").put("sha256", manifest.hex());
        statement.put("predicateType", predicateType);
        statement.putObject("predicate");
        return Json.bytes(statement);
    }

    private static ObjectNode bundleWith(KeylessSigner signer, ObjectNode tlogEntry) {
        ObjectNode bundle = Json.object();
        bundle.put("mediaType", BUNDLE_MEDIA_TYPE);
        ObjectNode material = bundle.putObject("verificationMaterial");
        try {
            material.putObject("certificate").put("rawBytes", BASE64.encodeToString(signer.leaf().getEncoded()));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
        material.putArray("tlogEntries").add(tlogEntry);
        return bundle;
    }

    /** The transparency-log entry for {@code body}: SET, inclusion proof in a small tree, signed checkpoint. */
    private ObjectNode tlogEntry(byte[] body, String kind, Fault fault) {
        long integratedTime = fault == Fault.LOGGED_AFTER_CERTIFICATE_EXPIRY ? now.plus(Duration.ofHours(1)).getEpochSecond()
                : fault == Fault.TIMESTAMP_ONLY || fault == Fault.NO_TIME ? 0 : now.getEpochSecond();
        byte[] logId = sha256(rekorKey.getPublic().getEncoded());
        String loggedBody = BASE64.encodeToString(body);

        // the SET: the log's signature over the canonical JSON of these four fields
        long signedTime = fault == Fault.SIGNED_ENTRY_TIMESTAMP ? integratedTime + 1 : integratedTime;
        ObjectNode signable = Json.object();
        signable.put("body", loggedBody);
        signable.put("integratedTime", signedTime);
        signable.put("logID", HEX.formatHex(logId));
        signable.put("logIndex", LOG_INDEX);
        byte[] set = sign(rekorKey.getPrivate(), Json.bytes(signable));

        List<byte[]> leaves = new ArrayList<>();
        for (int i = 0; i < TREE_SIZE; i++) {
            leaves.add(i == LOG_INDEX ? body : ("another entry " + i).getBytes(StandardCharsets.UTF_8));
        }
        TestMerkleTree tree = new TestMerkleTree(leaves);
        byte[] rootHash = tree.rootHash();
        List<byte[]> path = tree.auditPath(LOG_INDEX);
        if (fault == Fault.INCLUSION_PROOF) {
            path.set(0, sha256(path.get(0)));
        }

        String checkpointBody = LOG_ORIGIN + "\n" + tree.size() + "\n" + BASE64.encodeToString(rootHash) + "\n";
        PrivateKey checkpointKey = fault == Fault.CHECKPOINT ? ecKey().getPrivate() : rekorKey.getPrivate();
        byte[] checkpointSignature = sign(checkpointKey, checkpointBody.getBytes(StandardCharsets.UTF_8));
        byte[] keyHint = Arrays.copyOf(sha256(rekorKey.getPublic().getEncoded()), 4);
        String checkpoint = checkpointBody + "\n\u2014 " + LOG_NAME + " "
                + BASE64.encodeToString(concat(keyHint, checkpointSignature)) + "\n";

        ObjectNode entry = Json.object();
        entry.put("logIndex", String.valueOf(LOG_INDEX));
        entry.putObject("logId").put("keyId", BASE64.encodeToString(logId));
        ObjectNode kindVersion = entry.putObject("kindVersion");
        kindVersion.put("kind", kind);
        kindVersion.put("version", "0.0.1");
        entry.put("integratedTime", String.valueOf(integratedTime));
        entry.putObject("inclusionPromise").put("signedEntryTimestamp", BASE64.encodeToString(set));
        ObjectNode proof = entry.putObject("inclusionProof");
        proof.put("logIndex", String.valueOf(LOG_INDEX));
        proof.put("rootHash", BASE64.encodeToString(rootHash));
        proof.put("treeSize", String.valueOf(tree.size()));
        ArrayNode hashes = proof.putArray("hashes");
        path.forEach(hash -> hashes.add(BASE64.encodeToString(hash)));
        proof.putObject("checkpoint").put("envelope", checkpoint);
        byte[] bundledBody = fault == Fault.TLOG_BODY
                ? new String(body, StandardCharsets.UTF_8).replace("\"0.0.1\"", "\"0.0.2\"").getBytes(StandardCharsets.UTF_8)
                : body;
        entry.put("canonicalizedBody", BASE64.encodeToString(bundledBody));
        return entry;
    }

    private static void hash(ObjectNode node, byte[] sha256) {
        node.put("algorithm", "sha256");
        node.put("value", HEX.formatHex(sha256));
    }

    // ---------------------------------------------------------------- timestamp authority

    /**
     * An RFC 3161 TimeStampResp, as a timestamp authority answers: a token over SHA-256 of {@code stamped} (in a
     * Sigstore bundle, the signature's bytes), signed by {@code by}, whose certificate it carries.
     */
    private byte[] timestampResponse(Authority by, byte[] stamped) {
        try {
            DigestCalculator sha256 = new JcaDigestCalculatorProviderBuilder().build()
                    .get(new AlgorithmIdentifier(NISTObjectIdentifiers.id_sha256));
            TimeStampTokenGenerator tokens = new TimeStampTokenGenerator(
                    new JcaSimpleSignerInfoGeneratorBuilder().build(SIGNATURE_ALGORITHM, by.keys().getPrivate(), by.certificate()),
                    sha256, new ASN1ObjectIdentifier("1.3.6.1.4.1.57264.2"));
            tokens.addCertificates(new JcaCertStore(List.of(by.certificate())));
            TimeStampRequestGenerator requests = new TimeStampRequestGenerator();
            requests.setCertReq(true);
            TimeStampRequest request = requests.generate(TSPAlgorithms.SHA256, sha256(stamped), serial());
            return new TimeStampResponseGenerator(tokens, TSPAlgorithms.ALLOWED).generate(request, serial(), Date.from(now)).getEncoded();
        } catch (IOException | GeneralSecurityException | OperatorCreationException | TSPException e) {
            throw new IllegalStateException("cannot make a test timestamp", e);
        }
    }

    private static Authority timestampRoot(Instant now) {
        KeyPair keys = ecKey();
        X500Name name = new X500Name("O=images-maven-plugin tests,CN=test timestamp root");
        return new Authority(name, keys, caCertificate(now, name, keys, name, keys, -1));
    }

    /** The authority's signing certificate: a leaf for time stamping only (RFC 3161, 2.3: the one critical EKU). */
    private static Authority timestamper(Instant now, Authority root) {
        KeyPair keys = ecKey();
        X500Name name = new X500Name("O=images-maven-plugin tests,CN=test timestamp authority");
        X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(root.name(), serial(),
                Date.from(now.minus(Duration.ofDays(1))), Date.from(now.plus(Duration.ofDays(1))), name, keys.getPublic());
        try {
            JcaX509ExtensionUtils utils = new JcaX509ExtensionUtils();
            builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature));
            builder.addExtension(Extension.extendedKeyUsage, true, new ExtendedKeyUsage(KeyPurposeId.id_kp_timeStamping));
            builder.addExtension(Extension.subjectKeyIdentifier, false, utils.createSubjectKeyIdentifier(keys.getPublic()));
            builder.addExtension(Extension.authorityKeyIdentifier, false, utils.createAuthorityKeyIdentifier(root.keys().getPublic()));
            return new Authority(name, keys, certificate(builder.build(signer(root.keys().getPrivate()))));
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalStateException("cannot make the test timestamp authority", e);
        }
    }

    // ---------------------------------------------------------------- certificate authorities

    private static Authority rootAuthority(Instant now) {
        KeyPair keys = ecKey();
        X500Name name = new X500Name("O=images-maven-plugin tests,CN=test fulcio root");
        return new Authority(name, keys, caCertificate(now, name, keys, name, keys, -1));
    }

    private static Authority intermediate(Instant now, Authority root) {
        KeyPair keys = ecKey();
        X500Name name = new X500Name("O=images-maven-plugin tests,CN=test fulcio intermediate");
        return new Authority(name, keys, caCertificate(now, name, keys, root.name(), root.keys(), 0));
    }

    private static X509Certificate caCertificate(Instant now, X500Name name, KeyPair keys, X500Name issuerName,
                                                 KeyPair issuerKeys, int pathLength) {
        X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(issuerName, serial(),
                Date.from(now.minus(Duration.ofDays(1))), Date.from(now.plus(Duration.ofDays(1))), name, keys.getPublic());
        try {
            JcaX509ExtensionUtils utils = new JcaX509ExtensionUtils();
            builder.addExtension(Extension.basicConstraints, true,
                    pathLength < 0 ? new BasicConstraints(true) : new BasicConstraints(pathLength));
            builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
            builder.addExtension(Extension.subjectKeyIdentifier, false, utils.createSubjectKeyIdentifier(keys.getPublic()));
            if (issuerKeys != keys) {
                builder.addExtension(Extension.authorityKeyIdentifier, false,
                        utils.createAuthorityKeyIdentifier(issuerKeys.getPublic()));
            }
            return certificate(builder.build(signer(issuerKeys.getPrivate())));
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalStateException("cannot make the test CA " + name, e);
        }
    }

    private static X509Certificate certificate(X509CertificateHolder holder) throws GeneralSecurityException {
        return new JcaX509CertificateConverter().getCertificate(holder);
    }

    private static ContentSigner signer(PrivateKey key) {
        try {
            return new JcaContentSignerBuilder(SIGNATURE_ALGORITHM).build(key);
        } catch (OperatorCreationException e) {
            throw new IllegalStateException(e);
        }
    }

    // ---------------------------------------------------------------- primitives

    private static byte[] pem(X509Certificate certificate) {
        try {
            String base64 = Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(certificate.getEncoded());
            return ("-----BEGIN CERTIFICATE-----\n" + base64 + "\n-----END CERTIFICATE-----\n").getBytes(StandardCharsets.US_ASCII);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static KeyPair ecKey() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec("secp256r1"));
            return generator.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] sign(PrivateKey key, byte[] data) {
        return signWith(SIGNATURE_ALGORITHM, key, data);
    }

    /** ECDSA over a digest already computed: what SHA256withECDSA signs after hashing the content itself. */
    private static byte[] signDigest(PrivateKey key, byte[] digest) {
        return signWith("NONEwithECDSA", key, digest);
    }

    private static byte[] signWith(String algorithm, PrivateKey key, byte[] data) {
        try {
            Signature signature = Signature.getInstance(algorithm);
            signature.initSign(key);
            signature.update(data);
            return signature.sign();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] sha256(byte[] data) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(data);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] concat(byte[] first, byte[] second) {
        byte[] both = Arrays.copyOf(first, first.length + second.length);
        System.arraycopy(second, 0, both, first.length, second.length);
        return both;
    }

    private static void writeUint24(DataOutputStream out, int value) throws IOException {
        out.writeByte(value >>> 16);
        out.writeByte(value >>> 8);
        out.writeByte(value);
    }

    private static BigInteger serial() {
        return new BigInteger(64, RANDOM).add(BigInteger.ONE);
    }
}
