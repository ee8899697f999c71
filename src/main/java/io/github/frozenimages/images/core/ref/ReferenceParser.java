package io.github.frozenimages.images.core.ref;

import static io.github.frozenimages.images.core.ref.ReferenceGrammar.DEFAULT_TAG;
import static io.github.frozenimages.images.core.ref.ReferenceGrammar.DOCKER_HUB;
import static io.github.frozenimages.images.core.ref.ReferenceGrammar.DOCKER_HUB_LEGACY;
import static io.github.frozenimages.images.core.ref.ReferenceGrammar.OFFICIAL_NAMESPACE;

import java.util.Locale;

/**
 * Parses references the way {@code docker pull} does (distribution/reference
 * {@code ParseNormalizedNamed} followed by {@code TagNameOnly}), but checks the parts one at a
 * time so the error says which part is wrong.
 *
 * <p>Name, then tag, then digest, so the problem reported is the first one a reader meets; within
 * the name the path goes first because Docker, too, reports an uppercase path before anything else.
 */
final class ReferenceParser {

  private ReferenceParser() {}

  static ImageReference parse(String input) {
    if (input == null) {
      throw new InvalidReferenceException("invalid image reference: null");
    }
    if (input.isEmpty()) {
      throw invalid(input, "reference is empty");
    }
    if (hasWhitespaceOrControl(input)) {
      throw invalid(input, "must not contain whitespace or control characters");
    }
    if (ReferenceGrammar.IMAGE_ID.matcher(input).matches()) {
      throw invalid(input, "a 64-digit hex string is an image ID, not a repository name");
    }

    int at = input.indexOf('@');
    String nameAndTag = at < 0 ? input : input.substring(0, at);
    // A port colon can only sit before the last '/', so a colon after it starts the tag.
    int tagColon = nameAndTag.indexOf(':', nameAndTag.lastIndexOf('/') + 1);
    String name = tagColon < 0 ? nameAndTag : nameAndTag.substring(0, tagColon);
    String tag = tagColon < 0 ? null : nameAndTag.substring(tagColon + 1);

    String[] domainAndPath = splitDomain(input, name);
    String domain = domainAndPath[0];
    String path = domainAndPath[1];
    checkPath(input, path);
    checkDomain(input, domain);
    if (tag != null) {
      checkTag(input, tag);
    }
    Digest digest = at < 0 ? null : parseDigest(input, input.substring(at + 1));
    if (tag == null && digest == null) {
      tag = DEFAULT_TAG;
    }
    return new ImageReference(domain, path, tag, digest);
  }

  /**
   * Docker's rule: the first component is a registry only if it cannot be a Docker Hub namespace,
   * that is if it is "localhost" or has a '.', a ':' or an uppercase letter.
   */
  private static String[] splitDomain(String input, String name) {
    if (name.isEmpty()) {
      throw invalid(input, "repository name is empty");
    }
    if (name.startsWith("/")) {
      throw invalid(input, "must not start with '/'");
    }
    if (name.endsWith("/")) {
      throw invalid(input, "repository name must not end with '/'");
    }
    if (name.contains("//")) {
      throw invalid(input, "repository name has an empty path component ('//')");
    }
    String domain = DOCKER_HUB;
    String path = name;
    int slash = name.indexOf('/');
    if (slash >= 0 && isDomain(name.substring(0, slash))) {
      domain = name.substring(0, slash);
      path = name.substring(slash + 1);
    }
    if (domain.equals(DOCKER_HUB_LEGACY)) {
      domain = DOCKER_HUB;
    }
    if (domain.equals(DOCKER_HUB) && path.indexOf('/') < 0) {
      path = OFFICIAL_NAMESPACE + path;
    }
    return new String[] {domain, path};
  }

  private static boolean isDomain(String first) {
    return first.equals("localhost")
        || first.indexOf('.') >= 0
        || first.indexOf(':') >= 0
        || !first.equals(first.toLowerCase(Locale.ROOT));
  }

  private static void checkPath(String input, String path) {
    if (!path.equals(path.toLowerCase(Locale.ROOT))) {
      throw invalid(input, "repository name must be lowercase");
    }
    for (String component : path.split("/", -1)) {
      if (!ReferenceGrammar.PATH_COMPONENT.matcher(component).matches()) {
        throw invalid(input, "repository path component " + QuotedInput.of(component)
            + " is invalid: use lowercase letters and digits, joined by '.', '_', '__' or dashes");
      }
    }
    if (path.length() > ReferenceGrammar.PATH_MAX_LENGTH) {
      throw invalid(input, "repository path is " + path.length() + " characters long, the limit is "
          + ReferenceGrammar.PATH_MAX_LENGTH);
    }
  }

  private static void checkDomain(String input, String domain) {
    if (!ReferenceGrammar.DOMAIN.matcher(domain).matches()) {
      throw invalid(input, "registry " + QuotedInput.of(domain)
          + " is not a valid host[:port] (a domain name, an IPv4 address or an [IPv6] address)");
    }
  }

  private static void checkTag(String input, String tag) {
    if (tag.isEmpty()) {
      throw invalid(input, "nothing after ':', a tag is expected");
    }
    if (tag.length() > ReferenceGrammar.TAG_MAX_LENGTH) {
      throw invalid(input, "tag is " + tag.length() + " characters long, the limit is "
          + ReferenceGrammar.TAG_MAX_LENGTH);
    }
    if (!ReferenceGrammar.TAG.matcher(tag).matches()) {
      throw invalid(input, "tag " + QuotedInput.of(tag) + " is invalid: it must start with a letter,"
          + " digit or '_' and hold only letters, digits, '_', '.' and '-'");
    }
  }

  private static Digest parseDigest(String input, String digest) {
    if (digest.isEmpty()) {
      throw invalid(input, "nothing after '@', a digest is expected");
    }
    String problem = Digest.problemWith(digest);
    if (problem != null) {
      throw invalid(input, "digest " + QuotedInput.of(digest) + " is invalid: " + problem);
    }
    return Digest.parse(digest);
  }

  private static boolean hasWhitespaceOrControl(String input) {
    for (int i = 0; i < input.length(); i++) {
      char c = input.charAt(i);
      if (Character.isWhitespace(c) || Character.isSpaceChar(c) || Character.isISOControl(c)) {
        return true;
      }
    }
    return false;
  }

  private static InvalidReferenceException invalid(String input, String reason) {
    return new InvalidReferenceException("invalid image reference " + QuotedInput.of(input) + ": " + reason);
  }
}
