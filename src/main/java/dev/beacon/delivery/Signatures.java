package dev.beacon.delivery;

import dev.beacon.http.Problem;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/** Shared pieces of the providers' signature schemes: HMACs, constant-time comparison, the freshness window. */
final class Signatures {
  /** A signed timestamp further than this from the server's clock is refused (replay protection). */
  static final Duration TOLERANCE = Duration.ofMinutes(10);

  private Signatures() {}

  static byte[] hmac(String algorithm, byte[] key, String data) {
    try {
      Mac mac = Mac.getInstance(algorithm);
      mac.init(new SecretKeySpec(key, algorithm));
      return mac.doFinal(data.getBytes(StandardCharsets.UTF_8));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(algorithm + " is not available", e);
    }
  }

  /** Equal in time independent of where the inputs differ; false for nulls. */
  static boolean same(byte[] a, byte[] b) {
    return a != null && b != null && MessageDigest.isEqual(a, b);
  }

  static boolean same(String a, String b) {
    return a != null && b != null
        && MessageDigest.isEqual(a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8));
  }

  /** Refuses a missing, unreadable or stale Unix-seconds timestamp. */
  static Instant fresh(String epochSeconds, Instant now, String provider) {
    long seconds;
    try {
      seconds = Long.parseLong(epochSeconds == null ? "" : epochSeconds.trim());
    } catch (NumberFormatException e) {
      throw Problem.badSignature("The " + provider + " signature timestamp is missing or not a number");
    }
    Instant at = Instant.ofEpochSecond(seconds);
    if (Duration.between(at, now).abs().compareTo(TOLERANCE) > 0) {
      throw Problem.badSignature("The " + provider + " signature timestamp is outside the accepted window ("
          + TOLERANCE.toMinutes() + " minutes)");
    }
    return at;
  }

  static String hex(byte[] bytes) {
    return HexFormat.of().formatHex(bytes);
  }
}
