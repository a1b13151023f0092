package dev.beacon.core;

import java.security.SecureRandom;
import java.util.Base64;
import java.util.regex.Pattern;

/** Debtor tokens: 192 random bits, URL-safe Base64 without padding (32 characters). */
public final class Tokens {
  static final int BYTES = 24;
  /** The shape of a token Beacon issued; anything else is rejected before touching the database. */
  public static final Pattern SHAPE = Pattern.compile("[A-Za-z0-9_-]{22,50}");
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final Base64.Encoder ENCODER = Base64.getUrlEncoder().withoutPadding();

  private Tokens() {}

  public static String newToken() {
    byte[] b = new byte[BYTES];
    RANDOM.nextBytes(b);
    return ENCODER.encodeToString(b);
  }

  /** {@code text} with every occurrence of {@code token} replaced by {@code {token}} (what a viewer reads). */
  public static String mask(String text, String token) {
    return text == null || token == null ? text : text.replace(token, "{token}");
  }

  /** True when {@code token} has {@link #SHAPE}; checked by hand, as it runs on every tracking request. */
  public static boolean looksValid(String token) {
    if (token == null || token.length() < 22 || token.length() > 50) {
      return false;
    }
    for (int i = 0; i < token.length(); i++) {
      char c = token.charAt(i);
      if (!(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_' || c == '-')) {
        return false;
      }
    }
    return true;
  }
}
