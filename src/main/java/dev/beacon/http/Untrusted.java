package dev.beacon.http;

/**
 * Client-supplied text made safe for a log line or a problem detail: at most {@value #MAX_CHARS} characters, and
 * every control character (line breaks, ANSI escapes, NUL, C1 controls, Unicode line and paragraph separators,
 * lone surrogates) written as a visible {@code \n} or {@code \}{@code uXXXX} escape, so a value can neither forge a
 * log line nor recolour a terminal.
 */
public final class Untrusted {
  /** The longest value kept; longer values end with an ellipsis. */
  public static final int MAX_CHARS = 200;

  private Untrusted() {}

  /** {@code s} bounded to {@value #MAX_CHARS} characters and escaped; "null" for null. */
  public static String of(Object value) {
    return of(value, MAX_CHARS);
  }

  /** {@code s} bounded to {@code max} characters (before escaping) and escaped. */
  public static String of(Object value, int max) {
    if (value == null) {
      return "null";
    }
    String s = value.toString();
    boolean cut = s.length() > max;
    int end = cut ? max : s.length();
    if (cut && end > 0 && Character.isHighSurrogate(s.charAt(end - 1))) {
      end--;
    }
    StringBuilder b = null;
    for (int i = 0; i < end; i++) {
      char c = s.charAt(i);
      String escape = escape(c, s, i);
      if (escape != null && b == null) {
        b = new StringBuilder(end + 16).append(s, 0, i);
      }
      if (b != null) {
        if (escape != null) {
          b.append(escape);
        } else {
          b.append(c);
        }
      }
    }
    String out = b == null ? s.substring(0, end) : b.toString();
    return cut ? out + "…" : out;
  }

  private static String escape(char c, String s, int i) {
    switch (c) {
      case '\n': return "\\n";
      case '\r': return "\\r";
      case '\t': return "\\t";
      default: break;
    }
    if (c < 0x20 || c >= 0x7f && c <= 0x9f || c == '\u2028' || c == '\u2029' || c == '\u0085') {
      return String.format("\\u%04x", (int) c);
    }
    if (Character.isHighSurrogate(c) && (i + 1 >= s.length() || !Character.isLowSurrogate(s.charAt(i + 1)))
        || Character.isLowSurrogate(c) && (i == 0 || !Character.isHighSurrogate(s.charAt(i - 1)))) {
      return String.format("\\u%04x", (int) c);
    }
    return null;
  }
}
