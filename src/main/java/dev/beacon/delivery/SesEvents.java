package dev.beacon.delivery;

import dev.beacon.db.Uuids;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * Amazon SES notifications inside an SNS message: {@code notificationType} (identity notifications) or
 * {@code eventType} (configuration-set event publishing) Delivery, Bounce (Permanent, Transient, Undetermined)
 * or Complaint, one event per recipient. The communication comes from the message tag
 * {@code beacon_communication_id}, else the {@code X-Beacon-Communication-Id} header in {@code mail.headers}.
 */
final class SesEvents {
  static final String HEADER = "X-Beacon-Communication-Id";
  static final String TAG = "beacon_communication_id";

  private SesEvents() {}

  /** The events of one notification; one that lacks what its type needs counts as invalid. */
  static Parsed parse(String snsMessageId, String message) {
    try {
      return events(snsMessageId, message);
    } catch (IllegalArgumentException e) {
      return new Parsed(List.of(), 0, 1);
    }
  }

  private static Parsed events(String snsMessageId, String message) {
    if (snsMessageId == null || message == null) {
      return new Parsed(List.of(), 0, 1);
    }
    JsonObject n;
    try {
      n = new JsonObject(message);
    } catch (DecodeException | ClassCastException e) {
      return new Parsed(List.of(), 0, 1);
    }
    String type = n.getString("notificationType", n.getString("eventType"));
    JsonObject mail = n.getValue("mail") instanceof JsonObject m ? m : new JsonObject();
    String messageId = mail.getString("messageId");
    UUID communication = communication(mail);
    List<DeliveryEvent> events = new ArrayList<>();
    if ("Delivery".equals(type)) {
      JsonObject d = object(n, "delivery");
      int i = 0;
      for (Object r : array(d, "recipients")) {
        events.add(new DeliveryEvent(Provider.SES, snsMessageId + ":" + i++, messageId, communication,
            DeliveryEvent.EMAIL, DeliveryEvent.DELIVERED, null, String.valueOf(r), d.getString("smtpResponse"), null,
            time(d.getString("timestamp"))));
      }
    } else if ("Bounce".equals(type)) {
      JsonObject b = object(n, "bounce");
      String severity = "Permanent".equals(b.getString("bounceType")) ? DeliveryEvent.HARD : DeliveryEvent.SOFT;
      int i = 0;
      for (Object r : array(b, "bouncedRecipients")) {
        JsonObject rec = r instanceof JsonObject o ? o : new JsonObject();
        events.add(new DeliveryEvent(Provider.SES, snsMessageId + ":" + i++, messageId, communication,
            DeliveryEvent.EMAIL, DeliveryEvent.BOUNCED, severity, rec.getString("emailAddress"),
            rec.getString("diagnosticCode", b.getString("bounceSubType")), rec.getString("status"),
            time(b.getString("timestamp"))));
      }
    } else if ("Complaint".equals(type)) {
      JsonObject c = object(n, "complaint");
      int i = 0;
      for (Object r : array(c, "complainedRecipients")) {
        JsonObject rec = r instanceof JsonObject o ? o : new JsonObject();
        events.add(new DeliveryEvent(Provider.SES, snsMessageId + ":" + i++, messageId, communication,
            DeliveryEvent.EMAIL, DeliveryEvent.COMPLAINED, null, rec.getString("emailAddress"),
            c.getString("complaintFeedbackType"), null, time(c.getString("timestamp"))));
      }
    } else {
      return Parsed.ignoredOne();
    }
    return events.isEmpty() ? new Parsed(List.of(), 0, 1) : new Parsed(events, 0, 0);
  }

  private static UUID communication(JsonObject mail) {
    if (mail.getValue("tags") instanceof JsonObject tags && tags.getValue(TAG) instanceof JsonArray a && !a.isEmpty()) {
      UUID id = Uuids.parseOrNull(a.getValue(0));
      if (id != null) {
        return id;
      }
    }
    for (Object h : array(mail, "headers")) {
      if (h instanceof JsonObject o && HEADER.equalsIgnoreCase(o.getString("name", ""))) {
        return Uuids.parseOrNull(o.getValue("value"));
      }
    }
    return null;
  }

  private static JsonObject object(JsonObject o, String field) {
    if (o.getValue(field) instanceof JsonObject j) {
      return j;
    }
    throw new IllegalArgumentException(field + " is required");
  }

  private static JsonArray array(JsonObject o, String field) {
    return o.getValue(field) instanceof JsonArray a ? a : new JsonArray();
  }

  private static Instant time(String raw) {
    try {
      return Instant.parse(raw);
    } catch (DateTimeParseException | NullPointerException e) {
      throw new IllegalArgumentException("timestamp must be an ISO-8601 instant");
    }
  }
}
