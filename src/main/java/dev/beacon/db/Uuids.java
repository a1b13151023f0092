package dev.beacon.db;

import java.security.SecureRandom;
import java.util.UUID;

/**
 * Time-ordered UUIDs (version 7, RFC 9562): 48 bits of Unix milliseconds, then random bits. Rows keyed by
 * them are appended at the right edge of their primary-key index instead of a random leaf page, which is what
 * the tracking tables need (see V10__tracking_hot_path.sql). The same layout as the database's
 * {@code beacon_uuid_v7()}.
 */
public final class Uuids {
  private static final SecureRandom RANDOM = new SecureRandom();

  private Uuids() {}

  /**
   * The UUID {@code raw} holds in its canonical 36-character form, or null when it is absent or not one (input
   * from a client or a provider: never an exception).
   */
  public static UUID parseOrNull(Object raw) {
    return raw instanceof String s && canonical(s) ? UUID.fromString(s) : null;
  }

  /**
   * True when {@code s} is a UUID's canonical form: 36 characters, hex digits of either case with dashes at 8, 13,
   * 18 and 23 (what {@link UUID#fromString} then reads exactly). Checked by hand: it runs on the tracking hot path.
   */
  public static boolean canonical(String s) {
    if (s == null || s.length() != 36) {
      return false;
    }
    for (int i = 0; i < 36; i++) {
      char c = s.charAt(i);
      boolean ok = i == 8 || i == 13 || i == 18 || i == 23
          ? c == '-'
          : c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F';
      if (!ok) {
        return false;
      }
    }
    return true;
  }

  public static UUID v7() {
    return v7(System.currentTimeMillis());
  }

  static UUID v7(long epochMillis) {
    byte[] r = new byte[10];
    RANDOM.nextBytes(r);
    long msb = (epochMillis & 0xFFFF_FFFF_FFFFL) << 16 | 0x7000L | ((r[0] & 0x0FL) << 8) | (r[1] & 0xFFL);
    long lsb = 0x8000_0000_0000_0000L | (r[2] & 0x3FL) << 56;
    for (int k = 3; k < 10; k++) {
      lsb |= (r[k] & 0xFFL) << (8 * (9 - k));
    }
    return new UUID(msb, lsb);
  }
}
