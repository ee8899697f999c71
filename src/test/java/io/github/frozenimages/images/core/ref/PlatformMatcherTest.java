package io.github.frozenimages.images.core.ref;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PlatformMatcherTest {

  @ParameterizedTest(name = "[{index}] want {0}, got {1} -> {2}")
  @CsvSource({
      // wanted,          candidate,          rank ("none" = no match)
      "linux/amd64,       linux/amd64,        0",
      "linux/amd64,       linux/x86_64,       0",
      "linux/amd64,       linux/386,          1",
      "linux/amd64,       linux/arm64,        none",
      "linux/amd64,       linux/amd64/v2,     none",
      "linux/amd64,       windows/amd64,      none",
      "linux/amd64/v3,    linux/amd64/v3,     0",
      "linux/amd64/v3,    linux/amd64/v2,     1",
      "linux/amd64/v3,    linux/amd64,        2",
      "linux/amd64/v3,    linux/386,          3",
      "linux/amd64/v2,    linux/amd64/v3,     none",
      "linux/arm/v7,      linux/arm/v7,       0",
      "linux/arm/v7,      linux/arm,          0",
      "linux/arm/v7,      linux/armhf,        0",
      "linux/arm/v7,      linux/arm/v6,       1",
      "linux/arm/v7,      linux/arm/v5,       2",
      "linux/arm/v7,      linux/arm/v8,       none",
      "linux/arm/v7,      linux/arm64,        none",
      "linux/arm/v6,      linux/arm/v7,       none",
      "linux/arm/v5,      linux/arm/v5,       0",
      "linux/arm/v5,      linux/arm/v6,       none",
      "linux/arm/v8,      linux/arm/v5,       3",
      "linux/arm64,       linux/arm64,        0",
      "linux/arm64,       linux/arm64/v8,     0",
      "linux/arm64/v8,    linux/arm64,        0",
      "linux/arm64,       linux/aarch64,      0",
      "linux/arm64,       linux/arm/v8,       1",
      "linux/arm64,       linux/arm/v7,       2",
      "linux/arm64,       linux/arm/v6,       3",
      "linux/arm64,       linux/arm/v5,       4",
      "linux/arm64,       linux/amd64,        none",
      "linux/arm64,       linux/arm64/v8.2,   none",
      "linux/arm64/v8.2,  linux/arm64/v8.1,   1",
      "linux/arm64/v8.2,  linux/arm64,        2",
      "linux/arm64/v8.2,  linux/arm/v7,       4",
      "linux/arm64/v9,    linux/arm64/v9.0,   0",
      "linux/arm64/v9,    linux/arm64/v8.5,   1",
      "linux/arm64/v9,    linux/arm64/v8.6,   none",
      "linux/arm64/v9,    linux/arm64,        6",
      "linux/arm64/v9,    linux/arm/v8,       7",
      "linux/arm64/v9.2,  linux/arm64/v9,     2",
      "linux/arm64/v9.2,  linux/arm64/v8.7,   3",
      "linux/arm64/v9.6,  linux/arm64/v8.9,   7",
      "linux/arm64/v9.6,  linux/arm64,        16",
      "linux/ppc64le,     linux/ppc64le,      0",
      "linux/ppc64le,     linux/ppc64,        none",
      "linux/riscv64,     linux/riscv64,      0",
      "linux/amd64,       unknown/unknown,    none",
      "linux/amd64,       linux/unknown,      none",
      "unknown/unknown,   unknown/unknown,    none",
  })
  void ranksCandidates(String wanted, String candidate, String rank) {
    PlatformMatcher matcher = PlatformMatcher.only(Platform.parse(wanted));
    int expected = rank.equals("none") ? Integer.MAX_VALUE : Integer.parseInt(rank);
    assertEquals(expected, matcher.rank(Platform.parse(candidate)));
    assertEquals(!rank.equals("none"), matcher.matches(Platform.parse(candidate)));
  }

  @ParameterizedTest(name = "[{index}] {0}")
  @CsvSource(delimiter = '|', value = {
      "linux/amd64      | linux/amd64 linux/386",
      "linux/amd64/v3   | linux/amd64/v3 linux/amd64/v2 linux/amd64 linux/386",
      "linux/arm/v7     | linux/arm/v7 linux/arm/v6 linux/arm/v5",
      "linux/arm64      | linux/arm64 linux/arm/v8 linux/arm/v7 linux/arm/v6 linux/arm/v5",
      "linux/arm64/v9.1 | linux/arm64/v9.1 linux/arm64/v9 linux/arm64/v8.6 linux/arm64/v8.5 linux/arm64/v8.4"
          + " linux/arm64/v8.3 linux/arm64/v8.2 linux/arm64/v8.1 linux/arm64 linux/arm/v8 linux/arm/v7"
          + " linux/arm/v6 linux/arm/v5",
      "linux/arm64/v7   | linux/arm64/v7",
      "linux/s390x      | linux/s390x",
  })
  void fallbackOrderFollowsContainerdOnly(String wanted, String order) {
    String actual = PlatformMatcher.only(Platform.parse(wanted)).preferenceOrder().stream()
        .map(Platform::toString)
        .collect(Collectors.joining(" "));
    assertEquals(order, actual);
  }

  @ParameterizedTest(name = "[{index}] want {0} from [{1}]")
  @CsvSource(delimiter = '|', value = {
      // wanted      | candidates, in index order                         | best index
      "linux/arm64   | linux/amd64 linux/arm64 unknown/unknown             | 1",
      "linux/arm/v7  | linux/arm/v6 linux/arm/v7                           | 1",
      "linux/arm/v7  | linux/arm/v5 linux/arm/v6                           | 1",
      "linux/arm64   | linux/arm/v7 linux/arm64/v8 linux/arm64             | 1",
      "linux/amd64   | linux/amd64 linux/amd64                             | 0",
      "linux/amd64   | linux/386 linux/386                                 | 0",
      "linux/amd64   | unknown/unknown linux/amd64                         | 1",
      "linux/amd64   | linux/arm64 linux/386                               | 1",
      "linux/arm64   | linux/amd64 linux/arm/v6 linux/arm/v7 linux/ppc64le | 2",
      "linux/amd64   | linux/s390x unknown/unknown                         | none",
      "linux/arm/v6  | linux/arm/v7 linux/arm64                            | none",
  })
  void bestPicksTheLowestRankFirstOnTies(String wanted, String candidates, String best) {
    List<Platform> platforms = Arrays.stream(candidates.trim().split(" +"))
        .map(Platform::parse)
        .collect(Collectors.toList());
    Optional<Integer> expected = best.equals("none") ? Optional.empty() : Optional.of(Integer.parseInt(best));
    assertEquals(expected, PlatformMatcher.best(platforms, Platform.parse(wanted)));
  }

  @Test
  void bestSkipsEntriesWithoutPlatformAndHandlesEmptyIndexes() {
    Platform amd64 = Platform.parse("linux/amd64");
    assertEquals(Optional.of(1), PlatformMatcher.best(Arrays.asList(null, amd64), amd64));
    assertEquals(Optional.empty(), PlatformMatcher.best(List.of(), amd64));
  }

  @ParameterizedTest(name = "[{index}] TARGETARCH={0} TARGETVARIANT={1}")
  @CsvSource({
      "arm64,   ,      linux/arm64",
      "aarch64, ,      linux/arm64",
      "arm64,   v8,    linux/arm64",
      "arm,     ,      linux/arm/v7",
      "arm,     v6,    linux/arm/v6",
      "arm,     v5,    linux/arm/v5",
      "amd64,   ,      linux/amd64",
      "amd64,   v3,    linux/amd64/v3",
      "' 386 ', ' ',   linux/386",
      "s390x,   '',    linux/s390x",
  })
  void buildEnvironmentTargetArchChoosesThePlatform(String arch, String variant, String expected) {
    Map<String, String> env = new HashMap<>();
    env.put("TARGETARCH", arch);
    if (variant != null) {
      env.put("TARGETVARIANT", variant);
    }
    env.put("TARGETOS", "windows"); // not read: the frozen-image script only looks at the arch
    assertEquals(expected, Platform.fromBuildEnvironment(env).toString());
  }

  @Test
  void withoutTargetArchTheHostIsUsedAndTargetVariantAloneIsIgnored() {
    Platform host = Platform.host();
    assertEquals(host, Platform.fromBuildEnvironment(Map.of()));
    assertEquals(host, Platform.fromBuildEnvironment(Map.of("TARGETVARIANT", "v6")));
    assertEquals(host, Platform.fromBuildEnvironment(Map.of("TARGETARCH", "", "TARGETVARIANT", "v6")));
    assertEquals(host, Platform.fromBuildEnvironment(Map.of("TARGETARCH", "  ")));
  }

  @Test
  void buildEnvironmentVariantSteersTheChoiceInAnIndex() {
    List<Platform> index = List.of(
        Platform.parse("linux/arm/v5"), Platform.parse("linux/arm/v6"), Platform.parse("linux/arm/v7"));
    Platform armV6 = Platform.fromBuildEnvironment(Map.of("TARGETARCH", "arm", "TARGETVARIANT", "v6"));
    Platform arm = Platform.fromBuildEnvironment(Map.of("TARGETARCH", "arm"));
    assertEquals(Optional.of(1), PlatformMatcher.best(index, armV6));
    assertEquals(Optional.of(2), PlatformMatcher.best(index, arm));
  }

  @Test
  void badBuildEnvironmentIsReportedWithTheVariables() {
    InvalidPlatformException e = assertThrows(InvalidPlatformException.class,
        () -> Platform.fromBuildEnvironment(Map.of("TARGETARCH", "arm 64", "TARGETVARIANT", "v8")));
    assertTrue(e.getMessage().startsWith("invalid platform from TARGETARCH=\"arm 64\" TARGETVARIANT=\"v8\": "),
        e.getMessage());
    assertTrue(e.getMessage().contains("may hold only letters"), e.getMessage());
  }
}
