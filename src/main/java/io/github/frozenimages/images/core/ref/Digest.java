package io.github.frozenimages.images.core.ref;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Objects;

/**
 * A content digest, {@code <algorithm>:<lowercase hex>}, as used to address blobs and manifests.
 *
 * <p>Parsing is deliberately stricter than the OCI grammar: only sha256 and sha512 with exactly
 * 64 or 128 lowercase hex digits are accepted. A digest ends up in request URLs and file names,
 * so one we cannot verify, or one carrying {@code ../}, must be refused before anything is built
 * from it (CVE-2024-3727, CVE-2021-21285). Uppercase hex is refused rather than lowercased,
 * because silently fixing it would hide a registry or manifest that is not what it claims.
 */
public final class Digest {

  public static final String SHA256 = "sha256";
  public static final String SHA512 = "sha512";

  private static final HexFormat HEX = HexFormat.of();

  private final String algorithm;
  private final String hex;

  private Digest(String algorithm, String hex) {
    this.algorithm = algorithm;
    this.hex = hex;
  }

  /** Parses {@code sha256:<64 hex>} or {@code sha512:<128 hex>}; anything else is rejected. */
  public static Digest parse(String s) {
    String problem = problemWith(s);
    if (problem != null) {
      throw new InvalidReferenceException("invalid digest " + QuotedInput.of(s) + ": " + problem);
    }
    int colon = s.indexOf(':');
    return new Digest(s.substring(0, colon), s.substring(colon + 1));
  }

  /** Wraps raw hash bytes, e.g. the result of {@link #newMessageDigest()}. */
  public static Digest of(String algorithm, byte[] hash) {
    Objects.requireNonNull(hash, "hash");
    int hexLength = hexLength(algorithm);
    if (hexLength < 0) {
      throw new InvalidReferenceException(
          "unsupported digest algorithm " + QuotedInput.of(algorithm) + ": only sha256 and sha512 are accepted");
    }
    if (hash.length * 2 != hexLength) {
      throw new InvalidReferenceException(
          "a " + algorithm + " hash has " + hexLength / 2 + " bytes, got " + hash.length);
    }
    return new Digest(algorithm, HEX.formatHex(hash));
  }

  /** The sha256 digest of the given bytes. */
  public static Digest sha256(byte[] content) {
    Objects.requireNonNull(content, "content");
    return of(SHA256, messageDigest(SHA256).digest(content));
  }

  /**
   * Says what is wrong with a would-be digest, or returns null when it is fine. Shared with the
   * reference parser so both report the same reason in their own framing.
   */
  static String problemWith(String s) {
    if (s == null) {
      return "digest is missing";
    }
    int colon = s.indexOf(':');
    if (colon < 0) {
      return "expected <algorithm>:<hex>, e.g. sha256:<64 hex digits>";
    }
    String algorithm = s.substring(0, colon);
    String encoded = s.substring(colon + 1);
    int expected = hexLength(algorithm);
    if (expected < 0) {
      return "unsupported algorithm " + QuotedInput.of(algorithm) + ", only sha256 and sha512 are accepted";
    }
    for (int i = 0; i < encoded.length(); i++) {
      char c = encoded.charAt(i);
      if (c >= 'A' && c <= 'F') {
        return "hex digits must be lowercase";
      }
      if (!(c >= '0' && c <= '9') && !(c >= 'a' && c <= 'f')) {
        return "the part after ':' must be hex digits [a-f0-9]";
      }
    }
    if (encoded.length() != expected) {
      return algorithm + " needs " + expected + " hex digits, got " + encoded.length();
    }
    return null;
  }

  private static int hexLength(String algorithm) {
    if (SHA256.equals(algorithm)) {
      return 64;
    }
    if (SHA512.equals(algorithm)) {
      return 128;
    }
    return -1;
  }

  /** A fresh SHA-256 hasher, for content whose digest is computed rather than checked. */
  public static MessageDigest sha256Hasher() {
    return messageDigest(SHA256);
  }

  private static MessageDigest messageDigest(String algorithm) {
    String javaName = SHA256.equals(algorithm) ? "SHA-256" : "SHA-512";
    try {
      return MessageDigest.getInstance(javaName);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(javaName + " is not available in this JVM", e);
    }
  }

  public String algorithm() {
    return algorithm;
  }

  public String hex() {
    return hex;
  }

  /** A fresh hasher for this digest's algorithm, to verify content while it streams. */
  public MessageDigest newMessageDigest() {
    return messageDigest(algorithm);
  }

  /** The first 12 hex digits: enough to tell blobs apart in a log line, short enough to read. */
  public String shortHex() {
    return hex.substring(0, 12);
  }

  @Override
  public boolean equals(Object o) {
    if (this == o) {
      return true;
    }
    if (!(o instanceof Digest)) {
      return false;
    }
    Digest other = (Digest) o;
    return algorithm.equals(other.algorithm) && hex.equals(other.hex);
  }

  @Override
  public int hashCode() {
    return algorithm.hashCode() * 31 + hex.hashCode();
  }

  @Override
  public String toString() {
    return algorithm + ":" + hex;
  }
}
