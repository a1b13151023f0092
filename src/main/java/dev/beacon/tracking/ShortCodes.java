package dev.beacon.tracking;

import java.security.SecureRandom;
import java.util.Base64;

/** SMS short-link codes: 72 random bits, URL-safe Base64 (12 characters), served at {@code /s/{code}}. */
public final class ShortCodes {
  public static final String PATH = "/s/";
  static final int BYTES = 9;
  static final int LENGTH = 12;
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final Base64.Encoder ENCODER = Base64.getUrlEncoder().withoutPadding();

  private ShortCodes() {}

  public static String newCode() {
    byte[] b = new byte[BYTES];
    RANDOM.nextBytes(b);
    return ENCODER.encodeToString(b);
  }

  /** A code of the shape Beacon issues; anything else is answered 404 without a query. */
  public static boolean looksValid(String code) {
    if (code == null || code.length() != LENGTH) {
      return false;
    }
    for (int i = 0; i < code.length(); i++) {
      char c = code.charAt(i);
      if (!(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_' || c == '-')) {
        return false;
      }
    }
    return true;
  }
}
