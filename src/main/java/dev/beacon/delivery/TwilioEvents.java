package dev.beacon.delivery;

import dev.beacon.db.Uuids;
import dev.beacon.http.Headers;
import dev.beacon.http.Problem;
import io.vertx.core.MultiMap;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.TreeMap;
import java.util.UUID;

/**
 * Twilio's {@code X-Twilio-Signature}: base64 HMAC-SHA1, keyed with the account's auth token, of the full URL
 * Twilio requested followed by every POST parameter name and value, sorted by name. As the Twilio library's
 * {@code RequestValidator} does, the URL is tried as configured and with its default port added or removed
 * (Twilio signs the URL as it was set up in the console).
 */
final class TwilioEvents {
  static final String SIGNATURE = Headers.TWILIO_SIGNATURE.toString();

  private final byte[] token;

  TwilioEvents(String authToken) {
    this.token = authToken.getBytes(StandardCharsets.UTF_8);
  }

  void verify(String url, MultiMap params, String signature) {
    if (signature == null || signature.isBlank()) {
      throw Problem.badSignature("The X-Twilio-Signature header is missing");
    }
    byte[] given;
    try {
      given = Base64.getDecoder().decode(signature.trim());
    } catch (IllegalArgumentException e) {
      throw Problem.badSignature("The X-Twilio-Signature does not verify");
    }
    for (String candidate : urls(url)) {
      if (Signatures.same(sign(candidate, params), given)) {
        return;
      }
    }
    throw Problem.badSignature("The X-Twilio-Signature does not verify");
  }

  byte[] sign(String url, MultiMap params) {
    StringBuilder data = new StringBuilder(url);
    TreeMap<String, List<String>> sorted = new TreeMap<>();
    for (String name : params.names()) {
      List<String> values = new ArrayList<>(params.getAll(name));
      values.sort(null);
      sorted.put(name, values);
    }
    sorted.forEach((name, values) -> values.forEach(v -> data.append(name).append(v)));
    return Signatures.hmac("HmacSHA1", token, data.toString());
  }

  /** The URL as given, and with the scheme's default port toggled. */
  static List<String> urls(String url) {
    List<String> out = new ArrayList<>();
    out.add(url);
    try {
      URI u = URI.create(url);
      int standard = "https".equals(u.getScheme()) ? 443 : 80;
      if (u.getPort() == -1) {
        out.add(new URI(u.getScheme(), u.getUserInfo(), u.getHost(), standard, u.getRawPath(), null, null)
            + (u.getRawQuery() == null ? "" : "?" + u.getRawQuery()));
      } else if (u.getPort() == standard) {
        out.add(new URI(u.getScheme(), u.getUserInfo(), u.getHost(), -1, u.getRawPath(), null, null)
            + (u.getRawQuery() == null ? "" : "?" + u.getRawQuery()));
      }
    } catch (IllegalArgumentException | URISyntaxException e) {
      // Only the URL as given.
    }
    return out;
  }

  /** A status callback; unknown statuses (queued, sending, read...) are ignored. */
  static Parsed status(MultiMap p, String communicationId, Instant now) {
    String sid = p.get("MessageSid");
    String status = p.get("MessageStatus");
    if (sid == null || status == null) {
      throw Problem.invalid(sid == null ? "MessageSid" : "MessageStatus", "is required");
    }
    String kind = switch (status) {
      case "sent" -> DeliveryEvent.ACCEPTED;
      case "delivered" -> DeliveryEvent.DELIVERED;
      case "undelivered", "failed" -> DeliveryEvent.FAILED;
      default -> null;
    };
    if (kind == null) {
      return Parsed.ignoredOne();
    }
    String code = p.get("ErrorCode");
    String severity = kind.equals(DeliveryEvent.FAILED) ? DeliveryEvent.HARD : null;
    UUID communication = Uuids.parseOrNull(communicationId);
    return Parsed.one(new DeliveryEvent(Provider.TWILIO, sid + ":" + status, sid, communication, DeliveryEvent.SMS,
        kind, severity, null, p.get("ErrorMessage"), code == null || code.isEmpty() ? null : code, now));
  }
}
