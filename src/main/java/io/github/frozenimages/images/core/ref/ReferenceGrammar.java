package io.github.frozenimages.images.core.ref;

import java.util.regex.Pattern;

/**
 * The pieces of the distribution/reference grammar, each matched on its own so that a failure
 * can name the piece that is wrong instead of just "invalid reference format".
 */
final class ReferenceGrammar {

  /** Docker Hub as it appears in canonical names. */
  static final String DOCKER_HUB = "docker.io";
  /** Older spelling of Docker Hub that users still type; canonicalised to {@link #DOCKER_HUB}. */
  static final String DOCKER_HUB_LEGACY = "index.docker.io";
  /** Docker Hub serves the registry API from another host than its canonical name. */
  static final String DOCKER_HUB_API_HOST = "registry-1.docker.io";
  /** Single-component Docker Hub names live under this namespace ("official images"). */
  static final String OFFICIAL_NAMESPACE = "library/";
  static final String DEFAULT_TAG = "latest";

  /** distribution/reference v0.6.0 counts the path only; the domain is not included. */
  static final int PATH_MAX_LENGTH = 255;
  static final int TAG_MAX_LENGTH = 128;

  private static final String DOMAIN_COMPONENT = "(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])";
  private static final String DOMAIN_NAME = DOMAIN_COMPONENT + "(?:\\." + DOMAIN_COMPONENT + ")*";
  private static final String IPV6_LITERAL = "\\[[a-fA-F0-9:]+\\]";

  static final Pattern DOMAIN =
      Pattern.compile("(?:" + DOMAIN_NAME + "|" + IPV6_LITERAL + ")(?::[0-9]+)?");
  static final Pattern PATH_COMPONENT = Pattern.compile("[a-z0-9]+(?:(?:[._]|__|[-]+)[a-z0-9]+)*");
  /** Java's \w, like Go's, is ASCII-only unless asked otherwise. */
  static final Pattern TAG = Pattern.compile("[\\w][\\w.-]{0,127}");
  /** A bare image ID: Docker refuses to treat it as a repository name. */
  static final Pattern IMAGE_ID = Pattern.compile("[a-f0-9]{64}");

  private ReferenceGrammar() {}
}
