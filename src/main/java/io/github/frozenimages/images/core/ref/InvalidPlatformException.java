package io.github.frozenimages.images.core.ref;

/**
 * A platform specifier or platform fields that cannot be understood. The message quotes the
 * input and says what is wrong with it, so it can be shown to the user as is.
 */
public final class InvalidPlatformException extends IllegalArgumentException {

  private static final long serialVersionUID = 1L;

  public InvalidPlatformException(String message) {
    super(message);
  }
}
