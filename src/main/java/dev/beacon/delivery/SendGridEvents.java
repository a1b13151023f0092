package dev.beacon.delivery;

import dev.beacon.db.Uuids;
import dev.beacon.http.Headers;
import dev.beacon.http.Problem;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.X509EncodedKeySpec;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * SendGrid's signed Event Webhook: an ECDSA (P-256, SHA-256) signature, base64 DER, over the timestamp header
 * followed by the raw body, checked with the verification key SendGrid shows (base64 of the DER public key).
 * This is what sendgrid-java's {@code EventWebhook} does, with the JDK's own ECDSA instead of BouncyCastle.
 */
final class SendGridEvents {
  static final String SIGNATURE = Headers.SENDGRID_SIGNATURE.toString();
  static final String TIMESTAMP = Headers.SENDGRID_TIMESTAMP.toString();
  static final int MAX_EVENTS = 10_000;

  private final PublicKey key;

  SendGridEvents(String base64Key) {
    try {
      key = KeyFactory.getInstance("EC").generatePublic(new X509EncodedKeySpec(Base64.getDecoder().decode(base64Key)));
    } catch (GeneralSecurityException | IllegalArgumentException e) {
      throw new IllegalArgumentException("delivery.sendgridPublicKey is not an EC public key", e);
    }
  }

  /** Verifies and parses a batch; 401 for a bad signature or stale timestamp, 400 for a body that is no batch. */
  Parsed verify(String signature, String timestamp, String body, Instant now) {
    if (signature == null || timestamp == null || body == null) {
      throw Problem.badSignature("The SendGrid signature headers are missing");
    }
    Signatures.fresh(timestamp, now, "SendGrid");
    boolean ok;
    try {
      Signature ecdsa = Signature.getInstance("SHA256withECDSA");
      ecdsa.initVerify(key);
      ecdsa.update(timestamp.getBytes(StandardCharsets.UTF_8));
      ecdsa.update(body.getBytes(StandardCharsets.UTF_8));
      ok = ecdsa.verify(Base64.getDecoder().decode(signature.trim()));
    } catch (GeneralSecurityException | IllegalArgumentException e) {
      ok = false;
    }
    if (!ok) {
      throw Problem.badSignature("The SendGrid signature does not verify");
    }
    JsonArray batch;
    try {
      batch = new JsonArray(body);
    } catch (DecodeException | ClassCastException e) {
      throw Problem.malformed("The body is not a JSON array of SendGrid events");
    }
    if (batch.size() > MAX_EVENTS) {
      throw Problem.tooLarge("A batch holds at most " + MAX_EVENTS + " events");
    }
    return parse(batch);
  }

  static Parsed parse(JsonArray batch) {
    List<DeliveryEvent> events = new ArrayList<>();
    int ignored = 0;
    int invalid = 0;
    for (Object item : batch) {
      try {
        DeliveryEvent e = item instanceof JsonObject o ? event(o) : null;
        if (e == null && item instanceof JsonObject o && o.getValue("event") instanceof String
            && o.getValue("sg_event_id") instanceof String) {
          ignored++;
        } else if (e == null) {
          invalid++;
        } else {
          events.add(e);
        }
      } catch (RuntimeException bad) {
        invalid++;
      }
    }
    return new Parsed(events, ignored, invalid);
  }

  /** One event, or null when it is of a type Beacon does not use or lacks what every event has. */
  private static DeliveryEvent event(JsonObject o) {
    String type = o.getString("event");
    String id = o.getString("sg_event_id");
    Object ts = o.getValue("timestamp");
    if (type == null || id == null || !(ts instanceof Number n)) {
      return null;
    }
    String kind;
    String severity = null;
    switch (type) {
      case "processed" -> kind = DeliveryEvent.ACCEPTED;
      case "delivered" -> kind = DeliveryEvent.DELIVERED;
      case "deferred" -> kind = DeliveryEvent.DEFERRED;
      case "bounce" -> {
        kind = DeliveryEvent.BOUNCED;
        // "bounce" is a permanent rejection; "blocked" a temporary one (SendGrid keeps no suppression for it).
        severity = "blocked".equals(o.getString("type")) ? DeliveryEvent.SOFT : DeliveryEvent.HARD;
      }
      case "blocked" -> {
        kind = DeliveryEvent.BOUNCED;
        severity = DeliveryEvent.SOFT;
      }
      case "dropped" -> {
        kind = DeliveryEvent.FAILED;
        severity = DeliveryEvent.HARD;
      }
      case "spamreport" -> kind = DeliveryEvent.COMPLAINED;
      case "unsubscribe", "group_unsubscribe" -> kind = DeliveryEvent.UNSUBSCRIBED;
      default -> {
        return null;
      }
    }
    String reason = o.getString("reason", o.getString("response"));
    return new DeliveryEvent(Provider.SENDGRID, id, messageId(o.getString("sg_message_id")),
        Uuids.parseOrNull(o.getValue("beacon_communication_id")), DeliveryEvent.EMAIL, kind, severity,
        o.getString("email"), reason, o.getValue("status") == null ? null : String.valueOf(o.getValue("status")),
        Instant.ofEpochSecond(n.longValue()));
  }

  /** The X-Message-Id part of {@code sg_message_id} ("14c5d75ce93.dfd.64b469.filter0001..." has it before ".filter"). */
  static String messageId(String sgMessageId) {
    if (sgMessageId == null) {
      return null;
    }
    int filter = sgMessageId.indexOf(".filter");
    return filter > 0 ? sgMessageId.substring(0, filter) : sgMessageId;
  }
}
