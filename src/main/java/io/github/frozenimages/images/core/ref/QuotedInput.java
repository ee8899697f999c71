package io.github.frozenimages.images.core.ref;

/**
 * Quotes untrusted input for error messages.
 *
 * <p>Digests and references may come from a registry's JSON, so they can hold newlines, NULs or
 * megabytes of junk. Escaping keeps a forged value from faking extra log lines, and the length
 * cap keeps a hostile manifest from flooding the build log. Printable input is shown verbatim so
 * users can find the exact text they typed.
 */
final class QuotedInput {

  /** Generous enough for any legitimate reference (path 255 + domain + tag 128 + digest 135). */
  static final int MAX_SHOWN = 1024;

  private QuotedInput() {}

  static String of(String input) {
    if (input == null) {
      return "null";
    }
    StringBuilder out = new StringBuilder(Math.min(input.length(), MAX_SHOWN) + 2).append('"');
    int shown = Math.min(input.length(), MAX_SHOWN);
    for (int i = 0; i < shown; i++) {
      appendEscaped(out, input.charAt(i));
    }
    out.append('"');
    if (input.length() > MAX_SHOWN) {
      out.append("... (").append(input.length()).append(" characters)");
    }
    return out.toString();
  }

  private static void appendEscaped(StringBuilder out, char c) {
    switch (c) {
      case '"':
        out.append("\\\"");
        break;
      case '\\':
        out.append("\\\\");
        break;
      case '\n':
        out.append("\\n");
        break;
      case '\r':
        out.append("\\r");
        break;
      case '\t':
        out.append("\\t");
        break;
      default:
        if (Character.isISOControl(c)
            || Character.getType(c) == Character.LINE_SEPARATOR
            || Character.getType(c) == Character.PARAGRAPH_SEPARATOR) {
          out.append(String.format("\\u%04x", (int) c));
        } else {
          out.append(c);
        }
    }
  }
}
