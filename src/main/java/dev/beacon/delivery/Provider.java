package dev.beacon.delivery;

import java.util.Locale;

/** The services whose delivery webhooks Beacon takes, as the schema and {@code /webhooks/<provider>} spell them. */
enum Provider {
  SENDGRID, POSTMARK, MAILGUN, SES, TWILIO;

  String wire() {
    return name().toLowerCase(Locale.ROOT);
  }
}
