package io.github.frozenimages.images.core.ref;

import java.util.Objects;
import java.util.Optional;

/**
 * A normalised image reference: registry, repository path, and a tag and/or a digest.
 *
 * <p>Normalisation follows {@code docker pull}: {@code alpine} is
 * {@code docker.io/library/alpine:latest}. The tag defaults to {@code latest} only when neither a
 * tag nor a digest was given. With {@code name:tag@digest} both are kept: the digest is what gets
 * fetched (it pins the content), the tag only names the result.
 */
public final class ImageReference {

  private final String registry;
  private final String repository;
  private final String tag;
  private final Digest digest;

  ImageReference(String registry, String repository, String tag, Digest digest) {
    this.registry = registry;
    this.repository = repository;
    this.tag = tag;
    this.digest = digest;
  }

  /** Parses and normalises a reference; rejects anything {@code docker pull} would reject. */
  public static ImageReference parse(String input) {
    return ReferenceParser.parse(input);
  }

  /** The canonical registry name, e.g. {@code docker.io}, {@code localhost:5000}. */
  public String registry() {
    return registry;
  }

  /** The repository path within the registry, e.g. {@code library/alpine}. */
  public String repository() {
    return repository;
  }

  public Optional<String> tag() {
    return Optional.ofNullable(tag);
  }

  public Optional<Digest> digest() {
    return Optional.ofNullable(digest);
  }

  /** Registry and repository, e.g. {@code docker.io/library/alpine}. */
  public String name() {
    return registry + "/" + repository;
  }

  /**
   * The short name Docker shows, e.g. {@code alpine}, {@code user/app}, {@code ghcr.io/org/app}.
   * Only Docker Hub names are shortened. {@code library/} is dropped only when a single component
   * follows it: the familiar {@code a/b} would read back as {@code docker.io/a/b}, another image.
   */
  public String familiarName() {
    if (!registry.equals(ReferenceGrammar.DOCKER_HUB)) {
      return name();
    }
    if (repository.startsWith(ReferenceGrammar.OFFICIAL_NAMESPACE)) {
      String rest = repository.substring(ReferenceGrammar.OFFICIAL_NAMESPACE.length());
      if (rest.indexOf('/') < 0) {
        return rest;
      }
    }
    return repository;
  }

  /** The familiar form with tag and digest, for log lines: {@code alpine:3.20}. */
  public String familiarString() {
    return familiarName() + suffix();
  }

  /** What goes in {@code /v2/<name>/manifests/<reference>}: the digest when there is one. */
  public String manifestReference() {
    if (digest != null) {
      return digest.toString();
    }
    // Parsing guarantees a tag whenever there is no digest.
    return tag;
  }

  /** The host[:port] to connect to; Docker Hub's API is not served from "docker.io" itself. */
  public String registryHost() {
    if (registry.equals(ReferenceGrammar.DOCKER_HUB)) {
      return ReferenceGrammar.DOCKER_HUB_API_HOST;
    }
    return registry;
  }

  /** The same name and tag, pinned to this digest (e.g. once a tag has been resolved). */
  public ImageReference withDigest(Digest d) {
    return new ImageReference(registry, repository, tag, Objects.requireNonNull(d, "digest"));
  }

  private String suffix() {
    StringBuilder out = new StringBuilder();
    if (tag != null) {
      out.append(':').append(tag);
    }
    if (digest != null) {
      out.append('@').append(digest);
    }
    return out.toString();
  }

  @Override
  public boolean equals(Object o) {
    if (this == o) {
      return true;
    }
    if (!(o instanceof ImageReference)) {
      return false;
    }
    ImageReference other = (ImageReference) o;
    return registry.equals(other.registry)
        && repository.equals(other.repository)
        && Objects.equals(tag, other.tag)
        && Objects.equals(digest, other.digest);
  }

  @Override
  public int hashCode() {
    return Objects.hash(registry, repository, tag, digest);
  }

  /** The full canonical form, e.g. {@code docker.io/library/alpine:3.20@sha256:...}. */
  @Override
  public String toString() {
    return name() + suffix();
  }
}
