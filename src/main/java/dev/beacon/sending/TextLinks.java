package dev.beacon.sending;

import java.util.Locale;
import java.util.function.UnaryOperator;

/**
 * Finds the http(s) URLs of a plain-text part or an SMS and replaces each by what {@code replace} answers (the
 * URL itself to keep it). A URL ends at white space, a quote or angle bracket, and does not take trailing
 * sentence punctuation or a closing bracket it did not open ({@code (see https://x.example/a).}).
 */
final class TextLinks {
  private TextLinks() {}

  static String rewrite(String text, UnaryOperator<String> replace) {
    if (text == null) {
      return null;
    }
    StringBuilder out = new StringBuilder(text.length() + 64);
    String lower = text.toLowerCase(Locale.ROOT);
    int i = 0;
    while (i < text.length()) {
      int start = next(lower, i);
      if (start < 0) {
        break;
      }
      int end = end(text, start);
      out.append(text, i, start).append(replace.apply(text.substring(start, end)));
      i = end;
    }
    return out.append(text, i, text.length()).toString();
  }

  /** The next "http://" or "https://" that does not continue a word (so "xhttp://" is not a URL). */
  private static int next(String lower, int from) {
    int i = from;
    while (true) {
      int h = lower.indexOf("http", i);
      if (h < 0) {
        return -1;
      }
      boolean scheme = lower.startsWith("https://", h) || lower.startsWith("http://", h);
      boolean wordStart = h == 0 || !Character.isLetterOrDigit(lower.charAt(h - 1));
      if (scheme && wordStart) {
        return h;
      }
      i = h + 4;
    }
  }

  private static int end(String text, int start) {
    int e = start;
    while (e < text.length()) {
      char c = text.charAt(e);
      if (Character.isWhitespace(c) || c == '<' || c == '>' || c == '"' || c == '\u00a0') {
        break;
      }
      e++;
    }
    while (e > start) {
      char c = text.charAt(e - 1);
      if (".,;:!?'*".indexOf(c) >= 0) {
        e--;
      } else if ((c == ')' && unbalanced(text, start, e, '(', ')')) || (c == ']' && unbalanced(text, start, e, '[', ']'))) {
        e--;
      } else {
        break;
      }
    }
    return e;
  }

  private static boolean unbalanced(String text, int start, int end, char open, char close) {
    int depth = 0;
    for (int i = start; i < end; i++) {
      char c = text.charAt(i);
      if (c == open) {
        depth++;
      } else if (c == close) {
        depth--;
      }
    }
    return depth < 0;
  }
}
