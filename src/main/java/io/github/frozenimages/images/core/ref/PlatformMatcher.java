package io.github.frozenimages.images.core.ref;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Chooses among the platforms of an image index the way containerd's {@code platforms.Only}
 * does: the wanted platform first, then the older platforms its CPU can also run, best first.
 *
 * <p>Fallbacks: amd64/vN takes vN-1 down to v1, then 386; arm/vN takes vN-1 down to v5; arm64
 * takes older arm64 revisions, then 32-bit arm/v8 down to v5 (arm64/v9.x also takes
 * v8.(x+5) and below, since v9.0 branched from v8.5). Variants we cannot read get no variant
 * fallbacks: we cannot know what they are compatible with.
 */
public final class PlatformMatcher {

  /** arm64 revisions have a minor ("v8.2"); arm and amd64 ones do not. */
  private static final Pattern VERSION = Pattern.compile("v([0-9]{1,2})(?:\\.([0-9]{1,2}))?");
  private static final Pattern MAJOR_ONLY = Pattern.compile("v([0-9]{1,2})");

  /** Preference order; an entry's index is its rank. */
  private final List<Platform> preferred;

  private PlatformMatcher(List<Platform> preferred) {
    this.preferred = List.copyOf(preferred);
  }

  /** Matches the wanted platform and, ranked behind it, what it can fall back to. */
  public static PlatformMatcher only(Platform wanted) {
    Objects.requireNonNull(wanted, "wanted");
    List<Platform> order = new ArrayList<>();
    add(order, wanted);
    String os = wanted.os();
    String variant = wanted.variant();
    switch (wanted.architecture()) {
      case "amd64":
        addOlder(order, os, "amd64", variant, 1);
        add(order, Platform.of(os, "386", ""));
        break;
      case "arm":
        addOlder(order, os, "arm", variant, 5);
        break;
      case "arm64":
        addArm64Fallbacks(order, os, variant);
        break;
      default:
        break;
    }
    return new PlatformMatcher(order);
  }

  /** True when the candidate is the wanted platform or one of its fallbacks. */
  public boolean matches(Platform candidate) {
    return rank(candidate) != Integer.MAX_VALUE;
  }

  /**
   * 0 for the wanted platform, higher for worse fallbacks, {@link Integer#MAX_VALUE} for no
   * match. Attestation entries ({@code unknown/unknown}) never match: they are not runnable.
   */
  public int rank(Platform candidate) {
    if (candidate == null || candidate.isUnknown()) {
      return Integer.MAX_VALUE;
    }
    int index = preferred.indexOf(candidate);
    return index < 0 ? Integer.MAX_VALUE : index;
  }

  /**
   * The index of the best candidate for the wanted platform, or empty when none matches. On a
   * tie the first one wins, as the OCI index spec asks; null entries (no platform) are skipped.
   */
  public static Optional<Integer> best(List<Platform> candidates, Platform wanted) {
    PlatformMatcher matcher = only(wanted);
    int bestIndex = -1;
    int bestRank = Integer.MAX_VALUE;
    for (int i = 0; i < candidates.size(); i++) {
      int rank = matcher.rank(candidates.get(i));
      if (rank < bestRank) {
        bestRank = rank;
        bestIndex = i;
      }
    }
    return bestIndex < 0 ? Optional.empty() : Optional.of(bestIndex);
  }

  /** The preference order, for tests and diagnostics. */
  List<Platform> preferenceOrder() {
    return preferred;
  }

  /** Adds arch/v(N-1) down to arch/v(lowest) for a wanted arch/vN; nothing for other variants. */
  private static void addOlder(List<Platform> order, String os, String arch, String variant, int lowest) {
    int version = majorOf(variant.isEmpty() ? "v" + lowest : variant);
    for (int v = version - 1; v >= lowest; v--) {
      add(order, Platform.of(os, arch, "v" + v));
    }
  }

  private static void addArm64Fallbacks(List<Platform> order, String os, String variant) {
    Matcher version = VERSION.matcher(variant.isEmpty() ? "v8" : variant);
    if (!version.matches()) {
      return;
    }
    int major = Integer.parseInt(version.group(1));
    int minor = version.group(2) == null ? 0 : Integer.parseInt(version.group(2));
    if (major != 8 && major != 9) {
      return;
    }
    if (major == 9) {
      addMinors(order, os, 9, minor - 1);
      // v9.0 branched from v8.5, so v9.x runs what v8.(x+5) runs; there is no v8.10.
      minor = Math.min(minor + 5, 9);
      add(order, Platform.of(os, "arm64", "v8." + minor));
    }
    addMinors(order, os, 8, minor - 1);
    // Every arm64 CPU of these revisions also runs 32-bit arm code.
    add(order, Platform.of(os, "arm", "v8"));
    addOlder(order, os, "arm", "v8", 5);
  }

  /** Adds arm64/v{major}.{from} down to arm64/v{major}; ".0" is spelled without the minor. */
  private static void addMinors(List<Platform> order, String os, int major, int from) {
    for (int minor = from; minor >= 0; minor--) {
      String variant = minor == 0 ? "v" + major : "v" + major + "." + minor;
      add(order, Platform.of(os, "arm64", variant));
    }
  }

  /** The N of "vN", or 0 when the variant is not of that form. */
  private static int majorOf(String variant) {
    Matcher version = MAJOR_ONLY.matcher(variant);
    return version.matches() ? Integer.parseInt(version.group(1)) : 0;
  }

  private static void add(List<Platform> order, Platform platform) {
    if (!order.contains(platform)) {
      order.add(platform);
    }
  }

  @Override
  public String toString() {
    return "PlatformMatcher" + preferred;
  }
}
