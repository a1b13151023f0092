package dev.beacon.delivery;

import dev.beacon.db.Uuids;
import dev.beacon.http.Problem;
import io.vertx.core.json.JsonObject;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;

/**
 * Mailgun's webhooks (JSON, one event per request): {@code signature.signature} is the hex HMAC-SHA256, keyed with
 * the webhook signing key, of {@code signature.timestamp} followed by {@code signature.token}. That covers no
 * body, so a stale timestamp is refused here and a token seen before is refused by the ledger.
 */
final class MailgunEvents {
  private final byte[] key;

  MailgunEvents(String signingKey) {
    this.key = signingKey.getBytes(StandardCharsets.UTF_8);
  }

  /** The verified signature's token (for the replay check) and the event. */
  record Verified(String token, Parsed parsed) {}

  Verified verify(JsonObject body, Instant now) {
    JsonObject sig = body.getValue("signature") instanceof JsonObject s ? s : null;
    if (sig == null || !(sig.getValue("token") instanceof String token) || token.isEmpty() || token.length() > 200
        || !(sig.getValue("signature") instanceof String signature)) {
      throw Problem.badSignature("The Mailgun signature is missing");
    }
    String timestamp = String.valueOf(sig.getValue("timestamp"));
    byte[] expected = Signatures.hmac("HmacSHA256", key, timestamp + token);
    byte[] given;
    try {
      given = HexFormat.of().parseHex(signature.trim());
    } catch (IllegalArgumentException e) {
      given = null;
    }
    if (!Signatures.same(expected, given)) {
      throw Problem.badSignature("The Mailgun signature does not verify");
    }
    Signatures.fresh(timestamp, now, "Mailgun");
    if (!(body.getValue("event-data") instanceof JsonObject data)) {
      throw Problem.malformed("event-data is required");
    }
    return new Verified(token, parse(data));
  }

  static Parsed parse(JsonObject d) {
    if (!(d.getValue("id") instanceof String id) || !(d.getValue("event") instanceof String type)
        || !(d.getValue("timestamp") instanceof Number ts)) {
      return new Parsed(List.of(), 0, 1);
    }
    String kind;
    String severity = null;
    switch (type) {
      case "accepted" -> kind = DeliveryEvent.ACCEPTED;
      case "delivered" -> kind = DeliveryEvent.DELIVERED;
      case "failed" -> {
        kind = DeliveryEvent.BOUNCED;
        severity = "permanent".equals(d.getString("severity")) ? DeliveryEvent.HARD : DeliveryEvent.SOFT;
      }
      case "complained" -> kind = DeliveryEvent.COMPLAINED;
      case "unsubscribed" -> kind = DeliveryEvent.UNSUBSCRIBED;
      default -> {
        return Parsed.ignoredOne();
      }
    }
    JsonObject status = d.getValue("delivery-status") instanceof JsonObject s ? s : new JsonObject();
    JsonObject vars = d.getValue("user-variables") instanceof JsonObject v ? v : new JsonObject();
    JsonObject message = d.getValue("message") instanceof JsonObject m ? m : new JsonObject();
    JsonObject headers = message.getValue("headers") instanceof JsonObject h ? h : new JsonObject();
    String reason = status.getString("description");
    if (reason == null || reason.isEmpty()) {
      reason = status.getString("message", d.getString("reason"));
    }
    Object code = status.getValue("code");
    long millis = Math.round(ts.doubleValue() * 1000);
    return Parsed.one(new DeliveryEvent(Provider.MAILGUN, id, MessageIds.mailgun(headers.getString("message-id")),
        Uuids.parseOrNull(vars.getValue("beacon_communication_id")), DeliveryEvent.EMAIL, kind, severity,
        d.getString("recipient"), reason, code == null ? null : String.valueOf(code), Instant.ofEpochMilli(millis)));
  }
}
