package dev.beacon.delivery;

import dev.beacon.delivery.ProviderKit.Sent;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static dev.beacon.delivery.ProviderKit.mgEvent;
import static dev.beacon.delivery.ProviderKit.sgEvent;
import static dev.beacon.support.TestApp.AGENT_KEY;
import static dev.beacon.support.TestApp.VIEWER_KEY;
import static dev.beacon.support.TestApp.await;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code PUT /api/communications/{id}/provider-message}: the sender records the provider's id of a message, and the
 * events that came naming no communication are matched and take effect then, once.
 */
class ProviderMessageIT extends WithProviderKit {
  private static HttpResponse<Buffer> record(String communicationId, String provider, String messageId) {
    return kit.http.put("/api/communications/" + communicationId + "/provider-message", AGENT_KEY,
        new JsonObject().put("provider", provider).put("messageId", messageId));
  }

  /** A SendGrid event of message {@code xMessageId} that names no communication (no custom argument). */
  private static JsonObject sgUnmatched(String eventId, String type, String email, String xMessageId) {
    JsonObject e = sgEvent(eventId, type, email, null);
    return e.put("sg_message_id", xMessageId + ".filterdrecv-5bd4f4b9c-abcde-1-6566E5C4-4.0");
  }

  private static String twilioSid() {
    return "SM" + UUID.randomUUID().toString().replace("-", "");
  }

  @Test
  @DisplayName("an unmatched hard bounce takes effect when the message id is recorded; a replay changes nothing twice")
  void unmatchedBounce_thenRecorded_appliesOnce() {
    Sent s = kit.sentEmail();
    String xMessageId = "W86EgYT6SQKk0lRflfLRsA";
    HttpResponse<Buffer> early = kit.sendgrid(new JsonArray()
        .add(sgUnmatched("pm-b1", "bounce", s.email(), xMessageId).put("type", "bounce").put("status", "5.1.1")));
    assertThat(early.bodyAsJsonObject().getInteger("unmatched")).isEqualTo(1);
    assertThat(kit.gate(s.debtor(), "email")).isEqualTo("allowed");

    HttpResponse<Buffer> r = record(s.id(), "sendgrid", xMessageId);
    assertThat(r.statusCode()).as(r.bodyAsString()).isEqualTo(201);
    JsonObject b = r.bodyAsJsonObject();
    assertThat(b.getString("communicationId")).isEqualTo(s.id());
    assertThat(b.getString("provider")).isEqualTo("sendgrid");
    assertThat(b.getString("messageId")).isEqualTo(xMessageId);
    assertThat(b.getInteger("matchedEvents")).isEqualTo(1);
    assertThat(b.getString("recordedAt")).isNotBlank();
    assertThat(kit.gate(s.debtor(), "email")).isEqualTo("email-undeliverable");
    assertThat(kit.status(s.id())).isEqualTo("bounced");
    assertThat(kit.count("SELECT count(*) FROM delivery_events WHERE communication_id IS NULL")).isZero();

    HttpResponse<Buffer> again = record(s.id(), "sendgrid", xMessageId);
    assertThat(again.statusCode()).isEqualTo(200);
    assertThat(again.bodyAsJsonObject().getInteger("matchedEvents")).isZero();
    assertThat(again.bodyAsJsonObject().getString("recordedAt")).isEqualTo(b.getString("recordedAt"));
    assertThat(kit.count("SELECT count(*) FROM email_undeliverable")).isEqualTo(1);
    assertThat(kit.count("SELECT count(*) FROM provider_messages")).isEqualTo(1);

    // A later event carrying only the message id now finds the communication at once.
    kit.assertComplaintApplied(kit.sendgrid(new JsonArray()
        .add(sgUnmatched("pm-s1", "spamreport", s.email(), xMessageId))));
  }

  @Test
  @DisplayName("concurrent records of the same id: one 201, the rest 200, the bounce applied once")
  void concurrentRecords_applyOnce() {
    Sent s = kit.sentEmail();
    String id = "conc-" + UUID.randomUUID();
    kit.sendgrid(new JsonArray().add(sgUnmatched("pm-c1", "bounce", s.email(), id).put("type", "bounce")));
    List<Future<HttpResponse<Buffer>>> calls = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      calls.add(kit.http.as(kit.app.client.put("/api/communications/" + s.id() + "/provider-message"), AGENT_KEY)
          .sendJsonObject(new JsonObject().put("provider", "sendgrid").put("messageId", id)));
    }
    int created = 0;
    int matched = 0;
    for (var f : calls) {
      HttpResponse<Buffer> r = await(f);
      assertThat(r.statusCode()).as(r.bodyAsString()).isIn(200, 201);
      created += r.statusCode() == 201 ? 1 : 0;
      matched += r.bodyAsJsonObject().getInteger("matchedEvents");
    }
    assertThat(created).isEqualTo(1);
    assertThat(matched).isEqualTo(1);
    assertThat(kit.count("SELECT count(*) FROM email_undeliverable")).isEqualTo(1);
  }

  @Test
  @DisplayName("Twilio: an unmatched 21610 failure records the SMS opt-out when the sid is recorded")
  void twilio_unmatchedUnsubscribed_thenRecorded() {
    Sent s = kit.sentSms();
    String sid = twilioSid();
    HttpResponse<Buffer> early = kit.twilio("/webhooks/twilio/status", Map.of("MessageSid", sid,
        "MessageStatus", "undelivered", "ErrorCode", "21610", "To", "+15125550100"), ProviderKit.TWILIO_TOKEN);
    assertThat(early.bodyAsJsonObject().getInteger("unmatched")).as(early.bodyAsString()).isEqualTo(1);
    assertThat(kit.gate(s.debtor(), "sms")).isEqualTo("allowed");

    assertThat(record(s.id(), "twilio", sid).statusCode()).isEqualTo(201);
    assertThat(kit.gate(s.debtor(), "sms")).isEqualTo("opt-out");
    assertThat(kit.status(s.id())).isEqualTo("failed");
    assertThat(record(s.id(), "twilio", sid).statusCode()).isEqualTo(200);
    assertThat(kit.count("SELECT count(*) FROM debtor_opt_outs WHERE channel = 'sms'")).isEqualTo(1);
  }

  @Test
  @DisplayName("Mailgun: the send answer's <id> matches events whose Message-Id has no angle brackets")
  void mailgun_bracketedSendId_matchesEvents() {
    Sent s = kit.sentEmail();
    String header = "20260110123456.1.ABCDEF@mg.example.com";
    JsonObject failed = mgEvent("mg-u1", "failed", "permanent", s.email(), null);
    failed.getJsonObject("message").getJsonObject("headers").put("message-id", header);
    assertThat(kit.mailgun(failed, "tok-u1", Instant.now(), ProviderKit.MAILGUN_KEY).bodyAsJsonObject()
        .getInteger("unmatched")).isEqualTo(1);
    HttpResponse<Buffer> r = record(s.id(), "mailgun", "<" + header + ">");
    assertThat(r.statusCode()).as(r.bodyAsString()).isEqualTo(201);
    assertThat(r.bodyAsJsonObject().getString("messageId")).isEqualTo(header);
    assertThat(kit.gate(s.debtor(), "email")).isEqualTo("email-undeliverable");
  }

  @Test
  @DisplayName("409 for another id at the same provider or an id of another communication; nothing changes")
  void conflicts() {
    Sent s = kit.sentEmail();
    String other = kit.sent(s.debtor(), "email");
    assertThat(record(s.id(), "ses", "0100018c-aaaa-bbbb-cccc-000000000001").statusCode()).isEqualTo(201);
    HttpResponse<Buffer> second = record(s.id(), "ses", "0100018c-aaaa-bbbb-cccc-000000000002");
    assertThat(second.statusCode()).isEqualTo(409);
    assertThat(second.getHeader("Content-Type")).startsWith("application/problem+json");
    assertThat(record(other, "ses", "0100018c-aaaa-bbbb-cccc-000000000001").statusCode()).isEqualTo(409);
    // another provider's id for the same communication is its own
    assertThat(record(s.id(), "sendgrid", "abc.def.123").statusCode()).isEqualTo(201);
    assertThat(kit.count("SELECT count(*) FROM provider_messages")).isEqualTo(2);

    // an id its own events already carry counts as known: an event named the communication with SendGrid id "msg-<id>"
    kit.sendgrid(new JsonArray().add(sgEvent("pm-k1", "delivered", s.email(), other)));
    assertThat(record(other, "sendgrid", "something-else").statusCode()).isEqualTo(409);
    assertThat(record(other, "sendgrid", "msg-" + other).statusCode()).isEqualTo(201);
  }

  @Test
  @DisplayName("404 for an unknown communication; 400 naming the field for a bad provider, id or channel; agents only")
  void badRequests() {
    Sent s = kit.sentEmail();
    HttpResponse<Buffer> unknown = record(UUID.randomUUID().toString(), "sendgrid", "abc");
    assertThat(unknown.statusCode()).isEqualTo(404);
    assertField(record(s.id(), "sparkpost", "abc"), "provider");
    assertField(record(s.id(), "twilio", twilioSid()), "provider");
    assertField(record(s.id(), "postmark", "not-a-uuid"), "messageId");
    assertField(record(s.id(), "sendgrid", "has space"), "messageId");
    assertField(record(s.id(), "sendgrid", "x".repeat(301)), "messageId");
    assertField(kit.http.put("/api/communications/" + s.id() + "/provider-message", AGENT_KEY,
        new JsonObject().put("provider", "sendgrid")), "messageId");
    assertField(kit.http.put("/api/communications/" + s.id() + "/provider-message", AGENT_KEY,
        new JsonObject().put("provider", "sendgrid").put("messageId", "abc").put("extra", 1)), "extra");
    assertField(record("not-a-uuid", "sendgrid", "abc"), "id");
    assertThat(kit.http.put("/api/communications/" + s.id() + "/provider-message", VIEWER_KEY,
        new JsonObject().put("provider", "sendgrid").put("messageId", "abc")).statusCode()).isEqualTo(403);
    assertThat(await(kit.app.client.put("/api/communications/" + s.id() + "/provider-message")
        .sendJsonObject(new JsonObject().put("provider", "sendgrid").put("messageId", "abc"))).statusCode())
        .isEqualTo(401);
    assertThat(kit.count("SELECT count(*) FROM provider_messages")).isZero();
  }

  private static void assertField(HttpResponse<Buffer> r, String field) {
    assertThat(r.statusCode()).as(r.bodyAsString()).isEqualTo(400);
    assertThat(r.bodyAsString()).contains("\"" + field + "\"");
  }
}
