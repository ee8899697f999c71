package io.github.frozenimages.images.core.ref;

/**
 * A malformed image reference or digest. The message quotes the offending input and says what is
 * wrong with it, e.g. {@code invalid image reference "Alpine:3": repository name must be lowercase},
 * so it can be shown to the user as is.
 */
public final class InvalidReferenceException extends IllegalArgumentException {

  private static final long serialVersionUID = 1L;

  public InvalidReferenceException(String message) {
    super(message);
  }
}
