package dev.beacon.communications;

import java.time.Instant;

/**
 * The gate's answer for one contact: allowed, or refused by a named rule with a human-readable detail and,
 * when the refusal is only a matter of time, the first instant the contact becomes allowed.
 */
public record Decision(boolean allowed, String rule, String detail, Instant nextAllowedAt) {
  static final Decision ALLOWED = new Decision(true, null, null, null);

  static Decision refused(String rule, String detail) {
    return new Decision(false, rule, detail, null);
  }

  static Decision refused(String rule, String detail, Instant nextAllowedAt) {
    return new Decision(false, rule, detail, nextAllowedAt);
  }
}
