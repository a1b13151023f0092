package dev.beacon.payments;

import dev.beacon.support.BeaconExtension;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import static dev.beacon.db.AdvisoryLock.Key.PLAN_JOB;
import static dev.beacon.payments.PaymentKit.event;
import static dev.beacon.payments.PaymentKit.intent;
import static dev.beacon.payments.PaymentKit.session;
import static dev.beacon.support.TestApp.await;
import static org.assertj.core.api.Assertions.assertThat;

@ExtendWith(BeaconExtension.class)
@Timeout(60)
class PaymentPlanIT {
  static PaymentKit kit;
  static PlanJob job;
  @RegisterExtension
  static final PaymentKit.PerClass KIT = PaymentKit.perClass(
      new JsonObject().put("planRetrySchedule", "1d,3d,7d").put("planJobInterval", "1s"), k -> {
        kit = k;
        job = k.planJob();
      });

  /** A new 300.00 debtor on a three-installment plan whose first installment has been paid. */
  private static JsonObject debtorOnActivePlan() {
    JsonObject debtor = kit.debtor("300.00");
    kit.paidCheckout(debtor, new JsonObject().put("option", "plan").put("installments", 3), "first");
    return debtor;
  }

  /** Scripts Stripe's answers to the next PaymentIntents; answers when the second installment falls due. */
  private static OffsetDateTime secondDueWith(FakeStripe.Answer... stripeAnswers) {
    kit.stripe.script("/v1/payment_intents", stripeAnswers);
    return now().plusDays(32);
  }

  /** The second installment's first attempt, run when due and left pending by {@code stripeAnswer}; when it fell due. */
  private static OffsetDateTime secondDeferredBy(FakeStripe.Answer stripeAnswer) {
    OffsetDateTime t0 = secondDueWith(stripeAnswer);
    assertThat(await(job.runOnce(t0)).deferred()).isEqualTo(1);
    return t0;
  }

  /** The installments a job run at {@code at} charged. */
  private static int chargedAt(OffsetDateTime at) {
    return await(job.runOnce(at)).charged();
  }

  private static JsonObject plan(JsonObject debtor) {
    return await(kit.app.pool.preparedQuery("SELECT * FROM payment_plans WHERE debtor_id = $1")
        .execute(Tuple.of(UUID.fromString(debtor.getString("id"))))).iterator().next().toJson();
  }

  private static List<Row> installments(JsonObject debtor, int n) {
    var rows = await(kit.app.pool.preparedQuery(
            "SELECT * FROM payments WHERE debtor_id = $1 AND installment = $2 ORDER BY created_at")
        .execute(Tuple.of(UUID.fromString(debtor.getString("id")), n)));
    List<Row> out = new ArrayList<>();
    rows.forEach(out::add);
    return out;
  }

  /** Stripe's answer to a PaymentIntent it is still processing (a bank debit, say). */
  private static FakeStripe.Answer processing(String intentId) {
    return new FakeStripe.Answer(200, new JsonObject().put("id", intentId).put("object", "payment_intent")
        .put("status", "processing").put("customer", "cus_1"), 0);
  }

  private static OffsetDateTime now() {
    return OffsetDateTime.now(ZoneOffset.UTC).truncatedTo(ChronoUnit.MICROS);
  }

  @Test
  @DisplayName("installments are charged off-session when due, each as a payment row, until the plan completes")
  void installmentsCharged_untilComplete() {
    JsonObject d = debtorOnActivePlan();
    JsonObject plan = plan(d);
    assertThat(plan.getString("status")).isEqualTo("active");
    assertThat(plan.getString("stripe_customer_id")).isEqualTo("cus_1");
    assertThat(plan.getString("stripe_payment_method_id")).isEqualTo("pm_1");
    assertThat(plan.getInteger("next_installment")).isEqualTo(2);
    assertThat(kit.status(d)).isEqualTo("payment_plan");
    assertThat(kit.amountPaid(d)).isEqualTo("100.00");

    assertThat(chargedAt(now())).isZero();
    assertThat(kit.stripe.requests("/v1/payment_intents")).isEmpty();

    PlanJob.Run run = await(job.runOnce(now().plusDays(32)));
    assertThat(run.charged()).isEqualTo(1);
    Row second = installments(d, 2).get(0);
    FakeStripe.Request req = kit.stripe.last("/v1/payment_intents");
    assertThat(req.field("amount")).isEqualTo("10000");
    assertThat(req.field("currency")).isEqualTo("usd");
    assertThat(req.field("customer")).isEqualTo("cus_1");
    assertThat(req.field("payment_method")).isEqualTo("pm_1");
    assertThat(req.field("confirm")).isEqualTo("true");
    assertThat(req.field("off_session")).isEqualTo("true");
    assertThat(req.field("metadata[payment_id]")).isEqualTo(second.getUUID("id").toString());
    assertThat(req.field("metadata[installment]")).isEqualTo("2");
    assertThat(req.idempotencyKey()).isEqualTo(second.getUUID("id").toString());
    assertThat(second.getString("status")).isEqualTo("completed");
    assertThat(second.getString("payment_type")).isEqualTo("plan");
    assertThat(second.getString("stripe_payment_intent_id")).startsWith("pi_test_");
    assertThat(kit.amountPaid(d)).isEqualTo("200.00");

    // The webhook for the same charge arrives afterwards: nothing moves twice.
    kit.ok(event("evt_second", "payment_intent.succeeded",
        intent(second.getUUID("id"), second.getString("stripe_payment_intent_id"), "succeeded")));
    assertThat(kit.amountPaid(d)).isEqualTo("200.00");

    assertThat(chargedAt(now().plusDays(40))).isZero();
    assertThat(chargedAt(now().plusDays(63))).isEqualTo(1);
    assertThat(plan(d).getString("status")).isEqualTo("completed");
    assertThat(kit.amountPaid(d)).isEqualTo("300.00");
    assertThat(kit.status(d)).isEqualTo("resolved");
  }

  @Test
  @DisplayName("a declined installment is retried after 1d, 3d and 7d, then the plan is broken and the debtor active again")
  void declined_retriedThenBroken() {
    JsonObject d = debtorOnActivePlan();
    OffsetDateTime t0 = secondDueWith(FakeStripe.declined(), FakeStripe.declined(), FakeStripe.declined(),
        FakeStripe.declined());

    assertThat(await(job.runOnce(t0)).failed()).isEqualTo(1);
    JsonObject plan = plan(d);
    assertThat(plan.getInteger("attempts")).isEqualTo(1);
    assertThat(plan.getString("status")).isEqualTo("active");
    assertThat(OffsetDateTime.parse(plan.getString("next_due_at")).toInstant()).isEqualTo(t0.plusDays(1).toInstant());
    assertThat(await(job.runOnce(t0.plusHours(12))).failed()).isZero();

    assertThat(await(job.runOnce(t0.plusDays(1))).failed()).isEqualTo(1);
    assertThat(await(job.runOnce(t0.plusDays(4))).failed()).isEqualTo(1);
    assertThat(plan(d).getString("status")).isEqualTo("active");
    assertThat(await(job.runOnce(t0.plusDays(11))).failed()).isEqualTo(1);

    plan = plan(d);
    assertThat(plan.getString("status")).isEqualTo("broken");
    assertThat(plan.getValue("broken_at")).isNotNull();
    List<Row> attempts = installments(d, 2);
    assertThat(attempts).hasSize(4).allMatch(r -> r.getString("status").equals("failed"));
    assertThat(attempts.get(0).getString("failure_reason")).contains("card_declined");
    assertThat(kit.stripe.requests("/v1/payment_intents").stream().map(FakeStripe.Request::idempotencyKey).distinct())
        .hasSize(4);
    assertThat(kit.status(d)).isEqualTo("active");
    assertThat(kit.amountPaid(d)).isEqualTo("100.00");
    assertThat(chargedAt(t0.plusDays(60))).isZero();
  }

  @Test
  @DisplayName("a retry that succeeds moves the plan on and resets its attempts")
  void retrySucceeds() {
    JsonObject d = debtorOnActivePlan();
    OffsetDateTime t0 = secondDueWith(FakeStripe.declined());
    assertThat(await(job.runOnce(t0)).failed()).isEqualTo(1);
    assertThat(chargedAt(t0.plusDays(1))).isEqualTo(1);
    JsonObject plan = plan(d);
    assertThat(plan.getInteger("next_installment")).isEqualTo(3);
    assertThat(plan.getInteger("attempts")).isZero();
    assertThat(kit.amountPaid(d)).isEqualTo("200.00");
  }

  @Test
  @DisplayName("a Stripe timeout leaves the attempt pending and the next run retries it with the same idempotency key")
  void timeout_deferredSameKey() {
    JsonObject d = debtorOnActivePlan();
    OffsetDateTime t0 = secondDeferredBy(FakeStripe.slow(3000));
    assertThat(installments(d, 2)).hasSize(1).allMatch(r -> r.getString("status").equals("pending"));
    assertThat(chargedAt(t0.plusMinutes(15))).isEqualTo(1);
    var keys = kit.stripe.requests("/v1/payment_intents").stream().map(FakeStripe.Request::idempotencyKey).toList();
    assertThat(keys).hasSize(2);
    assertThat(keys.get(0)).isEqualTo(keys.get(1));
    assertThat(kit.amountPaid(d)).isEqualTo("200.00");
  }

  @Test
  @DisplayName("an installment still processing is settled by its webhook: payment_failed is a failed attempt, retried later")
  void processingInstallment_settledByWebhook() {
    JsonObject d = debtorOnActivePlan();
    OffsetDateTime t0 = secondDeferredBy(processing("pi_slow"));
    Row attempt = installments(d, 2).get(0);
    assertThat(attempt.getString("status")).isEqualTo("pending");
    assertThat(attempt.getString("stripe_payment_intent_id")).isEqualTo("pi_slow");

    JsonObject failed = PaymentKit.failedIntent(attempt.getUUID("id"), "pi_slow", "insufficient_funds",
        "Insufficient funds.");
    kit.ok(event("evt_slow", "payment_intent.payment_failed", failed));
    assertThat(installments(d, 2).get(0).getString("status")).isEqualTo("failed");
    assertThat(plan(d).getInteger("attempts")).isEqualTo(1);
    assertThat(plan(d).getString("status")).isEqualTo("active");
    assertThat(chargedAt(t0.plusDays(1))).isEqualTo(1);
    assertThat(kit.amountPaid(d)).isEqualTo("200.00");
  }

  @Test
  @DisplayName("an attempt already sent to Stripe is looked up by its PaymentIntent, never created again (idempotency keys expire after 24 h)")
  void processingAttempt_retrievedNotRecreated() {
    JsonObject d = debtorOnActivePlan();
    OffsetDateTime t0 = secondDeferredBy(processing("pi_ach"));
    // A bank debit may stay processing for days; the runs after it must not make a second PaymentIntent.
    PlanJob.Run later = await(job.runOnce(t0.plusDays(2)));
    assertThat(kit.stripe.requests("/v1/payment_intents")).hasSize(1);
    assertThat(kit.stripe.requests("/v1/payment_intents/pi_ach")).hasSize(1);
    assertThat(later.charged()).isEqualTo(1);
    assertThat(installments(d, 2)).hasSize(1).allMatch(r -> r.getString("status").equals("completed"));
    assertThat(kit.amountPaid(d)).isEqualTo("200.00");
  }

  @Test
  @DisplayName("no installment is charged while the debtor disputes the debt or the account is closed")
  void disputedOrClosed_notCharged_untilTheStatusChangesBack() {
    JsonObject d = debtorOnActivePlan();
    for (String status : List.of("dispute", "closed")) {
      setStatus(d, status);
      assertThat(chargedAt(now().plusDays(32))).isZero();
      assertThat(kit.stripe.requests("/v1/payment_intents")).isEmpty();
      assertThat(installments(d, 2)).isEmpty();
      assertThat(plan(d).getString("status")).isEqualTo("active");
    }
    setStatus(d, "payment_plan");
    assertThat(chargedAt(now().plusDays(33))).isEqualTo(1);
    assertThat(kit.amountPaid(d)).isEqualTo("200.00");
  }

  private static void setStatus(JsonObject debtor, String status) {
    await(kit.app.pool.preparedQuery("UPDATE debtors SET status = $2 WHERE id = $1")
        .execute(Tuple.of(UUID.fromString(debtor.getString("id")), status)));
  }

  @Test
  @DisplayName("a debtor who paid the rest outside the plan is not charged again; the plan completes")
  void paidOffOutsidePlan_notChargedAgain() {
    JsonObject d = debtorOnActivePlan();
    kit.paidCheckout(d, new JsonObject().put("option", "full"), "full");
    assertThat(kit.amountPaid(d)).isEqualTo("300.00");
    assertThat(kit.status(d)).isEqualTo("resolved");

    assertThat(chargedAt(now().plusDays(32))).isZero();
    assertThat(kit.stripe.requests("/v1/payment_intents")).isEmpty();
    assertThat(plan(d).getString("status")).isEqualTo("completed");
    assertThat(kit.amountPaid(d)).isEqualTo("300.00");
  }

  @Test
  @DisplayName("after a partial payment outside the plan, an installment charges at most the remaining balance")
  void partialOutsidePlan_installmentCappedAtBalance() {
    JsonObject d = debtorOnActivePlan();
    kit.paidCheckout(d, new JsonObject().put("option", "partial").put("amount", "150.00"), "part");
    assertThat(kit.amountPaid(d)).isEqualTo("250.00");

    assertThat(chargedAt(now().plusDays(32))).isEqualTo(1);
    assertThat(kit.stripe.last("/v1/payment_intents").field("amount")).isEqualTo("5000");
    assertThat(installments(d, 2).get(0).getBigDecimal("amount")).isEqualByComparingTo("50.00");
    assertThat(kit.amountPaid(d)).isEqualTo("300.00");
    assertThat(kit.status(d)).isEqualTo("resolved");
    assertThat(chargedAt(now().plusDays(63))).isZero();
    assertThat(kit.stripe.requests("/v1/payment_intents")).hasSize(1);
    assertThat(plan(d).getString("status")).isEqualTo("completed");
  }

  @Test
  @DisplayName("when only checkout.session.completed landed, the saved card is read from the first PaymentIntent")
  void savedCardFromFirstIntent() {
    JsonObject d = kit.debtor("300.00");
    UUID first = kit.checkout(d, new JsonObject().put("option", "plan").put("installments", 3));
    kit.ok(event("evt_s", "checkout.session.completed", session(first, "cs_s", "pi_s", "paid")));
    assertThat(plan(d).getString("stripe_payment_method_id")).isNull();
    assertThat(chargedAt(now().plusDays(32))).isEqualTo(1);
    assertThat(kit.stripe.requests("/v1/payment_intents/pi_s")).hasSize(1);
    FakeStripe.Request req = kit.stripe.last("/v1/payment_intents");
    assertThat(req.field("customer")).isEqualTo("cus_saved");
    assertThat(req.field("payment_method")).isEqualTo("pm_saved");
  }

  @Test
  @DisplayName("only one process runs the job: while another holds the advisory lock, a run does nothing")
  void advisoryLock_oneRunner() {
    JsonObject d = debtorOnActivePlan();
    var conn = await(kit.app.pool.getConnection());
    try {
      await(conn.preparedQuery("SELECT pg_advisory_lock($1)").execute(Tuple.of(PLAN_JOB.id())));
      PlanJob.Run run = await(job.runOnce(now().plusDays(32)));
      assertThat(run.ran()).isFalse();
      assertThat(kit.stripe.requests("/v1/payment_intents")).isEmpty();
      await(conn.preparedQuery("SELECT pg_advisory_unlock($1)").execute(Tuple.of(PLAN_JOB.id())));
    } finally {
      await(conn.close());
    }
    assertThat(chargedAt(now().plusDays(32))).isEqualTo(1);
  }

  @Test
  @DisplayName("the deployed PlanVerticle runs the job on its own timer and charges a due installment")
  void planVerticle_chargesOnItsTimer() {
    JsonObject d = debtorOnActivePlan();
    await(kit.app.pool.preparedQuery("UPDATE payment_plans SET next_due_at = now() - interval '1 minute' "
        + "WHERE debtor_id = $1").execute(Tuple.of(UUID.fromString(d.getString("id")))));
    String id = await(kit.app.vertx.deployVerticle(new PlanVerticle(kit.app.pool, kit.app.services.config().payments())));
    try {
      Awaitility.await().atMost(Duration.ofSeconds(20))
          .until(() -> kit.amountPaid(d).equals("200.00"));
    } finally {
      await(kit.app.vertx.undeploy(id));
    }
    assertThat(installments(d, 2)).hasSize(1).allMatch(r -> r.getString("status").equals("completed"));
  }

  @Test
  @DisplayName("an expired plan checkout cancels the pending plan")
  void expiredCheckout_cancelsPlan() {
    JsonObject d = kit.debtor("300.00");
    UUID first = kit.checkout(d, new JsonObject().put("option", "plan").put("installments", 2));
    kit.ok(event("evt_x", "checkout.session.expired", session(first, "cs_x", null, "unpaid")));
    assertThat(plan(d).getString("status")).isEqualTo("cancelled");
    assertThat(kit.status(d)).isEqualTo("active");
  }
}
