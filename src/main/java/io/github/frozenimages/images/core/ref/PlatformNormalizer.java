package io.github.frozenimages.images.core.ref;

import java.util.Locale;

/**
 * containerd's {@code platforms.Normalize}: maps the many spellings found in indexes, configs and
 * user input onto one, so that matching can be plain equality.
 */
final class PlatformNormalizer {

  private PlatformNormalizer() {}

  static Platform normalize(String os, String architecture, String variant) {
    String arch = architecture.toLowerCase(Locale.ROOT);
    String v = variant.toLowerCase(Locale.ROOT);
    switch (arch) {
      case "i386":
        return new Platform(os(os), "386", "");
      case "x86_64":
      case "x86-64":
      case "amd64":
        // v1 is the baseline every amd64 CPU meets, so it means the same as no variant.
        return new Platform(os(os), "amd64", v.equals("v1") ? "" : v);
      case "aarch64":
      case "arm64":
        return new Platform(os(os), "arm64", arm64Variant(v));
      case "armhf":
        return new Platform(os(os), "arm", "v7");
      case "armel":
        return new Platform(os(os), "arm", "v6");
      case "arm":
        return new Platform(os(os), "arm", armVariant(v));
      default:
        return new Platform(os(os), arch, v);
    }
  }

  static String os(String os) {
    String lower = os.toLowerCase(Locale.ROOT);
    return lower.equals("macos") ? "darwin" : lower;
  }

  /** v8 is the arm64 baseline, so it is written as no variant; v9 gets one canonical spelling. */
  private static String arm64Variant(String v) {
    switch (v) {
      case "8":
      case "v8":
      case "v8.0":
        return "";
      case "9":
      case "9.0":
      case "v9.0":
        return "v9";
      default:
        return v;
    }
  }

  /** Bare "arm" means v7: that is what Docker Hub's "arm" images and armhf distributions are. */
  private static String armVariant(String v) {
    switch (v) {
      case "":
      case "7":
        return "v7";
      case "5":
      case "6":
      case "8":
        return "v" + v;
      default:
        return v;
    }
  }
}
