package dev.beacon.payments;

import com.stripe.exception.CardException;
import com.stripe.exception.InvalidRequestException;
import com.stripe.model.PaymentIntent;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.math.BigDecimal;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * Charges the due installments of active payment plans off-session, one plan after another. Each attempt is a
 * {@code payments} row whose id is the Stripe idempotency key, so a run that dies half-way and the next run
 * reuse the same attempt and never charge twice. A PostgreSQL advisory lock keeps a fleet to one runner.
 */
final class PlanJob {
  private static final Logger LOG = LoggerFactory.getLogger(PlanJob.class);
  /** "beaconP1": the advisory lock of the plan job. */
  static final long LOCK_KEY = 0x626561636f6e5031L;
  static final int MAX_PLANS_PER_RUN = 500;

  /*
   * Due installments of active plans. A debtor who disputes the debt is not charged while the dispute is open
   * (FDCPA 809(b): collection stops until the debt is verified), nor is a closed account; the installment stays
   * due and is charged on the first run after the status changes back.
   */
  static final String DUE = """
      SELECT p.id, p.debtor_id, p.total_amount, p.installments, p.next_installment,
             p.stripe_customer_id, p.stripe_payment_method_id,
             (SELECT f.stripe_payment_intent_id FROM payments f
              WHERE f.plan_id = p.id AND f.installment = 1 AND f.stripe_payment_intent_id IS NOT NULL
              ORDER BY f.completed_at NULLS LAST LIMIT 1) AS first_intent
      FROM payment_plans p JOIN debtors d ON d.id = p.debtor_id
      WHERE p.status = 'active' AND p.next_due_at <= $1 AND d.status NOT IN ('dispute', 'closed')
      ORDER BY p.next_due_at LIMIT $2""";

  /**
   * The pending attempt of this installment, or a new one for the installment's amount capped at what the
   * debtor still owes (a debtor may pay outside the plan). No row: nothing is owed and there is no attempt.
   * {@code owed} is that capped amount now (0 once the balance is paid).
   */
  static final String ATTEMPT = """
      WITH existing AS (
        SELECT id, amount, stripe_payment_intent_id FROM payments
        WHERE plan_id = $1 AND installment = $2 AND status = 'pending' ORDER BY created_at LIMIT 1
      ),
      owed AS (
        SELECT least($4::numeric, greatest(total_owed - amount_paid, 0)) AS amount FROM debtors WHERE id = $3
      ),
      created AS (
        INSERT INTO payments (debtor_id, amount, payment_type, status, source, plan_id, installment, created_at)
        SELECT $3, owed.amount, 'plan', 'pending', 'plan', $1, $2, $5 FROM owed
        WHERE owed.amount > 0 AND NOT EXISTS (SELECT 1 FROM existing)
        RETURNING id, amount, stripe_payment_intent_id
      )
      SELECT e.id, e.amount, e.stripe_payment_intent_id, (SELECT amount FROM owed) AS owed FROM existing e
      UNION ALL
      SELECT c.id, c.amount, c.stripe_payment_intent_id, (SELECT amount FROM owed) FROM created c""";

  /**
   * The debtor owes nothing more (paid outside the plan): the plan is completed without a charge, and an attempt
   * never sent to Stripe is dropped. One that did reach Stripe is still settled by its webhook.
   */
  static final String PAID_OFF = """
      WITH plan AS (
        UPDATE payment_plans SET status = 'completed', next_due_at = NULL, updated_at = now()
        WHERE id = $1 AND status = 'active' RETURNING id
      )
      UPDATE payments SET status = 'expired', failure_reason = 'the balance was paid outside the plan',
        updated_at = now()
      WHERE plan_id = $1 AND status = 'pending' AND stripe_payment_intent_id IS NULL
        AND EXISTS (SELECT 1 FROM plan)""";

  /** What one run did. */
  record Run(boolean ran, int charged, int failed, int deferred, int paidOff) {}

  private record Due(UUID planId, UUID debtorId, BigDecimal total, int installments, int installment,
                     String customer, String paymentMethod, String firstIntent) {}

  private enum Outcome { CHARGED, FAILED, DEFERRED, PAID_OFF }

  private final Pool pool;
  private final StripeGateway stripe;
  private final Ledger ledger;

  PlanJob(Pool pool, StripeGateway stripe, Ledger ledger) {
    this.pool = pool;
    this.stripe = stripe;
    this.ledger = ledger;
  }

  /** Charges every installment due at {@code now}; does nothing when another process holds the lock. */
  Future<Run> runOnce(OffsetDateTime now) {
    return pool.getConnection().compose(lockConn -> lockConn.preparedQuery("SELECT pg_try_advisory_lock($1) AS ok")
        .execute(Tuple.of(LOCK_KEY))
        .compose(rows -> {
          if (!rows.iterator().next().getBoolean("ok")) {
            return Future.succeededFuture(new Run(false, 0, 0, 0, 0));
          }
          return chargeDue(now).eventually(() ->
              lockConn.preparedQuery("SELECT pg_advisory_unlock($1)").execute(Tuple.of(LOCK_KEY)));
        })
        .eventually(lockConn::close));
  }

  private Future<Run> chargeDue(OffsetDateTime now) {
    return pool.preparedQuery(DUE).execute(Tuple.of(now, MAX_PLANS_PER_RUN)).compose(rows -> {
      List<Due> due = new ArrayList<>();
      for (Row r : rows) {
        due.add(new Due(r.getUUID("id"), r.getUUID("debtor_id"), r.getBigDecimal("total_amount"),
            r.getInteger("installments"), r.getInteger("next_installment"), r.getString("stripe_customer_id"),
            r.getString("stripe_payment_method_id"), r.getString("first_intent")));
      }
      int[] counts = new int[Outcome.values().length];
      Future<Void> chain = Future.succeededFuture();
      for (Due d : due) {
        chain = chain.compose(x -> charge(d, now)
            .recover(t -> {
              LOG.warn("Plan {} installment {}: {}", d.planId(), d.installment(), StripeGateway.loggable(t));
              return Future.succeededFuture(Outcome.DEFERRED);
            })
            .map(o -> {
              counts[o.ordinal()]++;
              return null;
            }));
      }
      return chain.map(x -> new Run(true, counts[0], counts[1], counts[2], counts[3]));
    });
  }

  private Future<Outcome> charge(Due d, OffsetDateTime now) {
    BigDecimal installment = Amounts.installment(d.total(), d.installments(), d.installment());
    return pool.preparedQuery(ATTEMPT).execute(Tuple.of(d.planId(), d.installment(), d.debtorId(), installment, now))
        .compose(rows -> {
          Row attempt = rows.size() == 0 ? null : rows.iterator().next();
          if (attempt == null || (attempt.getString("stripe_payment_intent_id") == null
              && attempt.getBigDecimal("owed").signum() == 0)) {
            return pool.preparedQuery(PAID_OFF).execute(Tuple.of(d.planId())).map(Outcome.PAID_OFF);
          }
          UUID paymentId = attempt.getUUID("id");
          String intent = attempt.getString("stripe_payment_intent_id");
          if (intent != null) {
            // Already sent (e.g. still processing): ask Stripe how it ended. Creating it again would rely on the
            // idempotency key, which Stripe forgets after 24 hours, and charge twice.
            return stripe.paymentIntent(intent).compose(pi -> result(paymentId, pi, now));
          }
          // The attempt's own amount: a retried request must carry the same parameters as its idempotency key.
          BigDecimal amount = attempt.getBigDecimal("amount");
          return card(d).compose(card -> {
            if (card == null) {
              return settle(paymentId, Change.of(Change.Action.FAIL).withFailure("no saved card for the plan"), now)
                  .map(Outcome.FAILED);
            }
            var request = new StripeGateway.Charge(paymentId, d.debtorId(), d.planId(), d.installment(), amount,
                card[0], card[1]);
            return stripe.charge(request).transform(ar -> ar.succeeded()
                ? result(paymentId, ar.result(), now)
                : failure(paymentId, ar.cause(), now));
          });
        });
  }

  /** The plan's saved customer and card; read once from the first installment's PaymentIntent when missing. */
  private Future<String[]> card(Due d) {
    if (d.customer() != null && d.paymentMethod() != null) {
      return Future.succeededFuture(new String[] {d.customer(), d.paymentMethod()});
    }
    if (d.firstIntent() == null) {
      return Future.succeededFuture(null);
    }
    return stripe.paymentIntent(d.firstIntent()).compose(pi -> {
      if (pi.getCustomer() == null || pi.getPaymentMethod() == null) {
        return Future.succeededFuture(null);
      }
      return pool.preparedQuery(Ledger.PLAN_CARD).execute(Tuple.of(d.planId(), pi.getCustomer(), pi.getPaymentMethod()))
          .map(x -> new String[] {pi.getCustomer(), pi.getPaymentMethod()});
    });
  }

  private Future<Outcome> result(UUID paymentId, PaymentIntent pi, OffsetDateTime now) {
    Change base = Change.of(Change.Action.NOTE).withPaymentIntent(pi.getId()).withCharge(pi.getLatestCharge())
        .withCard(pi.getCustomer(), null);
    return switch (pi.getStatus() == null ? "" : pi.getStatus()) {
      case "succeeded" -> settle(paymentId, new Change(Change.Action.COMPLETE, null, pi.getId(), pi.getLatestCharge(),
          pi.getCustomer(), null, "card", null, null), now).map(Outcome.CHARGED);
      // Settles later through the payment_intent.* webhook; the next run reuses this attempt.
      case "processing" -> settle(paymentId, base, now).map(Outcome.DEFERRED);
      default -> settle(paymentId, new Change(Change.Action.FAIL, null, pi.getId(), null, null, null, null,
          "the card needs the customer (status " + pi.getStatus() + ")", null), now).map(Outcome.FAILED);
    };
  }

  /** A declined card or a refused request fails the attempt; anything else (timeout, 5xx) is retried next run. */
  private Future<Outcome> failure(UUID paymentId, Throwable t, OffsetDateTime now) {
    if (t instanceof CardException || t instanceof InvalidRequestException) {
      String intent = t instanceof CardException c && c.getStripeError() != null
          && c.getStripeError().getPaymentIntent() != null ? c.getStripeError().getPaymentIntent().getId() : null;
      Change fail = Change.of(Change.Action.FAIL).withPaymentIntent(intent).withFailure(StripeGateway.reason(t));
      return settle(paymentId, fail, now).map(Outcome.FAILED);
    }
    LOG.warn("Installment payment {} deferred: {}", paymentId, StripeGateway.loggable(t));
    return Future.succeededFuture(Outcome.DEFERRED);
  }

  private Future<Ledger.Result> settle(UUID paymentId, Change change, OffsetDateTime now) {
    return pool.withTransaction((SqlConnection conn) -> ledger.apply(conn, paymentId, change, now));
  }
}
