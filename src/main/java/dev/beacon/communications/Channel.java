package dev.beacon.communications;

import java.util.Locale;

/** A contact channel, as the API and the schema spell it ({@code email}, {@code phone}, {@code sms}). */
public enum Channel {
  EMAIL, PHONE, SMS;

  public String wire() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** The channel for a wire name, or null when there is none. */
  public static Channel of(String wire) {
    for (Channel c : values()) {
      if (c.wire().equals(wire)) {
        return c;
      }
    }
    return null;
  }
}
