package dev.beacon.tracking;

import dev.beacon.core.Tokens;

/** SMS short-link codes: 72 random bits, URL-safe Base64 (12 characters), served at {@code /s/{code}}. */
public final class ShortCodes {
  public static final String PATH = "/s/";
  static final int BYTES = 9;
  static final int LENGTH = 12;

  private ShortCodes() {}

  public static String newCode() {
    return Tokens.random(BYTES);
  }

  /** A code of the shape Beacon issues; anything else is answered 404 without a query. */
  public static boolean looksValid(String code) {
    return Tokens.urlSafe(code, LENGTH, LENGTH);
  }
}
