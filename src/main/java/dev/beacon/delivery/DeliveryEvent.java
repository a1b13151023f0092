package dev.beacon.delivery;

import java.time.Instant;
import java.util.Locale;
import java.util.UUID;

/**
 * One provider event, normalized: who reported it, its id there (the exactly-once key), the provider's id of the
 * message, the communication it names (when the message carried {@code beacon_communication_id}), what happened
 * and when.
 *
 * @param severity {@code hard} or {@code soft} for bounces and failures, else null
 */
record DeliveryEvent(Provider provider, String eventId, String messageId, UUID communicationId, String channel,
                     String kind, String severity, String recipient, String reason, String code, Instant occurredAt) {
  static final String ACCEPTED = "accepted";
  static final String DELIVERED = "delivered";
  static final String DEFERRED = "deferred";
  static final String BOUNCED = "bounced";
  static final String COMPLAINED = "complained";
  static final String UNSUBSCRIBED = "unsubscribed";
  static final String FAILED = "failed";
  static final String RECEIVED = "received";
  static final String HARD = "hard";
  static final String SOFT = "soft";
  static final String EMAIL = "email";
  static final String SMS = "sms";

  /** Twilio's "attempt to send to unsubscribed recipient": the number replied STOP to this sender. */
  static final String TWILIO_UNSUBSCRIBED = "21610";

  DeliveryEvent {
    eventId = clip(eventId, 300);
    messageId = clip(messageId, 300);
    recipient = recipient == null ? null : clip(recipient.trim().toLowerCase(Locale.ROOT), 320);
    reason = clip(reason, 1000);
    code = clip(code, 64);
  }

  private static String clip(String s, int max) {
    return s == null || s.length() <= max ? s : s.substring(0, max);
  }
}
