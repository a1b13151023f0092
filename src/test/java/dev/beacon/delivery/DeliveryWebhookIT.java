package dev.beacon.delivery;

import dev.beacon.delivery.ProviderKit.Sent;
import dev.beacon.metrics.Meters;
import dev.beacon.support.TestApp;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static dev.beacon.delivery.ProviderKit.mgEvent;
import static dev.beacon.delivery.ProviderKit.sgEvent;
import static dev.beacon.support.TestApp.AGENT_KEY;
import static dev.beacon.support.TestApp.await;
import static org.assertj.core.api.Assertions.assertThat;

/** Every provider's webhook over real HTTP and PostgreSQL, signed with each provider's real scheme. */
class DeliveryWebhookIT extends WithProviderKit {
  // ---------------------------------------------------------------- SendGrid

  @Test
  @DisplayName("SendGrid: a signed batch is applied; a hard bounce refuses the next email until the email changes")
  void sendgrid_hardBounce_refusesEmailUntilEmailChanges() {
    Sent s = kit.sentEmail();
    HttpResponse<Buffer> r = kit.sendgrid(new JsonArray()
        .add(sgEvent("sg1", "processed", s.email(), s.id()))
        .add(sgEvent("sg2", "bounce", s.email(), s.id()).put("type", "bounce").put("status", "5.1.1")
            .put("reason", "550 5.1.1 user unknown")));
    assertThat(r.statusCode()).as(r.bodyAsString()).isEqualTo(200);
    assertThat(r.bodyAsJsonObject().getInteger("applied")).isEqualTo(2);
    assertThat(kit.status(s.id())).isEqualTo("bounced");
    assertThat(kit.gate(s.debtor(), "email")).isEqualTo("email-undeliverable");
    assertThat(kit.gate(s.debtor(), "sms")).isEqualTo("allowed");

    HttpResponse<Buffer> refused = kit.contact(s.debtor(), "email", new JsonObject());
    assertThat(refused.statusCode()).isEqualTo(422);
    assertThat(refused.bodyAsJsonObject().getString("rule")).isEqualTo("email-undeliverable");

    HttpResponse<Buffer> changed = kit.http.patch("/api/debtors/" + s.debtor().getString("id"), AGENT_KEY,
        new JsonObject().put("email", "new-" + UUID.randomUUID() + "@example.com"));
    assertThat(changed.statusCode()).as(changed.bodyAsString()).isEqualTo(200);
    assertThat(kit.gate(s.debtor(), "email")).isEqualTo("allowed");
  }

  @Test
  @DisplayName("SendGrid: tampered body, wrong key, stale timestamp and missing headers are 401 and store nothing")
  void sendgrid_badSignatures_storeNothing() {
    Sent s = kit.sentEmail();
    String body = new JsonArray().add(sgEvent("sg1", "spamreport", s.email(), s.id())).encode();
    assertThat(kit.sendgrid(body, Instant.now(), body.replace("spamreport", "delivered")).statusCode()).isEqualTo(401);
    assertThat(kit.sendgrid(body, Instant.now().minus(Duration.ofMinutes(30)), null).statusCode()).isEqualTo(401);
    HttpResponse<Buffer> unsigned = await(kit.app.client.post("/webhooks/sendgrid").sendBuffer(Buffer.buffer(body)));
    assertThat(unsigned.statusCode()).isEqualTo(401);
    assertThat(unsigned.getHeader("Content-Type")).startsWith("application/problem+json");
    assertThat(kit.events()).isZero();
    assertThat(kit.count("SELECT count(*) FROM debtor_opt_outs")).isZero();
  }

  @Test
  @DisplayName("SendGrid: a replayed batch and concurrent duplicates apply each event once")
  void sendgrid_replayAndConcurrentDuplicates_applyOnce() {
    Sent s = kit.sentEmail();
    String body = new JsonArray().add(sgEvent("sg-dup", "spamreport", s.email(), s.id())).encode();
    for (int i = 0; i < 3; i++) {
      assertThat(kit.sendgrid(body, Instant.now(), null).statusCode()).isEqualTo(200);
    }
    // Concurrent: many requests in flight at once for the same event.
    List<Future<HttpResponse<Buffer>>> concurrent = new ArrayList<>();
    String body2 = new JsonArray().add(sgEvent("sg-conc", "delivered", s.email(), s.id())).encode();
    for (int i = 0; i < 8; i++) {
      concurrent.add(kit.sendgridAsync(body2, Instant.now(), null));
    }
    int applied = 0;
    for (var f : concurrent) {
      HttpResponse<Buffer> r = await(f);
      assertThat(r.statusCode()).isEqualTo(200);
      applied += r.bodyAsJsonObject().getInteger("applied");
    }
    assertThat(applied).isEqualTo(1);
    assertThat(kit.count("SELECT count(*) FROM delivery_events WHERE provider_event_id = 'sg-dup'")).isEqualTo(1);
    assertThat(kit.count("SELECT count(*) FROM delivery_events WHERE provider_event_id = 'sg-conc'")).isEqualTo(1);
    assertThat(kit.count("SELECT count(*) FROM debtor_opt_outs WHERE source = 'complaint' AND channel = 'email'"))
        .isEqualTo(1);
    assertThat(kit.gate(s.debtor(), "email")).isEqualTo("opt-out");
  }

  @Test
  @DisplayName("SendGrid: one bad event and an unknown type never drop the others; unknown types are counted")
  void sendgrid_badAndUnknownEvents_othersApplied() {
    Sent s = kit.sentEmail();
    HttpResponse<Buffer> r = kit.sendgrid(new JsonArray()
        .add(new JsonObject().put("event", "delivered"))
        .add("not an event")
        .add(sgEvent("sg-open", "open", s.email(), s.id()))
        .add(sgEvent("sg-unsub", "group_unsubscribe", s.email(), s.id()).put("asm_group_id", 1))
        .add(sgEvent("sg-del", "delivered", s.email(), s.id())));
    assertThat(r.statusCode()).isEqualTo(200);
    JsonObject b = r.bodyAsJsonObject();
    assertThat(b.getInteger("applied")).isEqualTo(2);
    assertThat(b.getInteger("ignored")).isEqualTo(1);
    assertThat(b.getInteger("invalid")).isEqualTo(2);
    assertThat(kit.count("SELECT count(*) FROM debtor_opt_outs WHERE source = 'provider_unsubscribe'")).isEqualTo(1);
    assertThat(kit.status(s.id())).isEqualTo("delivered");
    HttpResponse<Buffer> notArray = kit.sendgrid("{\"event\":1}", Instant.now(), null);
    assertThat(notArray.statusCode()).isEqualTo(400);
  }

  @Test
  @DisplayName("SendGrid: an event naming no communication is kept unmatched and applied when a later event names it")
  void sendgrid_unmatchedThenMatched_byMessageId() {
    Sent s = kit.sentEmail();
    JsonObject early = sgEvent("sg-early", "bounce", s.email(), s.id()).put("type", "bounce");
    early.remove("beacon_communication_id");
    HttpResponse<Buffer> r = kit.sendgrid(new JsonArray().add(early));
    assertThat(r.bodyAsJsonObject().getInteger("unmatched")).isEqualTo(1);
    assertThat(kit.gate(s.debtor(), "email")).isEqualTo("allowed");
    assertThat(kit.count("SELECT count(*) FROM delivery_events WHERE communication_id IS NULL")).isEqualTo(1);

    // Out of order: the processed event (with the id) comes after the bounce.
    kit.sendgrid(new JsonArray().add(sgEvent("sg-later", "processed", s.email(), s.id())));
    assertThat(kit.count("SELECT count(*) FROM delivery_events WHERE communication_id IS NULL")).isZero();
    assertThat(kit.count("SELECT count(*) FROM delivery_events WHERE matched_at IS NOT NULL")).isEqualTo(1);
    assertThat(kit.gate(s.debtor(), "email")).isEqualTo("email-undeliverable");
    assertThat(kit.status(s.id())).isEqualTo("bounced");
  }

  @Test
  @DisplayName("SendGrid: soft bounces count; three in a row make the address undeliverable, a delivery resets")
  void sendgrid_softBounces_inARow() {
    ProviderKit.Emailed m = kit.emailed(4);
    kit.sendgrid(new JsonArray().add(sgEvent("b1", "bounce", m.email(), m.ids().get(0)).put("type", "blocked"))
        .add(sgEvent("b2", "blocked", m.email(), m.ids().get(1))));
    assertThat(kit.gate(m.debtor(), "email")).isEqualTo("allowed");
    kit.sendgrid(new JsonArray().add(sgEvent("ok", "delivered", m.email(), m.ids().get(2))));
    kit.sendgrid(new JsonArray().add(sgEvent("b3", "deferred", m.email(), m.ids().get(3))));
    assertThat(kit.gate(m.debtor(), "email")).as("a delivery in between resets the count").isEqualTo("allowed");
    m.ids().addAll(kit.sent(m.debtor(), "email", 2));
    JsonObject later = sgEvent("b4", "blocked", m.email(), m.ids().get(3))
        .put("timestamp", Instant.now().getEpochSecond() + 1);
    kit.sendgrid(new JsonArray().add(later)
        .add(sgEvent("b5", "blocked", m.email(), m.ids().get(4)).put("timestamp", Instant.now().getEpochSecond() + 2))
        .add(sgEvent("b6", "blocked", m.email(), m.ids().get(5)).put("timestamp", Instant.now().getEpochSecond() + 3)));
    assertThat(kit.gate(m.debtor(), "email")).isEqualTo("email-undeliverable");
    assertThat(kit.count("SELECT count(*) FROM email_undeliverable WHERE reason = 'soft_bounces'")).isEqualTo(1);
  }

  // ---------------------------------------------------------------- Mailgun

  @Test
  @DisplayName("Mailgun: permanent failure refuses email; temporary only counts; replayed tokens and stale or forged signatures are refused")
  void mailgun_failures_andSignatureChecks() {
    Sent s = kit.sentEmail();
    HttpResponse<Buffer> temp = mailgun(s, "mg-t", "failed", "temporary", "tok-1");
    assertThat(temp.statusCode()).as(temp.bodyAsString()).isEqualTo(200);
    assertThat(kit.gate(s.debtor(), "email")).isEqualTo("allowed");

    assertThat(kit.mailgun(mgEvent("mg-x", "failed", "permanent", s.email(), s.id()), "tok-2", Instant.now(), "wrong-key")
        .statusCode()).isEqualTo(401);
    assertThat(kit.mailgun(mgEvent("mg-x", "failed", "permanent", s.email(), s.id()), "tok-3",
        Instant.now().minus(Duration.ofHours(1)), ProviderKit.MAILGUN_KEY).statusCode()).isEqualTo(401);
    // The signature covers only the token: a new body under a used token is refused.
    assertThat(mailgun(s, "mg-x", "failed", "permanent", "tok-1").statusCode()).isEqualTo(401);
    assertThat(kit.count("SELECT count(*) FROM delivery_events WHERE provider_event_id = 'mg-x'")).isZero();

    HttpResponse<Buffer> perm = mailgun(s, "mg-p", "failed", "permanent", "tok-4");
    assertThat(perm.bodyAsJsonObject().getInteger("applied")).isEqualTo(1);
    assertThat(kit.gate(s.debtor(), "email")).isEqualTo("email-undeliverable");
    // The same delivery again (its token with its own event): a duplicate, 200.
    HttpResponse<Buffer> again = mailgun(s, "mg-p", "failed", "permanent", "tok-4");
    assertThat(again.statusCode()).isEqualTo(200);
    assertThat(again.bodyAsJsonObject().getInteger("duplicate")).isEqualTo(1);

    HttpResponse<Buffer> unknown = mailgun(s, "mg-o", "opened", null, "tok-5");
    assertThat(unknown.statusCode()).isEqualTo(200);
    assertThat(unknown.bodyAsJsonObject().getInteger("ignored")).isEqualTo(1);

    HttpResponse<Buffer> complained = mailgun(s, "mg-c", "complained", null, "tok-6");
    assertThat(complained.bodyAsJsonObject().getInteger("applied")).isEqualTo(1);
    assertThat(kit.gate(s.debtor(), "email")).isEqualTo("opt-out");
  }

  /** A Mailgun event about {@code s}, signed now with the configured key under {@code token}. */
  private static HttpResponse<Buffer> mailgun(Sent s, String id, String event, String severity, String token) {
    return kit.mailgun(mgEvent(id, event, severity, s.email(), s.id()), token, Instant.now(), ProviderKit.MAILGUN_KEY);
  }

  // ---------------------------------------------------------------- Postmark

  @Test
  @DisplayName("Postmark: wrong or missing credentials are 401; Delivery, HardBounce, SpamComplaint and SubscriptionChange apply")
  void postmark_credentialsAndRecords() {
    Sent s = kit.sentEmail();
    JsonObject meta = new JsonObject().put("beacon_communication_id", s.id());
    JsonObject delivery = new JsonObject().put("RecordType", "Delivery").put("ServerID", 23).put("MessageStream", "outbound")
        .put("MessageID", "pm-" + s.id()).put("Recipient", s.email()).put("Tag", "").put("DeliveredAt", Instant.now().toString())
        .put("Details", "Test delivery webhook details").put("Metadata", meta);
    assertThat(kit.postmark(delivery, ProviderKit.POSTMARK_USER, "wrong").statusCode()).isEqualTo(401);
    assertThat(kit.postmark(delivery, null, null).statusCode()).isEqualTo(401);
    assertThat(kit.events()).isZero();
    assertThat(kit.postmark(delivery).statusCode()).isEqualTo(200);
    assertThat(kit.status(s.id())).isEqualTo("delivered");

    JsonObject soft = new JsonObject().put("RecordType", "Bounce").put("ID", 42).put("Type", "SoftBounce").put("TypeCode", 4096)
        .put("MessageID", "pm-" + s.id()).put("Email", s.email()).put("BouncedAt", Instant.now().toString())
        .put("Description", "The server was unable to deliver your message").put("Metadata", meta);
    kit.postmark(soft);
    assertThat(kit.gate(s.debtor(), "email")).isEqualTo("allowed");
    JsonObject hard = soft.copy().put("ID", 43).put("Type", "HardBounce").put("TypeCode", 1);
    kit.postmark(hard);
    assertThat(kit.gate(s.debtor(), "email")).isEqualTo("email-undeliverable");

    JsonObject spam = new JsonObject().put("RecordType", "SpamComplaint").put("ID", 44).put("Type", "SpamComplaint")
        .put("TypeCode", 512).put("MessageID", "pm-" + s.id()).put("Email", s.email()).put("BouncedAt", Instant.now().toString())
        .put("Metadata", meta);
    assertThat(kit.postmark(spam).statusCode()).isEqualTo(200);
    assertThat(kit.complaintOptOuts()).isEqualTo(1);

    JsonObject unknown = new JsonObject().put("RecordType", "Open").put("MessageID", "pm-" + s.id());
    HttpResponse<Buffer> u = kit.postmark(unknown);
    assertThat(u.statusCode()).isEqualTo(200);
    assertThat(u.bodyAsJsonObject().getInteger("ignored")).isEqualTo(1);
    HttpResponse<Buffer> malformed = await(kit.app.client.post("/webhooks/postmark")
        .basicAuthentication(ProviderKit.POSTMARK_USER, ProviderKit.POSTMARK_PASSWORD).sendBuffer(Buffer.buffer("[1,")));
    assertThat(malformed.statusCode()).isEqualTo(400);
  }

  // ---------------------------------------------------------------- SES through SNS

  @Test
  @DisplayName("SES via SNS: subscription confirmed; signed Bounce (v1 and v2) applied; tampered, foreign topic and foreign cert host refused")
  void ses_throughSns() {
    Sent s = kit.sentEmail();
    int fetches = kit.certFetches.get();
    HttpResponse<Buffer> sub = kit.sns(kit.snsSigned("SubscriptionConfirmation", "sub-1",
        "You have chosen to subscribe", 2, ProviderKit.TOPIC));
    assertThat(sub.statusCode()).as(sub.bodyAsString()).isEqualTo(200);
    assertThat(kit.confirmations.get()).isEqualTo(1);

    JsonObject tampered = kit.snsSigned("Notification", "n-0", ProviderKit.sesBounce("Permanent", s.email(), s.id()), 1, ProviderKit.TOPIC);
    tampered.put("Message", ProviderKit.sesBounce("Permanent", "other@example.com", s.id()));
    assertThat(kit.sns(tampered).statusCode()).isEqualTo(401);
    JsonObject foreignTopic = kit.snsSigned("Notification", "n-f", ProviderKit.sesBounce("Permanent", s.email(), s.id()), 1,
        "arn:aws:sns:us-east-1:999999999999:someone-else");
    assertThat(kit.sns(foreignTopic).statusCode()).isEqualTo(401);
    JsonObject foreignCert = kit.snsSigned("Notification", "n-h", ProviderKit.sesBounce("Permanent", s.email(), s.id()), 1, ProviderKit.TOPIC)
        .put("SigningCertURL", "https://evil.example.com/cert.pem");
    assertThat(kit.sns(foreignCert).statusCode()).isEqualTo(401);
    assertThat(kit.events()).isZero();

    HttpResponse<Buffer> transient1 = kit.sns(kit.snsSigned("Notification", "n-1",
        ProviderKit.sesBounce("Transient", s.email(), s.id()), 1, ProviderKit.TOPIC));
    assertThat(transient1.statusCode()).as(transient1.bodyAsString()).isEqualTo(200);
    assertThat(kit.gate(s.debtor(), "email")).isEqualTo("allowed");
    JsonObject permanent = kit.snsSigned("Notification", "n-2", ProviderKit.sesBounce("Permanent", s.email(), s.id()), 2, ProviderKit.TOPIC);
    assertThat(kit.sns(permanent).bodyAsJsonObject().getInteger("applied")).isEqualTo(1);
    assertThat(kit.sns(permanent).bodyAsJsonObject().getInteger("duplicate")).isEqualTo(1);
    assertThat(kit.gate(s.debtor(), "email")).isEqualTo("email-undeliverable");
    assertThat(kit.certFetches.get() - fetches).as("the certificate is fetched once and cached").isEqualTo(1);

    String complaint = new JsonObject().put("notificationType", "Complaint")
        .put("complaint", new JsonObject().put("complainedRecipients", new JsonArray().add(new JsonObject()
            .put("emailAddress", s.email()))).put("timestamp", Instant.now().toString()).put("complaintFeedbackType", "abuse"))
        .put("mail", ProviderKit.sesMail(null).put("headers", new JsonArray().add(new JsonObject()
            .put("name", "X-Beacon-Communication-Id").put("value", s.id())))).encode();
    kit.assertComplaintApplied(kit.sns(kit.snsSigned("Notification", "n-3", complaint, 2, ProviderKit.TOPIC)));
  }

  // ---------------------------------------------------------------- Twilio

  @Test
  @DisplayName("Twilio: status callbacks carry the communication; error 21610 records an SMS opt-out; bad signatures are 401")
  void twilio_statusCallbacks() {
    Sent s = kit.sentSms();
    String path = "/webhooks/twilio/status?communicationId=" + s.id();
    Map<String, String> delivered = Map.of("MessageSid", "SM1", "MessageStatus", "delivered", "To", "+15125550100",
        "From", "+15005550006", "AccountSid", "AC1");
    assertThat(kit.twilio(path, delivered, "wrong-token").statusCode()).isEqualTo(401);
    assertThat(kit.events()).isZero();
    assertThat(kit.twilio(path, delivered, ProviderKit.TWILIO_TOKEN).statusCode()).isEqualTo(200);
    assertThat(kit.status(s.id())).isEqualTo("delivered");
    assertThat(kit.twilio(path, delivered, ProviderKit.TWILIO_TOKEN).bodyAsJsonObject().getInteger("duplicate")).isEqualTo(1);
    HttpResponse<Buffer> queued = kit.twilio(path, Map.of("MessageSid", "SM1", "MessageStatus", "queued"),
        ProviderKit.TWILIO_TOKEN);
    assertThat(queued.bodyAsJsonObject().getInteger("ignored")).isEqualTo(1);

    String c2 = kit.sent(s.debtor(), "sms");
    kit.twilio("/webhooks/twilio/status?communicationId=" + c2, Map.of("MessageSid", "SM2", "MessageStatus", "undelivered",
        "ErrorCode", "21610", "To", "+15125550100"), ProviderKit.TWILIO_TOKEN);
    assertThat(kit.status(c2)).isEqualTo("failed");
    assertThat(kit.gate(s.debtor(), "sms")).isEqualTo("opt-out");
    assertThat(kit.count("SELECT count(*) FROM debtor_opt_outs WHERE channel = 'sms' AND source = 'provider_unsubscribe'"))
        .isEqualTo(1);
  }

  @Test
  @DisplayName("Twilio: an inbound STOP becomes an inbound sms communication and refuses the next SMS; a retry records nothing twice")
  void twilio_inboundStop_refusesNextSms() {
    JsonObject d = kit.debtor("+15125550142");
    assertThat(kit.gate(d, "sms")).isEqualTo("allowed");
    Map<String, String> stop = Map.of("MessageSid", "SMin1", "From", "+15125550142", "To", "+15005550006",
        "Body", "STOP", "NumMedia", "0");
    HttpResponse<Buffer> r = kit.twilio("/webhooks/twilio/inbound", stop, ProviderKit.TWILIO_TOKEN);
    assertThat(r.statusCode()).as(r.bodyAsString()).isEqualTo(200);
    assertThat(r.bodyAsString()).contains("<Response>");
    assertThat(kit.twilio("/webhooks/twilio/inbound", stop, ProviderKit.TWILIO_TOKEN).statusCode()).isEqualTo(200);
    assertThat(kit.count("SELECT count(*) FROM communications WHERE direction = 'inbound' AND type = 'sms' AND content = 'STOP'"))
        .isEqualTo(1);
    assertThat(kit.gate(d, "sms")).isEqualTo("opt-out");
    HttpResponse<Buffer> refused = kit.contact(d, "sms", new JsonObject());
    assertThat(refused.statusCode()).isEqualTo(422);
    assertThat(kit.twilio("/webhooks/twilio/inbound", stop, "wrong").statusCode()).isEqualTo(401);
  }

  // ---------------------------------------------------------------- Visible

  @Test
  @DisplayName("The timeline shows delivery events and a bounced email as not delivered; follow-ups list it undelivered")
  void timeline_andFollowups() {
    JsonObject d = kit.debtor();
    HttpResponse<Buffer> sent = kit.contact(d, "email", new JsonObject().put("requiresFollowup", true)
        .put("followupDate", Instant.now().plus(Duration.ofDays(30)).toString()));
    assertThat(sent.statusCode()).as(sent.bodyAsString()).isEqualTo(201);
    String c = sent.bodyAsJsonObject().getString("id");
    assertThat(kit.http.get("/api/followups", AGENT_KEY).bodyAsJsonObject().getJsonArray("items")).isEmpty();
    kit.sendgrid(new JsonArray().add(sgEvent("t1", "bounce", d.getString("email"), c).put("type", "bounce")
        .put("reason", "550 user unknown")));
    JsonArray timeline = kit.http.get("/api/debtors/" + d.getString("id") + "/timeline", AGENT_KEY).bodyAsJsonObject()
        .getJsonArray("items");
    JsonObject delivery = null;
    JsonObject communication = null;
    for (Object o : timeline) {
      JsonObject e = (JsonObject) o;
      if (e.getString("kind").equals("delivery")) {
        delivery = e;
      } else if (e.getString("kind").equals("communication")) {
        communication = e;
      }
    }
    assertThat(delivery).as(timeline.encode()).isNotNull();
    assertThat(delivery.getString("event")).isEqualTo("bounced");
    assertThat(delivery.getBoolean("delivered")).isFalse();
    assertThat(delivery.getString("communicationId")).isEqualTo(c);
    assertThat(communication.getString("deliveryStatus")).isEqualTo("bounced");
    JsonArray followups = kit.http.get("/api/followups", AGENT_KEY).bodyAsJsonObject().getJsonArray("items");
    assertThat(followups).hasSize(1);
    assertThat(followups.getJsonObject(0).getBoolean("delivered")).isFalse();
    assertThat(followups.getJsonObject(0).getString("deliveryStatus")).isEqualTo("bounced");
  }

  @Test
  @DisplayName("/metrics counters: webhook outcomes per provider; an unconfigured provider answers 503")
  void metrics_perProvider_andNotConfigured() {
    double before = counter("sendgrid", "ignored");
    double badBefore = counter("postmark", "bad_signature");
    kit.sendgrid(new JsonArray().add(sgEvent("m1", "click", "x@example.com", null)));
    kit.postmark(new JsonObject().put("RecordType", "Delivery"), "nobody", "wrong");
    assertThat(counter("sendgrid", "ignored") - before).isEqualTo(1.0);
    assertThat(counter("postmark", "bad_signature") - badBefore).isEqualTo(1.0);

    try (TestApp bare = TestApp.start()) {
      HttpResponse<Buffer> r = await(bare.client.post("/webhooks/sendgrid").sendBuffer(Buffer.buffer("[]")));
      assertThat(r.statusCode()).isEqualTo(503);
      assertThat(r.bodyAsJsonObject().getString("detail")).contains("not configured");
      assertThat(await(bare.client.post("/webhooks/twilio/inbound").sendBuffer(Buffer.buffer("a=b"))).statusCode())
          .isEqualTo(503);
    }
  }

  @Test
  @DisplayName("The dashboard summary and funnel show deliveries, hard bounces and complaints and their rates")
  void dashboard_deliveryRates() {
    ProviderKit.Emailed m = kit.emailed(4);
    long at = ProviderKit.noonYesterday().getEpochSecond();
    kit.sendgrid(new JsonArray()
        .add(sgEvent("r1", "delivered", m.email(), m.ids().get(0)).put("timestamp", at + 60))
        .add(sgEvent("r2", "delivered", m.email(), m.ids().get(1)).put("timestamp", at + 60))
        .add(sgEvent("r3", "spamreport", m.email(), m.ids().get(1)).put("timestamp", at + 120))
        .add(sgEvent("r4", "bounce", m.email(), m.ids().get(2)).put("type", "bounce").put("timestamp", at + 60))
        .add(sgEvent("r5", "blocked", m.email(), m.ids().get(3)).put("timestamp", at + 60)));
    kit.rollup();
    String range = "from=" + ProviderKit.noonYesterday().minus(Duration.ofHours(1)) + "&to="
        + ProviderKit.noonYesterday().plus(Duration.ofHours(2));
    JsonObject s = kit.http.get("/api/dashboard/summary?" + range, TestApp.VIEWER_KEY)
        .bodyAsJsonObject().getJsonObject("emailDelivery");
    assertThat(s.getLong("sent")).isEqualTo(4);
    assertThat(s.getLong("delivered")).isEqualTo(2);
    assertThat(s.getLong("bounced")).as("hard bounces only").isEqualTo(1);
    assertThat(s.getLong("complained")).isEqualTo(1);
    assertThat(s.getDouble("deliveredRate")).isEqualTo(0.5);
    assertThat(s.getDouble("bounceRate")).isEqualTo(0.25);
    assertThat(s.getDouble("complaintRate")).isEqualTo(0.25);

    // the funnel counts debtors: this one was delivered to, bounced once and complained once
    JsonObject f = kit.http.get("/api/dashboard/funnel?" + range, TestApp.VIEWER_KEY)
        .bodyAsJsonObject();
    JsonObject delivered = f.getJsonArray("stages").getJsonObject(1);
    assertThat(delivered.getString("stage")).isEqualTo("delivered");
    assertThat(delivered.getLong("debtors")).isEqualTo(1);
    assertThat(f.getLong("bouncedDebtors")).isEqualTo(1);
    assertThat(f.getLong("complainedDebtors")).isEqualTo(1);
    assertThat(f.getDouble("complaintRate")).isEqualTo(1.0);
  }

  private static double counter(String provider, String outcome) {
    var c = Meters.registry().find("beacon_delivery_webhook_events").tag("provider", provider)
        .tag("outcome", outcome).counter();
    return c == null ? 0 : c.count();
  }
}
