package io.github.frozenimages.images.core.ref;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PlatformTest {

  @ParameterizedTest(name = "[{index}] {0}/{1}/{2} -> {3}/{4}/{5}")
  @CsvSource({
      // os, arch, variant (in)         os, arch, variant (normalised)
      "linux,   amd64,   ,              linux,  amd64, ''",
      "linux,   x86_64,  ,              linux,  amd64, ''",
      "linux,   x86-64,  v1,            linux,  amd64, ''",
      "linux,   amd64,   v1,            linux,  amd64, ''",
      "linux,   amd64,   v3,            linux,  amd64, v3",
      "linux,   AMD64,   V2,            linux,  amd64, v2",
      "linux,   i386,    ,              linux,  386,   ''",
      "linux,   386,     ,              linux,  386,   ''",
      "linux,   aarch64, ,              linux,  arm64, ''",
      "linux,   arm64,   v8,            linux,  arm64, ''",
      "linux,   arm64,   8,             linux,  arm64, ''",
      "linux,   arm64,   v8.0,          linux,  arm64, ''",
      "linux,   aarch64, v8.2,          linux,  arm64, v8.2",
      "linux,   arm64,   9,             linux,  arm64, v9",
      "linux,   arm64,   v9.0,          linux,  arm64, v9",
      "linux,   arm64,   v9,            linux,  arm64, v9",
      "linux,   armhf,   ,              linux,  arm,   v7",
      "linux,   armel,   ,              linux,  arm,   v6",
      "linux,   arm,     ,              linux,  arm,   v7",
      "linux,   arm,     7,             linux,  arm,   v7",
      "linux,   arm,     5,             linux,  arm,   v5",
      "linux,   arm,     6,             linux,  arm,   v6",
      "linux,   arm,     8,             linux,  arm,   v8",
      "linux,   arm,     v6,            linux,  arm,   v6",
      "Linux,   ppc64le, ,              linux,  ppc64le, ''",
      "macos,   arm64,   ,              darwin, arm64, ''",
      "MacOS,   x86_64,  ,              darwin, amd64, ''",
      "windows, amd64,   ,              windows, amd64, ''",
      "unknown, unknown, ,              unknown, unknown, ''",
      "linux,   riscv64, rva20u64,      linux,  riscv64, rva20u64",
  })
  void normalisesLikeContainerd(String os, String arch, String variant,
      String wantOs, String wantArch, String wantVariant) {
    Platform platform = Platform.of(os, arch, variant);
    assertEquals(wantOs, platform.os(), "os");
    assertEquals(wantArch, platform.architecture(), "architecture");
    assertEquals(wantVariant, platform.variant(), "variant");
    assertEquals(platform, Platform.of(wantOs, wantArch, wantVariant), "normalising is idempotent");
  }

  @ParameterizedTest(name = "[{index}] {0}")
  @CsvSource({
      "linux/amd64,        linux/amd64",
      "linux/arm64,        linux/arm64",
      "linux/arm64/v8,     linux/arm64",
      "linux/aarch64/v8.1, linux/arm64/v8.1",
      "linux/arm/v7,       linux/arm/v7",
      "linux/arm,          linux/arm/v7",
      "linux/armhf,        linux/arm/v7",
      "linux/arm/v6,       linux/arm/v6",
      "linux/x86_64/v1,    linux/amd64",
      "linux/amd64/v3,     linux/amd64/v3",
      "arm64,              linux/arm64",
      "aarch64,            linux/arm64",
      "amd64,              linux/amd64",
      "x86_64,             linux/amd64",
      "i386,               linux/386",
      "arm,                linux/arm/v7",
      "armel,              linux/arm/v6",
      "s390x,              linux/s390x",
      "windows/amd64,      windows/amd64",
      "Linux/AMD64,        linux/amd64",
      "linux/foo,          linux/foo",
  })
  void parsesSpecifiers(String specifier, String expected) {
    Platform platform = Platform.parse(specifier);
    assertEquals(expected, platform.toString());
    assertEquals(platform, Platform.parse(platform.toString()), "toString parses back");
  }

  @ParameterizedTest(name = "[{index}] {0}")
  @CsvSource({"linux, linux", "Linux, linux", "darwin, darwin", "macos, darwin", "windows, windows"})
  void osAloneTakesTheHostArchitecture(String specifier, String os) {
    Platform platform = Platform.parse(specifier);
    assertEquals(os, platform.os());
    assertEquals(Platform.host().architecture(), platform.architecture());
    assertEquals(Platform.host().variant(), platform.variant());
  }

  @ParameterizedTest(name = "[{index}] \"{0}\"")
  @CsvSource(delimiter = '|', value = {
      "''                    | platform is empty",
      "linux/                | has an empty component",
      "/amd64                | has an empty component",
      "linux//v7             | has an empty component",
      "linux/arm/v7/extra    | expected <os>, <arch>, <os>/<arch> or <os>/<arch>/<variant>",
      "linux/*               | wildcards are not supported",
      "foo                   | unknown operating system or architecture",
      "'linux/amd 64'        | component \"amd 64\" may hold only letters",
      "' linux/amd64'        | component \" linux\" may hold only letters",
      "windows(10.0)/amd64   | component \"windows(10.0)\" may hold only letters",
  })
  void rejectsBadSpecifiers(String specifier, String reason) {
    InvalidPlatformException e = assertThrows(InvalidPlatformException.class, () -> Platform.parse(specifier));
    assertTrue(e.getMessage().startsWith("invalid platform \"" + specifier + "\": "), e.getMessage());
    assertTrue(e.getMessage().contains(reason), e.getMessage());
  }

  @Test
  void rejectsNullSpecifier() {
    assertEquals("invalid platform: null",
        assertThrows(InvalidPlatformException.class, () -> Platform.parse(null)).getMessage());
  }

  @ParameterizedTest(name = "[{index}] {0}/{1}/{2}")
  @CsvSource(delimiter = '|', value = {
      "       | amd64 |    | os is missing",
      "linux  |       |    | architecture is missing",
      "linux  | ''    |    | architecture is missing",
      "linux  | a/b   |    | architecture \"a/b\" may hold only",
      "lin ux | amd64 |    | os \"lin ux\" may hold only",
      "linux  | arm   | v/7| variant \"v/7\" may hold only",
  })
  void ofRejectsMissingOrMalformedFields(String os, String arch, String variant, String reason) {
    InvalidPlatformException e = assertThrows(InvalidPlatformException.class, () -> Platform.of(os, arch, variant));
    assertTrue(e.getMessage().startsWith("invalid platform \""), e.getMessage());
    assertTrue(e.getMessage().contains(reason), e.getMessage());
  }

  @Test
  void nullAndEmptyVariantAreTheSame() {
    assertEquals(Platform.of("linux", "amd64", null), Platform.of("linux", "amd64", ""));
    assertEquals("", Platform.of("linux", "amd64", null).variant());
    assertEquals(Platform.of("linux", "amd64", null).hashCode(), Platform.of("linux", "x86_64", "v1").hashCode());
    assertNotEquals(Platform.of("linux", "arm", "v6"), Platform.of("linux", "arm", "v7"));
    assertNotEquals(Platform.of("linux", "arm64", ""), Platform.of("darwin", "arm64", ""));
  }

  @Test
  void unknownMarksAttestationEntries() {
    assertTrue(Platform.of("unknown", "unknown", "").isUnknown());
    assertTrue(Platform.of("linux", "unknown", "").isUnknown());
    assertTrue(Platform.of("unknown", "amd64", "").isUnknown());
    assertFalse(Platform.of("linux", "amd64", "").isUnknown());
  }

  @ParameterizedTest(name = "[{index}] {0}")
  @CsvSource({
      "amd64,        linux/amd64",
      "x86_64,       linux/amd64",
      "x86,          linux/386",
      "i686,         linux/386",
      "aarch64,      linux/arm64",
      "arm,          linux/arm/v7",
      "armv6l,       linux/arm/v6",
      "ppc64le,      linux/ppc64le",
      "s390x,        linux/s390x",
      "riscv64,      linux/riscv64",
      "loongarch64,  linux/loong64",
      "mips64el,     linux/mips64le",
      "'',           linux/unknown",
      "'weird arch', linux/unknown",
  })
  void hostArchitectureMapsJavaNamesToOciNames(String osArch, String expected) {
    assertEquals(expected, HostArchitecture.platformFor(osArch).toString());
  }

  @Test
  void hostIsLinuxOnThisJvmsArchitecture() {
    Platform host = Platform.host();
    assertEquals("linux", host.os());
    assertEquals(HostArchitecture.platformFor(System.getProperty("os.arch")), host);
  }
}
