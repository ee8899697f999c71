package io.github.frozenimages.images.core.ref;

import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * An image platform (os, architecture, variant), normalised on construction the way
 * containerd's {@code platforms.Normalize} does, so that spellings of the same thing are equal:
 * {@code aarch64} is {@code arm64}, {@code arm64/v8} is {@code arm64}, {@code arm} is
 * {@code arm/v7}. OS version and OS features are not modelled; Linux images do not use them.
 */
public final class Platform {

  /** BuildKit marks attestation manifests in an index with this os and architecture. */
  private static final String UNKNOWN = "unknown";
  /** containerd's specifier component rule; it also keeps '/' out, so toString() stays parseable. */
  private static final Pattern COMPONENT = Pattern.compile("[A-Za-z0-9_.-]+");

  private final String os;
  private final String architecture;
  private final String variant;

  /** Takes already-normalised values; see {@link PlatformNormalizer}. */
  Platform(String os, String architecture, String variant) {
    this.os = os;
    this.architecture = architecture;
    this.variant = variant;
  }

  /** A platform from index or config fields; variant may be null or empty. */
  public static Platform of(String os, String architecture, String variant) {
    String problem = problemWith(os, architecture, variant);
    if (problem != null) {
      throw new InvalidPlatformException(
          "invalid platform " + QuotedInput.of(join(os, architecture, variant)) + ": " + problem);
    }
    return PlatformNormalizer.normalize(os, architecture, variant == null ? "" : variant);
  }

  /**
   * Parses a specifier as {@code docker --platform} takes it: {@code linux/arm64},
   * {@code linux/arm/v7}, an architecture alone ({@code arm64}, os linux) or an OS alone
   * ({@code linux}, this machine's architecture).
   */
  public static Platform parse(String specifier) {
    return PlatformSpecifier.parse(specifier);
  }

  /** Linux on this JVM's architecture: the images this machine most likely wants to run. */
  public static Platform host() {
    return HostArchitecture.platformFor(System.getProperty("os.arch"));
  }

  /**
   * The platform a build asks for through BuildKit's {@code TARGETARCH}/{@code TARGETVARIANT}, as
   * Moby's {@code download-frozen-image-v2.sh} honours them; without {@code TARGETARCH}, the host.
   * {@code TARGETVARIANT} alone is ignored: it only refines an architecture that was asked for.
   */
  public static Platform fromBuildEnvironment(Map<String, String> env) {
    Objects.requireNonNull(env, "env");
    String arch = env.get("TARGETARCH");
    if (arch == null || arch.isBlank()) {
      return host();
    }
    String variant = env.get("TARGETVARIANT");
    String trimmedVariant = variant == null ? "" : variant.trim();
    String problem = problemWith("linux", arch.trim(), trimmedVariant);
    if (problem != null) {
      throw new InvalidPlatformException("invalid platform from TARGETARCH=" + QuotedInput.of(arch)
          + " TARGETVARIANT=" + QuotedInput.of(variant) + ": " + problem);
    }
    return of("linux", arch.trim(), trimmedVariant);
  }

  /** What is wrong with these fields, or null when they are usable. */
  static String problemWith(String os, String architecture, String variant) {
    if (os == null || os.isEmpty()) {
      return "os is missing";
    }
    if (architecture == null || architecture.isEmpty()) {
      return "architecture is missing";
    }
    if (!COMPONENT.matcher(os).matches()) {
      return "os " + QuotedInput.of(os) + " may hold only letters, digits, '_', '.' and '-'";
    }
    if (!COMPONENT.matcher(architecture).matches()) {
      return "architecture " + QuotedInput.of(architecture)
          + " may hold only letters, digits, '_', '.' and '-'";
    }
    if (variant != null && !variant.isEmpty() && !COMPONENT.matcher(variant).matches()) {
      return "variant " + QuotedInput.of(variant) + " may hold only letters, digits, '_', '.' and '-'";
    }
    return null;
  }

  /** True when the text may be an os, architecture or variant (containerd's specifier rule). */
  static boolean isWellFormedComponent(String component) {
    return component != null && COMPONENT.matcher(component).matches();
  }

  private static String join(String os, String architecture, String variant) {
    String joined = os + "/" + architecture;
    return variant == null || variant.isEmpty() ? joined : joined + "/" + variant;
  }

  public String os() {
    return os;
  }

  public String architecture() {
    return architecture;
  }

  /** The variant, or "" when there is none. */
  public String variant() {
    return variant;
  }

  /** True for BuildKit attestation entries ({@code unknown/unknown}), which are not images. */
  public boolean isUnknown() {
    return UNKNOWN.equals(os) || UNKNOWN.equals(architecture);
  }

  @Override
  public boolean equals(Object o) {
    if (this == o) {
      return true;
    }
    if (!(o instanceof Platform)) {
      return false;
    }
    Platform other = (Platform) o;
    return os.equals(other.os) && architecture.equals(other.architecture) && variant.equals(other.variant);
  }

  @Override
  public int hashCode() {
    return Objects.hash(os, architecture, variant);
  }

  /** {@code linux/amd64}, {@code linux/arm/v7}: the specifier form, which parses back to this. */
  @Override
  public String toString() {
    return join(os, architecture, variant);
  }
}
