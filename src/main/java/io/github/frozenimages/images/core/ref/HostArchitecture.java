package io.github.frozenimages.images.core.ref;

import java.util.Locale;

/**
 * Translates Java's {@code os.arch} into the Go/OCI architecture names that image indexes use.
 *
 * <p>Java cannot see the ARM revision (containerd reads /proc/cpuinfo), so plain "arm" is taken
 * as v7, the revision practically every 32-bit ARM Linux distribution targets today.
 *
 * <p>Only the names Java uses and containerd does not are listed here; the rest ({@code x86_64},
 * {@code aarch64}, {@code armhf}, bare {@code arm}...) go through {@link PlatformNormalizer} like
 * any index entry, so there is one table of aliases, not two.
 */
final class HostArchitecture {

  private HostArchitecture() {}

  static Platform platformFor(String osArch) {
    if (osArch == null || osArch.isBlank()) {
      return Platform.of("linux", "unknown", "");
    }
    String arch = osArch.trim().toLowerCase(Locale.ROOT);
    switch (arch) {
      case "x64":
      case "em64t":
        return Platform.of("linux", "amd64", "");
      case "x86":
      case "i486":
      case "i586":
      case "i686":
        return Platform.of("linux", "386", "");
      case "arm32":
      case "armv7":
      case "armv7l":
        return Platform.of("linux", "arm", "v7");
      case "armv6":
      case "armv6l":
        return Platform.of("linux", "arm", "v6");
      case "armv5":
      case "armv5l":
      case "armv5tel":
        return Platform.of("linux", "arm", "v5");
      case "loongarch64":
        return Platform.of("linux", "loong64", "");
      case "mipsel":
        return Platform.of("linux", "mipsle", "");
      case "mips64el":
        return Platform.of("linux", "mips64le", "");
      case "sparcv9":
        return Platform.of("linux", "sparc64", "");
      default:
        // ppc64le, s390x, riscv64 and friends already use the Go names. Anything unreadable
        // becomes "unknown", which matches no image, so the pull fails naming it.
        return Platform.of("linux", Platform.isWellFormedComponent(arch) ? arch : "unknown", "");
    }
  }
}
