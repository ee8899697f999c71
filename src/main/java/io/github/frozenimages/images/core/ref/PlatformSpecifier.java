package io.github.frozenimages.images.core.ref;

import java.util.Set;

/**
 * Parses containerd platform specifiers: {@code <os>|<arch>|<os>/<arch>[/<variant>]}.
 *
 * <p>A single word is ambiguous, so, like containerd, it is only accepted when it names a known
 * OS or a known architecture; "linux/foo" is accepted as written because both parts are explicit.
 */
final class PlatformSpecifier {

  /** Go's GOOS list, as containerd's {@code isKnownOS}. */
  private static final Set<String> KNOWN_OS = Set.of(
      "aix", "android", "darwin", "dragonfly", "freebsd", "hurd", "illumos", "ios", "js", "linux",
      "nacl", "netbsd", "openbsd", "plan9", "solaris", "windows", "zos");

  /** Go's GOARCH list, as containerd's {@code isKnownArch} (checked after normalisation). */
  private static final Set<String> KNOWN_ARCH = Set.of(
      "386", "amd64", "amd64p32", "arm", "armbe", "arm64", "arm64be", "ppc64", "ppc64le", "loong64",
      "mips", "mipsle", "mips64", "mips64le", "mips64p32", "mips64p32le", "ppc", "riscv", "riscv64",
      "s390", "s390x", "sparc", "sparc64", "wasm");

  /** OS given alone, or architecture given alone: images for this tool are Linux images. */
  private static final String DEFAULT_OS = "linux";

  private PlatformSpecifier() {}

  static Platform parse(String specifier) {
    if (specifier == null) {
      throw new InvalidPlatformException("invalid platform: null");
    }
    if (specifier.isEmpty()) {
      throw invalid(specifier, "platform is empty");
    }
    if (specifier.indexOf('*') >= 0) {
      throw invalid(specifier, "wildcards are not supported");
    }
    String[] parts = specifier.split("/", -1);
    if (parts.length > 3) {
      throw invalid(specifier, "expected <os>, <arch>, <os>/<arch> or <os>/<arch>/<variant>");
    }
    for (String part : parts) {
      if (part.isEmpty()) {
        throw invalid(specifier, "has an empty component");
      }
      if (!Platform.isWellFormedComponent(part)) {
        throw invalid(specifier, "component " + QuotedInput.of(part)
            + " may hold only letters, digits, '_', '.' and '-'");
      }
    }
    switch (parts.length) {
      case 1:
        return single(specifier, parts[0]);
      case 2:
        return Platform.of(parts[0], parts[1], "");
      default:
        return Platform.of(parts[0], parts[1], parts[2]);
    }
  }

  private static Platform single(String specifier, String word) {
    if (KNOWN_OS.contains(PlatformNormalizer.os(word))) {
      Platform host = Platform.host();
      return Platform.of(word, host.architecture(), host.variant());
    }
    Platform archOnly = Platform.of(DEFAULT_OS, word, "");
    if (KNOWN_ARCH.contains(archOnly.architecture())) {
      return archOnly;
    }
    throw invalid(specifier, "unknown operating system or architecture");
  }

  private static InvalidPlatformException invalid(String specifier, String reason) {
    return new InvalidPlatformException("invalid platform " + QuotedInput.of(specifier) + ": " + reason);
  }
}
