package dev.beacon.delivery;

import java.util.Locale;

/** The services whose delivery webhooks Beacon takes, as the schema and {@code /webhooks/<provider>} spell them. */
enum Provider {
  SENDGRID, POSTMARK, MAILGUN, SES, TWILIO;

  String wire() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** The channel this service sends: Twilio text messages, the others email. */
  String channel() {
    return this == TWILIO ? DeliveryEvent.SMS : DeliveryEvent.EMAIL;
  }

  /** The provider spelled {@code wire}, or null. */
  static Provider of(String wire) {
    for (Provider p : values()) {
      if (p.wire().equals(wire)) {
        return p;
      }
    }
    return null;
  }
}
