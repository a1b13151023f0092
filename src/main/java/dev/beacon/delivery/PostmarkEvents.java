package dev.beacon.delivery;

import dev.beacon.db.Uuids;
import dev.beacon.http.Problem;
import io.vertx.core.json.JsonObject;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.Base64;
import java.util.Set;
import java.util.UUID;

/**
 * Postmark's webhooks (one JSON record per request, {@code RecordType} Delivery, Bounce, SpamComplaint,
 * SubscriptionChange). Postmark signs nothing: the webhook URL carries basic-auth credentials, compared here in
 * constant time.
 */
final class PostmarkEvents {
  /** Bounce types that say the address will never take mail (Postmark deactivates it for these). */
  static final Set<String> HARD = Set.of("HardBounce", "BadEmailAddress", "ManuallyDeactivated", "Unsubscribe");
  /** Bounce types that say "not now": they only count towards the soft-bounce limit. */
  static final Set<String> SOFT = Set.of("SoftBounce", "Transient", "DnsError", "Blocked", "SMTPApiError");

  private final String expected;

  PostmarkEvents(String user, String password) {
    this.expected = "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
  }

  void authenticate(String authorization) {
    if (!Signatures.same(expected, authorization == null ? null : authorization.trim())) {
      throw Problem.badSignature("The Postmark webhook credentials are missing or wrong");
    }
  }

  static Parsed parse(JsonObject o) {
    if (!(o.getValue("RecordType") instanceof String type)) {
      throw Problem.invalid("RecordType", "is required");
    }
    String messageId = o.getString("MessageID");
    JsonObject meta = o.getValue("Metadata") instanceof JsonObject m ? m : new JsonObject();
    var communication = Uuids.parseOrNull(meta.getValue("beacon_communication_id"));
    return switch (type) {
      case "Delivery" -> Parsed.one(new DeliveryEvent(Provider.POSTMARK, "delivery:" + messageId + ":" + o.getString("Recipient"),
          messageId, communication, DeliveryEvent.EMAIL, DeliveryEvent.DELIVERED, null, o.getString("Recipient"),
          o.getString("Details"), null, time(o, "DeliveredAt")));
      case "Bounce", "SpamComplaint" -> bounce(o, messageId, communication);
      case "SubscriptionChange" -> {
        if (!Boolean.TRUE.equals(o.getValue("SuppressSending"))) {
          yield Parsed.ignoredOne();
        }
        String reason = o.getString("SuppressionReason");
        String kind = switch (reason == null ? "" : reason) {
          case "HardBounce" -> DeliveryEvent.BOUNCED;
          case "SpamComplaint" -> DeliveryEvent.COMPLAINED;
          default -> DeliveryEvent.UNSUBSCRIBED;
        };
        String changed = o.getString("ChangedAt");
        yield Parsed.one(new DeliveryEvent(Provider.POSTMARK, "subscription:" + messageId + ":" + o.getString("Recipient")
            + ":" + changed, messageId, communication, DeliveryEvent.EMAIL, kind,
            kind.equals(DeliveryEvent.BOUNCED) ? DeliveryEvent.HARD : null, o.getString("Recipient"), reason, null,
            time(o, "ChangedAt")));
      }
      default -> Parsed.ignoredOne();
    };
  }

  private static Parsed bounce(JsonObject o, String messageId, UUID communication) {
    String type = o.getString("Type", "");
    Object id = o.getValue("ID");
    if (id == null) {
      throw Problem.invalid("ID", "is required");
    }
    String kind;
    String severity = null;
    if (type.equals("SpamComplaint")) {
      kind = DeliveryEvent.COMPLAINED;
    } else if (HARD.contains(type)) {
      kind = DeliveryEvent.BOUNCED;
      severity = DeliveryEvent.HARD;
    } else if (SOFT.contains(type)) {
      kind = DeliveryEvent.BOUNCED;
      severity = DeliveryEvent.SOFT;
    } else {
      return Parsed.ignoredOne();
    }
    Object code = o.getValue("TypeCode");
    return Parsed.one(new DeliveryEvent(Provider.POSTMARK, "bounce:" + id, messageId, communication,
        DeliveryEvent.EMAIL, kind, severity, o.getString("Email"), o.getString("Description", o.getString("Details")),
        code == null ? type : String.valueOf(code), time(o, "BouncedAt")));
  }

  private static Instant time(JsonObject o, String field) {
    String raw = o.getString(field);
    if (raw == null) {
      throw Problem.invalid(field, "is required");
    }
    try {
      return OffsetDateTime.parse(raw).toInstant();
    } catch (DateTimeParseException e) {
      throw Problem.invalid(field, "must be an ISO-8601 date-time");
    }
  }
}
