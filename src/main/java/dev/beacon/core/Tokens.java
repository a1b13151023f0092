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
    return random(BYTES);
  }

  /** {@code bytes} random bytes from SecureRandom as URL-safe Base64 without padding (also SMS short codes). */
  public static String random(int bytes) {
    byte[] b = new byte[bytes];
    RANDOM.nextBytes(b);
    return ENCODER.encodeToString(b);
  }

  /** {@code text} with every occurrence of {@code token} replaced by {@code {token}} (what a viewer reads). */
  public static String mask(String text, String token) {
    return text == null || token == null ? text : text.replace(token, "{token}");
  }

  /** True when {@code token} has {@link #SHAPE}; checked by hand, as it runs on every tracking request. */
  public static boolean looksValid(String token) {
    return urlSafe(token, 22, 50);
  }

  /** True when {@code s} is {@code min} to {@code max} URL-safe Base64 characters; checked by hand (hot path). */
  public static boolean urlSafe(String s, int min, int max) {
    if (s == null || s.length() < min || s.length() > max) {
      return false;
    }
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (!(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_' || c == '-')) {
        return false;
      }
    }
    return true;
  }
}
