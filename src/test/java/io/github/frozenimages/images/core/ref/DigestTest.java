package io.github.frozenimages.images.core.ref;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

class DigestTest {

  /** sha256 and sha512 of "" and "abc", from FIPS 180-2 test vectors. */
  private static final String SHA256_EMPTY =
      "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
  private static final String SHA256_ABC =
      "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
  private static final String SHA512_ABC =
      "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a"
          + "2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f";

  @ParameterizedTest(name = "[{index}] {0}:{1}")
  @CsvSource({
      "sha256, " + SHA256_EMPTY + ", e3b0c44298fc",
      "sha256, " + SHA256_ABC + ", ba7816bf8f01",
      "sha512, " + SHA512_ABC + ", ddaf35a19361",
  })
  void parsesStrictDigests(String algorithm, String hex, String shortHex) {
    Digest digest = Digest.parse(algorithm + ":" + hex);
    assertEquals(algorithm, digest.algorithm());
    assertEquals(hex, digest.hex());
    assertEquals(algorithm + ":" + hex, digest.toString());
    assertEquals(shortHex, digest.shortHex());
  }

  /** input, a piece of the reason the message must contain. */
  static Stream<Arguments> invalidDigests() {
    return Stream.of(
        Arguments.of("", "expected <algorithm>:<hex>"),
        Arguments.of("sha256", "expected <algorithm>:<hex>"),
        Arguments.of(SHA256_ABC, "expected <algorithm>:<hex>"),
        Arguments.of("sha256:", "sha256 needs 64 hex digits, got 0"),
        Arguments.of("sha256:" + SHA256_ABC.substring(1), "sha256 needs 64 hex digits, got 63"),
        Arguments.of("sha256:" + SHA256_ABC + "0", "sha256 needs 64 hex digits, got 65"),
        Arguments.of("sha512:" + SHA256_ABC, "sha512 needs 128 hex digits, got 64"),
        Arguments.of("sha256:" + SHA256_ABC.toUpperCase(), "hex digits must be lowercase"),
        Arguments.of("sha256:" + SHA256_ABC.substring(1) + "G", "must be hex digits"),
        Arguments.of("sha384:" + "ab".repeat(48), "unsupported algorithm \"sha384\""),
        Arguments.of("md5:d41d8cd98f00b204e9800998ecf8427e", "unsupported algorithm \"md5\""),
        Arguments.of("SHA256:" + SHA256_ABC, "unsupported algorithm \"SHA256\""),
        Arguments.of("sha256+b64:" + SHA256_ABC, "unsupported algorithm \"sha256+b64\""),
        Arguments.of("blake3:" + SHA256_ABC, "unsupported algorithm \"blake3\""),
        Arguments.of(" sha256:" + SHA256_ABC, "unsupported algorithm \" sha256\""),
        Arguments.of("sha256:../../../../tmp/pwn", "must be hex digits"),
        Arguments.of("sha256:..%2f..%2fx", "must be hex digits"),
        Arguments.of("sha256:" + SHA256_ABC + " ", "must be hex digits"));
  }

  @ParameterizedTest(name = "[{index}] {0}")
  @MethodSource("invalidDigests")
  void rejectsAnythingButStrictSha256AndSha512(String input, String reason) {
    InvalidReferenceException e = assertThrows(InvalidReferenceException.class, () -> Digest.parse(input));
    assertTrue(e.getMessage().startsWith("invalid digest \"" + input + "\": "), e.getMessage());
    assertTrue(e.getMessage().contains(reason), e.getMessage());
  }

  @Test
  void rejectsNullAndEscapesControlCharacters() {
    assertEquals("invalid digest null: digest is missing",
        assertThrows(InvalidReferenceException.class, () -> Digest.parse(null)).getMessage());
    String withNewline = "sha256:" + SHA256_ABC.substring(1) + "\n";
    assertEquals("invalid digest \"sha256:" + SHA256_ABC.substring(1) + "\\n\": the part after ':' must be hex"
            + " digits [a-f0-9]",
        assertThrows(InvalidReferenceException.class, () -> Digest.parse(withNewline)).getMessage());
    assertTrue(assertThrows(InvalidReferenceException.class, () -> Digest.parse("sha256:\0"))
        .getMessage().contains("\\u0000"));
  }

  @Test
  void hugeInputIsCutInTheMessage() {
    String huge = "sha256:" + "a".repeat(100_000);
    String message = assertThrows(InvalidReferenceException.class, () -> Digest.parse(huge)).getMessage();
    assertTrue(message.length() < 2_000, "message length " + message.length());
    assertTrue(message.contains("(100007 characters)"), message);
  }

  @Test
  void sha256HashesContent() {
    assertEquals("sha256:" + SHA256_EMPTY, Digest.sha256(new byte[0]).toString());
    assertEquals("sha256:" + SHA256_ABC, Digest.sha256("abc".getBytes(StandardCharsets.US_ASCII)).toString());
  }

  @Test
  void ofWrapsRawHashBytes() {
    Digest digest = Digest.of(Digest.SHA512, HexFormat.of().parseHex(SHA512_ABC));
    assertEquals(Digest.parse("sha512:" + SHA512_ABC), digest);
    assertEquals("sha256:" + SHA256_ABC, Digest.of(Digest.SHA256, HexFormat.of().parseHex(SHA256_ABC)).toString());
  }

  @Test
  void ofRejectsWrongLengthAndUnknownAlgorithm() {
    byte[] sha256Bytes = HexFormat.of().parseHex(SHA256_ABC);
    assertEquals("a sha512 hash has 64 bytes, got 32",
        assertThrows(InvalidReferenceException.class, () -> Digest.of(Digest.SHA512, sha256Bytes)).getMessage());
    assertTrue(assertThrows(InvalidReferenceException.class, () -> Digest.of("md5", new byte[16]))
        .getMessage().contains("\"md5\""));
  }

  @Test
  void newMessageDigestMatchesTheAlgorithm() {
    byte[] abc = "abc".getBytes(StandardCharsets.US_ASCII);
    Digest sha256 = Digest.parse("sha256:" + SHA256_ABC);
    Digest sha512 = Digest.parse("sha512:" + SHA512_ABC);
    assertArrayEquals(HexFormat.of().parseHex(SHA256_ABC), sha256.newMessageDigest().digest(abc));
    assertArrayEquals(HexFormat.of().parseHex(SHA512_ABC), sha512.newMessageDigest().digest(abc));
    assertNotEquals(sha256.newMessageDigest(), sha256.newMessageDigest(), "a fresh hasher each time");
  }

  @Test
  void equalityIsOnAlgorithmAndHex() {
    Digest a = Digest.parse("sha256:" + SHA256_ABC);
    assertEquals(a, Digest.parse("sha256:" + SHA256_ABC));
    assertEquals(a.hashCode(), Digest.parse("sha256:" + SHA256_ABC).hashCode());
    assertNotEquals(a, Digest.parse("sha256:" + SHA256_EMPTY));
    assertNotEquals(Digest.parse("sha512:" + SHA256_ABC + SHA256_ABC),
        Digest.parse("sha256:" + SHA256_ABC));
  }
}
