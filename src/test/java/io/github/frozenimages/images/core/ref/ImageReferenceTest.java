package io.github.frozenimages.images.core.ref;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class ImageReferenceTest {

  private static final String SHA256 =
      "sha256:" + "0123456789abcdef".repeat(4);
  private static final String SHA512 =
      "sha512:" + "fedcba9876543210".repeat(8);
  private static final String HEX64 = "a1b2c3d4e5f60718".repeat(4);
  private static final String TAG128 = "t".repeat(128);
  private static final String PATH255 = "p".repeat(255);
  private static final String HUB = "registry-1.docker.io";

  /** input, registry, repository, tag, digest, name, familiarName, toString, registryHost. */
  static Stream<Arguments> validReferences() {
    return Stream.of(
        valid("hello-world", "docker.io", "library/hello-world", "latest", null,
            "hello-world", HUB),
        valid("alpine:3.20", "docker.io", "library/alpine", "3.20", null, "alpine", HUB),
        valid("alpine:3", "docker.io", "library/alpine", "3", null, "alpine", HUB),
        valid("library/alpine", "docker.io", "library/alpine", "latest", null, "alpine", HUB),
        valid("docker.io/alpine", "docker.io", "library/alpine", "latest", null, "alpine", HUB),
        valid("docker.io/library/alpine:latest", "docker.io", "library/alpine", "latest", null,
            "alpine", HUB),
        valid("index.docker.io/library/alpine", "docker.io", "library/alpine", "latest", null,
            "alpine", HUB),
        valid("index.docker.io/user/app", "docker.io", "user/app", "latest", null, "user/app", HUB),
        valid("user/app:1", "docker.io", "user/app", "1", null, "user/app", HUB),
        valid("docker.io/user/app:1", "docker.io", "user/app", "1", null, "user/app", HUB),
        valid("docker.io/library/a/b", "docker.io", "library/a/b", "latest", null,
            "library/a/b", HUB),
        valid("ghcr.io/org/app:1.2", "ghcr.io", "org/app", "1.2", null, "ghcr.io/org/app",
            "ghcr.io"),
        valid("localhost/app", "localhost", "app", "latest", null, "localhost/app", "localhost"),
        valid("localhost:5000/app:1", "localhost:5000", "app", "1", null, "localhost:5000/app",
            "localhost:5000"),
        valid("127.0.0.1:5000/a/b/c:tag", "127.0.0.1:5000", "a/b/c", "tag", null,
            "127.0.0.1:5000/a/b/c", "127.0.0.1:5000"),
        valid("[::1]:5000/app", "[::1]:5000", "app", "latest", null, "[::1]:5000/app",
            "[::1]:5000"),
        valid("[2001:db8::1]/team/app", "[2001:db8::1]", "team/app", "latest", null,
            "[2001:db8::1]/team/app", "[2001:db8::1]"),
        valid("Foo.com/bar", "Foo.com", "bar", "latest", null, "Foo.com/bar", "Foo.com"),
        valid("Foo/bar", "Foo", "bar", "latest", null, "Foo/bar", "Foo"),
        valid("a.b/c", "a.b", "c", "latest", null, "a.b/c", "a.b"),
        valid("registry.example.com:443/team/svc/api:v2.0.1-rc_1", "registry.example.com:443",
            "team/svc/api", "v2.0.1-rc_1", null, "registry.example.com:443/team/svc/api",
            "registry.example.com:443"),
        valid("foo:5000", "docker.io", "library/foo", "5000", null, "foo", HUB),
        valid("alpine:3.20@" + SHA256, "docker.io", "library/alpine", "3.20", SHA256, "alpine", HUB),
        valid("alpine@" + SHA256, "docker.io", "library/alpine", null, SHA256, "alpine", HUB),
        valid("ghcr.io/org/app@" + SHA512, "ghcr.io", "org/app", null, SHA512, "ghcr.io/org/app",
            "ghcr.io"),
        valid("ghcr.io/org/app:1.2@" + SHA512, "ghcr.io", "org/app", "1.2", SHA512,
            "ghcr.io/org/app", "ghcr.io"),
        valid("alpine:" + TAG128, "docker.io", "library/alpine", TAG128, null, "alpine", HUB),
        valid("alpine:_x", "docker.io", "library/alpine", "_x", null, "alpine", HUB),
        valid("alpine:LATEST", "docker.io", "library/alpine", "LATEST", null, "alpine", HUB),
        valid("a__b", "docker.io", "library/a__b", "latest", null, "a__b", HUB),
        valid("a---b", "docker.io", "library/a---b", "latest", null, "a---b", HUB),
        valid("xy_z-w/a.b", "docker.io", "xy_z-w/a.b", "latest", null, "xy_z-w/a.b", HUB),
        valid("docker.io/" + HEX64, "docker.io", "library/" + HEX64, "latest", null, HEX64, HUB),
        valid("ghcr.io/" + PATH255, "ghcr.io", PATH255, "latest", null, "ghcr.io/" + PATH255,
            "ghcr.io"));
  }

  /** input, a piece of the reason the message must contain. */
  static Stream<Arguments> invalidReferences() {
    return Stream.of(
        Arguments.of("Alpine", "repository name must be lowercase"),
        Arguments.of("Alpine:3", "repository name must be lowercase"),
        Arguments.of("ghcr.io/Org/app", "repository name must be lowercase"),
        Arguments.of(HEX64, "image ID"),
        Arguments.of("a//b", "empty path component"),
        Arguments.of("alpine/", "must not end with '/'"),
        Arguments.of("/alpine", "must not start with '/'"),
        Arguments.of("", "reference is empty"),
        Arguments.of(" ", "whitespace"),
        Arguments.of(" alpine", "whitespace"),
        Arguments.of("alpine ", "whitespace"),
        Arguments.of("alpine:", "nothing after ':'"),
        Arguments.of("alpine@", "nothing after '@'"),
        Arguments.of("alpine:1@", "nothing after '@'"),
        Arguments.of(":tag", "repository name is empty"),
        Arguments.of("@" + SHA256, "repository name is empty"),
        Arguments.of("alpine@sha384:" + "ab".repeat(48), "unsupported algorithm"),
        Arguments.of("alpine@sha256:" + HEX64.toUpperCase(), "hex digits must be lowercase"),
        Arguments.of("alpine@sha256:" + "ab".repeat(16), "sha256 needs 64 hex digits, got 32"),
        Arguments.of("alpine@sha256:" + HEX64 + "0", "sha256 needs 64 hex digits, got 65"),
        Arguments.of("alpine@sha512:" + HEX64, "sha512 needs 128 hex digits, got 64"),
        Arguments.of("alpine@sha256", "expected <algorithm>:<hex>"),
        Arguments.of("alpine@" + SHA256 + "@" + SHA256, "the part after ':' must be hex digits"),
        Arguments.of("alpine:" + TAG128 + "x", "tag is 129 characters long, the limit is 128"),
        Arguments.of("alpine:-x", "tag \"-x\" is invalid"),
        Arguments.of("alpine:.x", "tag \".x\" is invalid"),
        Arguments.of("alpine:a!b", "tag \"a!b\" is invalid"),
        Arguments.of("a_-b", "path component \"a_-b\" is invalid"),
        Arguments.of("a..b", "path component \"a..b\" is invalid"),
        Arguments.of("a/../b", "path component \"..\" is invalid"),
        Arguments.of("a-/b", "path component \"a-\" is invalid"),
        Arguments.of("ghcr.io/_app", "path component \"_app\" is invalid"),
        Arguments.of("ghcr.io/" + PATH255 + "p", "repository path is 256 characters long, the limit is 255"),
        Arguments.of("user/" + "q".repeat(251), "repository path is 256 characters long"),
        Arguments.of("localhost:/app", "registry \"localhost:\" is not a valid host[:port]"),
        Arguments.of("-foo.com/app", "registry \"-foo.com\" is not a valid host[:port]"),
        Arguments.of("foo.com:port/app", "registry \"foo.com:port\" is not a valid host[:port]"),
        Arguments.of("[::1/app", "is not a valid host[:port]"),
        // Has a '.', so it is a registry, and '_' has no place in a host name.
        Arguments.of("x.y_z/a", "registry \"x.y_z\" is not a valid host[:port]"),
        Arguments.of("Foo_Bar/x", "registry \"Foo_Bar\" is not a valid host[:port]"),
        Arguments.of("caf\u00e9", "path component"));
  }

  @ParameterizedTest(name = "[{index}] {0}")
  @MethodSource("validReferences")
  void parsesValidReference(String input, String registry, String repository, String tag, String digest,
      String name, String familiarName, String string, String registryHost) {
    ImageReference ref = ImageReference.parse(input);
    assertAll(
        () -> assertEquals(registry, ref.registry(), "registry"),
        () -> assertEquals(repository, ref.repository(), "repository"),
        () -> assertEquals(Optional.ofNullable(tag), ref.tag(), "tag"),
        () -> assertEquals(Optional.ofNullable(digest), ref.digest().map(Digest::toString), "digest"),
        () -> assertEquals(name, ref.name(), "name"),
        () -> assertEquals(familiarName, ref.familiarName(), "familiarName"),
        () -> assertEquals(string, ref.toString(), "toString"),
        () -> assertEquals(registryHost, ref.registryHost(), "registryHost"));
  }

  @ParameterizedTest(name = "[{index}] {0}")
  @MethodSource("validReferences")
  void canonicalFormParsesBackToTheSameReference(String input) {
    ImageReference ref = ImageReference.parse(input);
    assertEquals(ref, ImageReference.parse(ref.toString()));
    assertEquals(ref, ImageReference.parse(ref.familiarString()));
  }

  @ParameterizedTest(name = "[{index}] {0}")
  @MethodSource("invalidReferences")
  void rejectsInvalidReference(String input, String reason) {
    InvalidReferenceException e =
        assertThrows(InvalidReferenceException.class, () -> ImageReference.parse(input));
    assertTrue(e.getMessage().startsWith("invalid image reference \"" + input + "\": "), e.getMessage());
    assertTrue(e.getMessage().contains(reason), e.getMessage());
  }

  @Test
  void rejectsNull() {
    InvalidReferenceException e =
        assertThrows(InvalidReferenceException.class, () -> ImageReference.parse(null));
    assertEquals("invalid image reference: null", e.getMessage());
  }

  @Test
  void messageEscapesControlCharactersSoTheyCannotForgeLogLines() {
    InvalidReferenceException e =
        assertThrows(InvalidReferenceException.class, () -> ImageReference.parse("alpine\nINFO fake"));
    assertEquals("invalid image reference \"alpine\\nINFO fake\": "
        + "must not contain whitespace or control characters", e.getMessage());
  }

  @Test
  void lowercaseMessageMatchesTheDocumentedExample() {
    InvalidReferenceException e =
        assertThrows(InvalidReferenceException.class, () -> ImageReference.parse("Alpine:3"));
    assertEquals("invalid image reference \"Alpine:3\": repository name must be lowercase", e.getMessage());
  }

  @Test
  void digestWinsOverTagForTheManifestRequest() {
    assertEquals(SHA256, ImageReference.parse("alpine:3.20@" + SHA256).manifestReference());
    assertEquals(SHA256, ImageReference.parse("alpine@" + SHA256).manifestReference());
    assertEquals("3.20", ImageReference.parse("alpine:3.20").manifestReference());
    assertEquals("latest", ImageReference.parse("alpine").manifestReference());
  }

  @Test
  void familiarStringKeepsTagAndDigest() {
    assertEquals("alpine:3.20@" + SHA256, ImageReference.parse("docker.io/library/alpine:3.20@" + SHA256)
        .familiarString());
    assertEquals("user/app:1", ImageReference.parse("docker.io/user/app:1").familiarString());
    assertEquals("localhost:5000/app:latest", ImageReference.parse("localhost:5000/app").familiarString());
    assertEquals("ghcr.io/org/app@" + SHA512, ImageReference.parse("ghcr.io/org/app@" + SHA512).familiarString());
  }

  @Test
  void withDigestKeepsNameAndTag() {
    ImageReference tagged = ImageReference.parse("ghcr.io/org/app:1.2");
    Digest digest = Digest.parse(SHA256);
    ImageReference pinned = tagged.withDigest(digest);
    assertEquals("ghcr.io/org/app:1.2@" + SHA256, pinned.toString());
    assertEquals(SHA256, pinned.manifestReference());
    assertEquals("ghcr.io/org/app:1.2", tagged.toString(), "the original must not change");

    ImageReference repinned = ImageReference.parse("alpine@" + SHA512).withDigest(digest);
    assertEquals("docker.io/library/alpine@" + SHA256, repinned.toString());
    assertFalse(repinned.tag().isPresent());
    assertThrows(NullPointerException.class, () -> tagged.withDigest(null));
  }

  @Test
  void equalityFollowsTheNormalisedForm() {
    assertEquals(ImageReference.parse("alpine"), ImageReference.parse("index.docker.io/library/alpine:latest"));
    assertEquals(ImageReference.parse("alpine").hashCode(), ImageReference.parse("docker.io/alpine").hashCode());
    assertNotEquals(ImageReference.parse("alpine"), ImageReference.parse("alpine:3"));
    assertNotEquals(ImageReference.parse("alpine:3"), ImageReference.parse("alpine:3@" + SHA256));
  }

  private static Arguments valid(String input, String registry, String repository, String tag, String digest,
      String familiarName, String registryHost) {
    String name = registry + "/" + repository;
    String string = name + (tag == null ? "" : ":" + tag) + (digest == null ? "" : "@" + digest);
    return Arguments.of(input, registry, repository, tag, digest, name, familiarName, string, registryHost);
  }
}
