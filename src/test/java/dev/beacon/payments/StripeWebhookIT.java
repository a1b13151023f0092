package dev.beacon.payments;

import dev.beacon.dashboard.RollupJob;
import dev.beacon.support.BeaconExtension;
import dev.beacon.support.TestApp;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import static dev.beacon.payments.PaymentKit.charge;
import static dev.beacon.payments.PaymentKit.dispute;
import static dev.beacon.payments.PaymentKit.disputeClosed;
import static dev.beacon.payments.PaymentKit.event;
import static dev.beacon.payments.PaymentKit.failedIntent;
import static dev.beacon.payments.PaymentKit.intent;
import static dev.beacon.payments.PaymentKit.session;
import static dev.beacon.support.TestApp.AGENT_KEY;
import static dev.beacon.support.TestApp.await;
import static org.assertj.core.api.Assertions.assertThat;

@ExtendWith(BeaconExtension.class)
@Timeout(60)
class StripeWebhookIT {
  static PaymentKit kit;
  @RegisterExtension
  static final PaymentKit.PerClass KIT = PaymentKit.perClass(k -> kit = k);

  /** The test's debtor and payment, for the tests that start from one of the four below. */
  private JsonObject debtor;
  private UUID payment;

  /** A debtor owing 300.00 with a pending partial checkout of 100.00. */
  private void partialCheckout() {
    debtor = kit.debtor("300.00");
    payment = partial(debtor, "100.00");
  }

  /** {@link #partialCheckout}, completed by event {@code eventId}: 100.00 of 300.00 paid. */
  private void partlyPaid(String eventId) {
    partialCheckout();
    kit.ok(completed(eventId, payment));
  }

  /** A debtor owing 150.00 with a pending checkout of all of it. */
  private void fullCheckout() {
    debtor = kit.debtor("150.00");
    payment = kit.checkoutFull(debtor);
  }

  /** {@link #fullCheckout}, completed by event {@code eventId}: paid in full. */
  private void paidInFull(String eventId) {
    fullCheckout();
    kit.ok(completed(eventId, payment));
  }

  private static String completed(String eventId, UUID paymentId) {
    return event(eventId, "checkout.session.completed", session(paymentId, "cs_" + paymentId, "pi_" + paymentId, "paid"));
  }

  @Test
  @DisplayName("checkout.session.completed completes the payment, moves amount_paid and resolves a debtor paid in full")
  void sessionCompleted_resolvesDebtor() {
    paidInFull("evt_1");

    JsonObject p = kit.payment(payment);
    assertThat(p.getString("status")).isEqualTo("completed");
    assertThat(p.getValue("completed_at")).isNotNull();
    assertThat(p.getString("stripe_payment_intent_id")).isEqualTo("pi_" + payment);
    assertThat(p.getString("stripe_customer_id")).isEqualTo("cus_1");
    assertThat(p.getString("payment_method")).isEqualTo("card");
    assertThat(kit.amountPaid(debtor)).isEqualTo("150.00");
    assertThat(kit.status(debtor)).isEqualTo("resolved");
    assertThat(kit.count("SELECT count(*) FROM stripe_events WHERE id = 'evt_1' AND outcome = 'applied'")).isEqualTo(1);
  }

  @Test
  @DisplayName("a completed session still unpaid (delayed method) waits; async_payment_succeeded completes it")
  void asyncPaymentSucceeded() {
    partialCheckout();
    kit.ok(event("evt_a1", "checkout.session.completed", session(payment, "cs_a", "pi_a", "unpaid")));
    assertPaid(payment, "pending", debtor, "0.00");
    kit.ok(event("evt_a2", "checkout.session.async_payment_succeeded", session(payment, "cs_a", "pi_a", "paid")));
    assertPaid(payment, "completed", debtor, "100.00");
    assertThat(kit.status(debtor)).isEqualTo("active");
  }

  @Test
  @DisplayName("async_payment_failed fails the payment; expired expires another; neither moves amount_paid")
  void asyncFailedAndExpired() {
    JsonObject d = kit.debtor("300.00");
    UUID failed = partial(d, "100.00");
    UUID expired = partial(d, "50.00");
    kit.ok(event("evt_f", "checkout.session.async_payment_failed", session(failed, "cs_f", "pi_f", "unpaid")));
    kit.ok(event("evt_e", "checkout.session.expired", session(expired, "cs_e", null, "unpaid")));
    assertThat(kit.payment(failed).getString("status")).isEqualTo("failed");
    assertThat(kit.payment(failed).getString("failure_reason")).isNotBlank();
    assertPaid(expired, "expired", d, "0.00");
  }

  @Test
  @DisplayName("payment_intent.succeeded completes; a declined attempt inside Checkout keeps the payment pending with the reason")
  void paymentIntentEvents() {
    JsonObject d = kit.debtor("300.00");
    UUID ok = partial(d, "100.00");
    UUID declined = partial(d, "60.00");
    kit.ok(event("evt_p1", "payment_intent.succeeded", intent(ok, "pi_ok", "succeeded")));
    kit.ok(event("evt_p2", "payment_intent.payment_failed",
        failedIntent(declined, "pi_bad", "card_declined", "Your card was declined.")));

    assertThat(kit.payment(ok).getString("status")).isEqualTo("completed");
    assertThat(kit.payment(ok).getString("stripe_charge_id")).isEqualTo("ch_pi_ok");
    // The debtor may still try another card on Stripe's page: only the session's end is final.
    assertThat(kit.payment(declined).getString("status")).isEqualTo("pending");
    assertThat(kit.payment(declined).getString("failure_reason")).isEqualTo("Your card was declined. (card_declined)");
    kit.ok(event("evt_p3", "payment_intent.succeeded", intent(declined, "pi_bad", "succeeded")));
    assertThat(kit.payment(declined).getString("status")).isEqualTo("completed");
    assertThat(kit.payment(declined).getString("failure_reason")).isNull();
    assertThat(kit.amountPaid(d)).isEqualTo("160.00");
  }

  @Test
  @DisplayName("a full refund marks the payment refunded, takes the money back and reopens the resolved debtor")
  void fullRefund_reopensDebtor() {
    paidInFull("evt_r1");
    assertThat(kit.status(debtor)).isEqualTo("resolved");
    kit.ok(event("evt_r2", "charge.refunded", charge("ch_r", "pi_" + payment, 15000, 15000)));

    JsonObject p = kit.payment(payment);
    assertThat(p.getString("status")).isEqualTo("refunded");
    assertThat(p.getValue("amount_refunded").toString()).isEqualTo("150.00");
    assertThat(p.getString("stripe_charge_id")).isEqualTo("ch_r");
    assertThat(kit.amountPaid(debtor)).isEqualTo("0.00");
    assertThat(kit.status(debtor)).isEqualTo("active");

    var timeline = kit.http.get("/api/debtors/" + debtor.getString("id") + "/timeline", AGENT_KEY).bodyAsJsonObject()
        .getJsonArray("items");
    List<String> kinds = new ArrayList<>();
    timeline.forEach(e -> kinds.add(((JsonObject) e).getString("kind")));
    assertThat(kinds).contains("payment", "refund");
  }

  @Test
  @DisplayName("a partial refund keeps the rest credited; a later, larger refund event moves it again, never twice")
  void partialRefund() {
    JsonObject d = kit.debtor("200.00");
    UUID id = partial(d, "100.00");
    kit.ok(completed("evt_pr1", id));
    kit.ok(event("evt_pr2", "charge.refunded", charge("ch_p", "pi_" + id, 10000, 3000)));
    assertPaid(id, "partially_refunded", d, "70.00");
    // An older refund event arriving late (cumulative 10.00) changes nothing.
    kit.ok(event("evt_pr0", "charge.refunded", charge("ch_p", "pi_" + id, 10000, 1000)));
    assertThat(kit.amountPaid(d)).isEqualTo("70.00");
    kit.ok(event("evt_pr3", "charge.refunded", charge("ch_p", "pi_" + id, 10000, 10000)));
    assertPaid(id, "refunded", d, "0.00");
  }

  @Test
  @DisplayName("out of order: a checkout.session.completed arriving after the refund does not count the money again")
  void completedAfterRefunded_outOfOrder() {
    fullCheckout();
    kit.ok(event("evt_o1", "payment_intent.succeeded", intent(payment, "pi_" + payment, "succeeded")));
    kit.ok(event("evt_o2", "charge.refunded", charge("ch_o", "pi_" + payment, 15000, 15000)));
    kit.ok(completed("evt_o3", payment));
    assertPaid(payment, "refunded", debtor, "0.00");
    assertThat(kit.status(debtor)).isEqualTo("active");
  }

  @Test
  @DisplayName("out of order: a partial refund before the completion events; the completions then count only the rest")
  void refundBeforeCompletion_outOfOrder() {
    partialCheckout();
    // Here the charge carries the payment id in its metadata (see refundBeforeAnyMatch_parked for one without).
    JsonObject refunded = charge("ch_early", "pi_" + payment, 10000, 4000)
        .put("metadata", new JsonObject().put("payment_id", payment.toString()));
    kit.ok(event("evt_rb1", "charge.refunded", refunded));
    kit.ok(event("evt_rb2", "payment_intent.succeeded", intent(payment, "pi_" + payment, "succeeded")));
    kit.ok(completed("evt_rb3", payment));
    JsonObject p = kit.payment(payment);
    assertThat(p.getString("status")).isEqualTo("partially_refunded");
    assertThat(p.getValue("amount_refunded").toString()).isEqualTo("40.00");
    assertThat(p.getValue("completed_at")).isNotNull();
    assertThat(kit.amountPaid(debtor)).isEqualTo("60.00");
  }

  @Test
  @DisplayName("out of order: a refund and a lost dispute that name no known payment wait, then apply with the completion")
  void refundBeforeAnyMatch_parked_thenAppliedWithTheCompletion() {
    partialCheckout();
    String intent = "pi_park_" + payment;
    // No payment_id on the charge, and the payment's PaymentIntent is not known yet: nothing can match.
    var early = kit.deliver(event("evt_pk1", "charge.refunded", charge("ch_park", intent, 10000, 2500)));
    assertThat(early.statusCode()).isEqualTo(200);
    assertThat(early.bodyAsJsonObject().getString("outcome")).isEqualTo("unmatched");
    kit.ok(event("evt_pk2", "charge.dispute.closed", disputeClosed("ch_park", intent, "lost", 1000)));
    assertPaid(payment, "pending", debtor, "0.00");

    kit.ok(event("evt_pk3", "payment_intent.succeeded", intent(payment, intent, "succeeded")));
    JsonObject p = kit.payment(payment);
    assertThat(p.getString("status")).isEqualTo("disputed");
    assertThat(p.getValue("amount_refunded").toString()).isEqualTo("35.00");
    assertThat(kit.amountPaid(debtor)).isEqualTo("65.00");
    var events = await(kit.app.pool.query(
        "SELECT id, outcome, payment_id, parked FROM stripe_events WHERE id IN ('evt_pk1', 'evt_pk2') ORDER BY id")
        .execute());
    assertThat(events).hasSize(2).allSatisfy(r -> {
      assertThat(r.getString("outcome")).isEqualTo("applied");
      assertThat(r.getUUID("payment_id")).isEqualTo(payment);
      assertThat(r.getValue("parked")).isNull();
    });
    // A later delivery of the completion applies nothing twice.
    kit.ok(completed("evt_pk4", payment));
    kit.ok(event("evt_pk5", "payment_intent.succeeded", intent(payment, intent, "succeeded")));
    assertThat(kit.amountPaid(debtor)).isEqualTo("65.00");
  }

  @Test
  @DisplayName("a refund of a charge Beacon never made stays unmatched and moves nothing")
  void foreignRefund_staysUnmatched() {
    partlyPaid("evt_fr1");
    var r = kit.deliver(event("evt_fr2", "charge.refunded", charge("ch_elsewhere", "pi_elsewhere", 5000, 5000)));
    assertThat(r.bodyAsJsonObject().getString("outcome")).isEqualTo("unmatched");
    assertPaid(payment, "completed", debtor, "100.00");
  }

  @Test
  @DisplayName("out of order: failure and expiry events after a success change nothing")
  void failureAfterSuccess_noEffect() {
    partlyPaid("evt_fs1");
    kit.ok(event("evt_fs2", "payment_intent.payment_failed",
        failedIntent(payment, "pi_" + payment, "card_declined", "Your card was declined.")));
    kit.ok(event("evt_fs3", "checkout.session.async_payment_failed",
        session(payment, "cs_" + payment, "pi_" + payment, "unpaid")));
    kit.ok(event("evt_fs4", "checkout.session.expired",
        session(payment, "cs_" + payment, "pi_" + payment, "unpaid")));
    JsonObject p = kit.payment(payment);
    assertThat(p.getString("status")).isEqualTo("completed");
    assertThat(p.getString("failure_reason")).isNull();
    assertThat(kit.amountPaid(debtor)).isEqualTo("100.00");
  }

  @Test
  @DisplayName("charge.dispute.created marks the payment disputed")
  void dispute_marksDisputed() {
    partlyPaid("evt_d1");
    kit.ok(event("evt_d2", "charge.dispute.created", dispute("ch_d", "pi_" + payment)));
    assertPaid(payment, "disputed", debtor, "100.00");
  }

  @Test
  @DisplayName("a lost dispute takes the disputed money back from amount_paid and reopens the resolved debtor")
  void disputeLost_takesTheMoneyBack() {
    paidInFull("evt_dl1");
    kit.ok(event("evt_dl2", "charge.dispute.created", dispute("ch_dl", "pi_" + payment)));
    assertThat(kit.status(debtor)).isEqualTo("resolved");
    kit.ok(event("evt_dl3", "charge.dispute.closed", disputeClosed("ch_dl", "pi_" + payment, "lost", 15000)));

    JsonObject p = kit.payment(payment);
    assertThat(p.getString("status")).isEqualTo("disputed");
    assertThat(p.getValue("amount_refunded").toString()).isEqualTo("150.00");
    assertThat(kit.amountPaid(debtor)).isEqualTo("0.00");
    assertThat(kit.status(debtor)).isEqualTo("active");
    // The same decision delivered again moves nothing.
    kit.ok(event("evt_dl3", "charge.dispute.closed", disputeClosed("ch_dl", "pi_" + payment, "lost", 15000)));
    assertThat(kit.amountPaid(debtor)).isEqualTo("0.00");
  }

  @Test
  @DisplayName("a partly lost dispute after a partial refund takes back only the disputed amount")
  void disputeLost_partial_afterRefund() {
    partlyPaid("evt_dp1");
    kit.ok(event("evt_dp2", "charge.refunded", charge("ch_dp", "pi_" + payment, 10000, 2000)));
    kit.ok(event("evt_dp3", "charge.dispute.closed", disputeClosed("ch_dp", "pi_" + payment, "lost", 5000)));
    assertThat(kit.payment(payment).getValue("amount_refunded").toString()).isEqualTo("70.00");
    assertThat(kit.amountPaid(debtor)).isEqualTo("30.00");
  }

  /** Runs the dashboard's rollup job and answers the summary once the HTTP verticle serves the new version. */
  private static JsonObject dashboardSummary() {
    long version = await(new RollupJob(kit.app.vertx, kit.app.pool).runOnce(true)).version();
    Awaitility.await().atMost(Duration.ofSeconds(10)).until(() ->
        kit.http.get("/api/dashboard/summary", TestApp.VIEWER_KEY).getHeader("ETag")
            .startsWith("W/\"" + version + "-"));
    var r = kit.http.get("/api/dashboard/summary", TestApp.VIEWER_KEY);
    assertThat(r.statusCode()).isEqualTo(200);
    return r.bodyAsJsonObject();
  }

  @Test
  @DisplayName("the dashboard's collected amount follows disputes as amount_paid does: kept while open, net of a lost part")
  void dispute_dashboardCollected() {
    partlyPaid("evt_dc1");
    JsonObject lost = kit.debtor("150.00");
    UUID lostId = kit.checkoutFull(lost);
    kit.ok(completed("evt_dc2", lostId));
    JsonObject s = dashboardSummary();
    assertThat(s.getJsonObject("payments").getString("amount")).isEqualTo("250.00");
    assertThat(s.getJsonObject("payments").getLong("count")).isEqualTo(2);

    kit.ok(event("evt_dc3", "charge.dispute.created", dispute("ch_dc", "pi_" + payment)));
    kit.ok(event("evt_dc4", "charge.dispute.created", dispute("ch_dcl", "pi_" + lostId)));
    s = dashboardSummary();
    assertThat(kit.amountPaid(debtor)).isEqualTo("100.00");
    assertThat(s.getJsonObject("payments").getString("amount")).isEqualTo("250.00");
    assertThat(s.getJsonObject("payments").getLong("count")).isEqualTo(2);

    kit.ok(event("evt_dc5", "charge.dispute.closed", disputeClosed("ch_dc", "pi_" + payment, "lost", 4000)));
    kit.ok(event("evt_dc6", "charge.dispute.closed", disputeClosed("ch_dcl", "pi_" + lostId, "lost", 15000)));
    s = dashboardSummary();
    assertThat(kit.amountPaid(debtor)).isEqualTo("60.00");
    assertThat(kit.amountPaid(lost)).isEqualTo("0.00");
    // The partly lost payment still collected 60.00; the wholly lost one collected nothing, like a full refund.
    assertThat(s.getJsonObject("payments").getString("amount")).isEqualTo("60.00");
    assertThat(s.getJsonObject("payments").getLong("count")).isEqualTo(1);
    assertThat(s.getJsonObject("portfolio").getString("amountPaid")).isEqualTo("60.00");
  }

  @Test
  @DisplayName("a refund reported after a lost dispute adds to it instead of hiding it")
  void refundAfterLostDispute_addsUp() {
    partlyPaid("evt_rl1");
    kit.ok(event("evt_rl2", "charge.dispute.closed", disputeClosed("ch_rl", "pi_" + payment, "lost", 1000)));
    kit.ok(event("evt_rl3", "charge.refunded", charge("ch_rl", "pi_" + payment, 10000, 2500)));
    JsonObject p = kit.payment(payment);
    assertThat(p.getValue("amount_refunded").toString()).isEqualTo("35.00");
    assertThat(p.getValue("amount_dispute_lost").toString()).isEqualTo("10.00");
    assertThat(kit.amountPaid(debtor)).isEqualTo("65.00");
  }

  @Test
  @DisplayName("a won dispute puts the payment back to completed; the money never moved")
  void disputeWon_backToCompleted() {
    partlyPaid("evt_dw1");
    kit.ok(event("evt_dw2", "charge.dispute.created", dispute("ch_dw", "pi_" + payment)));
    kit.ok(event("evt_dw3", "charge.dispute.closed", disputeClosed("ch_dw", "pi_" + payment, "won", 10000)));
    assertThat(kit.payment(payment).getString("status")).isEqualTo("completed");
    assertThat(kit.payment(payment).getValue("amount_refunded").toString()).isEqualTo("0.00");
    assertThat(kit.amountPaid(debtor)).isEqualTo("100.00");
  }

  @Test
  @DisplayName("the same event delivered twice has one effect")
  void duplicate_oneEffect() {
    partialCheckout();
    String payload = completed("evt_dup", payment);
    kit.ok(payload);
    var again = kit.deliver(payload);
    assertThat(again.statusCode()).isEqualTo(200);
    assertThat(again.bodyAsJsonObject().getString("outcome")).isEqualTo("duplicate");
    assertThat(kit.amountPaid(debtor)).isEqualTo("100.00");
  }

  @Test
  @DisplayName("concurrent deliveries of one event, and of two events completing one payment, count the money once")
  void concurrent_oneEffect() {
    JsonObject d = kit.debtor("1000.00");
    UUID id = partial(d, "100.00");
    String payload = completed("evt_conc", id);
    String other = event("evt_conc_pi", "payment_intent.succeeded", intent(id, "pi_" + id, "succeeded"));
    List<Future<HttpResponse<Buffer>>> calls = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      String p = i % 4 == 3 ? other : payload;
      calls.add(kit.send(p, PaymentKit.signedNow(p)));
    }
    await(Future.all(calls));
    List<String> outcomes = new ArrayList<>();
    for (var c : calls) {
      assertThat(c.result().statusCode()).isEqualTo(200);
      outcomes.add(c.result().bodyAsJsonObject().getString("outcome"));
    }
    assertThat(outcomes).filteredOn("applied"::equals).hasSize(2);
    assertThat(outcomes).filteredOn("duplicate"::equals).hasSize(6);
    assertThat(kit.amountPaid(d)).isEqualTo("100.00");
    assertThat(kit.count("SELECT count(*) FROM stripe_events")).isEqualTo(2);
  }

  @Test
  @DisplayName("a bad signature, a stale timestamp, a missing header and malformed JSON get 400 and change nothing")
  void refusals_400() {
    fullCheckout();
    String payload = completed("evt_bad", payment);
    long now = System.currentTimeMillis() / 1000;
    List<HttpResponse<Buffer>> answers = List.of(
        kit.deliver(payload, PaymentKit.sign(payload, now, "whsec_other")),
        kit.deliver(payload, PaymentKit.sign(payload, now - 600, PaymentKit.SECRET)),
        kit.deliver(payload.replace("paid", "PAID"), PaymentKit.sign(payload, now, PaymentKit.SECRET)),
        kit.deliver("{\"id\": \"evt_x\", \"type\": ", PaymentKit.sign("{\"id\": \"evt_x\", \"type\": ", now,
            PaymentKit.SECRET)),
        await(kit.app.client.post("/webhooks/stripe").sendBuffer(Buffer.buffer(payload))));
    for (var r : answers) {
      assertThat(r.statusCode()).isEqualTo(400);
      assertThat(r.getHeader("Content-Type")).startsWith("application/problem+json");
    }
    assertThat(kit.count("SELECT count(*) FROM stripe_events")).isZero();
    assertPaid(payment, "pending", debtor, "0.00");
  }

  @Test
  @DisplayName("other event types are acknowledged and recorded; events for unknown payments are recorded as unmatched")
  void unknownTypes_recorded() {
    kit.ok(event("evt_u1", "customer.created", new JsonObject().put("id", "cus_9").put("object", "customer")));
    kit.ok(event("evt_u2", "payment_intent.succeeded", intent(UUID.randomUUID(), "pi_elsewhere", "succeeded")));
    var rows = await(kit.app.pool.query("SELECT id, type, outcome FROM stripe_events ORDER BY id").execute());
    JsonArray got = new JsonArray();
    rows.forEach(r -> got.add(r.getString("id") + ":" + r.getString("outcome")));
    assertThat(got.getList()).containsExactly("evt_u1:recorded", "evt_u2:unmatched");
  }

  @Test
  @DisplayName("an event of another API version is still read (deserializeUnsafe)")
  void otherApiVersion_stillApplied() {
    partialCheckout();
    kit.ok(event("evt_v", "checkout.session.completed", session(payment, "cs_v", "pi_v", "paid"), "2020-08-27"));
    assertPaid(payment, "completed", debtor, "100.00");
  }

  @Test
  @DisplayName("the thank-you page says processing before the webhook and shows the new balance after")
  void paidPage_processingThenBalance() {
    partialCheckout();
    String path = "/p/" + debtor.getString("uniqueToken") + "/paid?payment=" + payment;
    var before = kit.http.get(path, null);
    assertThat(before.statusCode()).isEqualTo(200);
    assertThat(before.getHeader("Cache-Control")).isEqualTo("no-store");
    assertThat(before.getHeader("Content-Security-Policy")).startsWith("default-src 'none'");
    assertThat(before.bodyAsString()).contains("processing");
    kit.ok(completed("evt_page", payment));
    var after = kit.http.get(path, null);
    assertThat(after.bodyAsString()).contains("$100.00").contains("$200.00").doesNotContain("processing");
    var unknown = kit.http.get("/p/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA/paid", null);
    assertThat(unknown.statusCode()).isEqualTo(404);
    assertThat(unknown.getHeader("Content-Type")).startsWith("text/html");
  }

  /** A partial checkout of {@code amount} for debtor {@code d}. */
  private static UUID partial(JsonObject d, String amount) {
    return kit.checkout(d, new JsonObject().put("option", "partial").put("amount", amount));
  }

  /** The payment's status and, after it, the debtor's amount paid. */
  private static void assertPaid(UUID payment, String status, JsonObject d, String amountPaid) {
    assertThat(kit.payment(payment).getString("status")).isEqualTo(status);
    assertThat(kit.amountPaid(d)).isEqualTo(amountPaid);
  }
}
