package dev.beacon.payments;

import io.vertx.core.Future;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.UUID;

/**
 * Applies a {@link Change} to one payment inside the caller's transaction: locks the payment row, moves its
 * status forward, moves {@code debtors.amount_paid} by the change in credit (so nothing counts twice),
 * resolves or reopens the debtor, and keeps the payment's plan in step. Used by the webhook and the plan job.
 */
final class Ledger {
  static final String LOCK = """
      SELECT id, debtor_id, status, amount, amount_refunded, amount_dispute_lost, credited, plan_id, installment,
             source
      FROM payments WHERE id = $1 FOR UPDATE""";

  static final String UPDATE_PAYMENT = """
      UPDATE payments SET status = $2::text, amount_refunded = $3::numeric, credited = $4::numeric,
        completed_at = CASE WHEN $5::boolean AND completed_at IS NULL THEN $6::timestamptz ELSE completed_at END,
        refunded_at = CASE WHEN $3::numeric > amount_refunded THEN $6::timestamptz ELSE refunded_at END,
        failure_reason = CASE WHEN $5::boolean THEN NULL
                         WHEN $2::text IN ('pending', 'failed', 'expired') THEN coalesce($7::text, failure_reason)
                         ELSE failure_reason END,
        stripe_session_id = coalesce(stripe_session_id, $8),
        stripe_payment_intent_id = coalesce(stripe_payment_intent_id, $9),
        stripe_charge_id = coalesce(stripe_charge_id, $10),
        stripe_customer_id = coalesce(stripe_customer_id, $11),
        payment_method = coalesce($12, payment_method),
        amount_dispute_lost = $13::numeric,
        updated_at = now()
      WHERE id = $1""";

  /** Resolves a debtor whose payments reach what they owe; a refund below it reopens a resolved one. */
  static final String MOVE_DEBTOR = """
      UPDATE debtors SET amount_paid = greatest(amount_paid + $2::numeric, 0),
        status = CASE
          WHEN $2::numeric > 0 AND status IN ('active', 'payment_plan') AND total_owed > 0
               AND amount_paid + $2::numeric >= total_owed THEN 'resolved'
          WHEN $2::numeric < 0 AND status = 'resolved' AND amount_paid + $2::numeric < total_owed THEN 'active'
          ELSE status END,
        updated_at = now()
      WHERE id = $1""";

  static final String PLAN_CARD = """
      UPDATE payment_plans SET stripe_customer_id = coalesce($2, stripe_customer_id),
        stripe_payment_method_id = coalesce($3, stripe_payment_method_id), updated_at = now()
      WHERE id = $1""";

  /** Installment $2 is paid: the next one falls due a month after the previous due date. */
  static final String PLAN_PAID = """
      UPDATE payment_plans SET
        status = CASE WHEN $2::int >= installments THEN 'completed' ELSE 'active' END,
        started_at = coalesce(started_at, $3::timestamptz),
        next_installment = $2::int + 1,
        next_due_at = CASE WHEN $2::int >= installments THEN NULL
                           ELSE coalesce(started_at, $3::timestamptz) + make_interval(months => $2::int) END,
        attempts = 0, updated_at = now()
      WHERE id = $1 AND next_installment = $2::int AND status IN ('pending', 'active', 'cancelled')
      RETURNING debtor_id, status""";

  /** Installment $2 failed: retry after the next configured delay, or break the plan when none is left. */
  static final String PLAN_FAILED = """
      UPDATE payment_plans SET attempts = attempts + 1,
        status = CASE WHEN attempts + 1 > cardinality($3::bigint[]) THEN 'broken' ELSE status END,
        broken_at = CASE WHEN attempts + 1 > cardinality($3::bigint[]) THEN $4::timestamptz ELSE broken_at END,
        next_due_at = CASE WHEN attempts + 1 > cardinality($3::bigint[]) THEN NULL
                           ELSE $4::timestamptz + make_interval(secs => ($3::bigint[])[attempts + 1]) END,
        updated_at = now()
      WHERE id = $1 AND next_installment = $2::int AND status = 'active'
      RETURNING debtor_id, status""";

  static final String PLAN_CANCELLED = """
      UPDATE payment_plans SET status = 'cancelled', updated_at = now() WHERE id = $1 AND status = 'pending'""";

  static final String DEBTOR_ON_PLAN = """
      UPDATE debtors SET status = 'payment_plan', updated_at = now() WHERE id = $1 AND status = 'active'""";

  static final String DEBTOR_OFF_PLAN = """
      UPDATE debtors SET status = 'active', updated_at = now() WHERE id = $1 AND status = 'payment_plan'""";

  /** What applying a change did. */
  record Result(UUID paymentId, String before, String after) {}

  private final Long[] retrySeconds;

  Ledger(List<Duration> retrySchedule) {
    this.retrySeconds = retrySchedule.stream().map(Duration::toSeconds).toArray(Long[]::new);
  }

  Future<Result> apply(SqlConnection conn, UUID paymentId, Change change, OffsetDateTime now) {
    return conn.preparedQuery(LOCK).execute(Tuple.of(paymentId)).compose(rows -> {
      Row r = rows.iterator().next();
      PaymentState before = new PaymentState(r.getString("status"), r.getBigDecimal("amount"),
          r.getBigDecimal("amount_refunded"), r.getBigDecimal("credited"), r.getBigDecimal("amount_dispute_lost"));
      PaymentState after = change.applyTo(before, r.getString("source")).credit();
      BigDecimal delta = after.credited().subtract(before.credited());
      UUID debtorId = r.getUUID("debtor_id");
      UUID planId = r.getUUID("plan_id");
      Integer installment = r.getInteger("installment");
      Tuple t = Tuple.of(paymentId, after.status(), after.refunded(), after.credited(), after.settled(), now,
          truncate(change.failureReason()), change.sessionId())
          .addValue(change.paymentIntentId()).addValue(change.chargeId()).addValue(change.customerId())
          .addValue(truncate50(change.paymentMethodType())).addValue(after.disputeLost());
      Future<?> f = conn.preparedQuery(UPDATE_PAYMENT).execute(t);
      if (delta.signum() != 0) {
        f = f.compose(x -> conn.preparedQuery(MOVE_DEBTOR).execute(Tuple.of(debtorId, delta)));
      }
      if (planId != null) {
        f = f.compose(x -> plan(conn, planId, installment, before, after, change, now));
      }
      return f.map(x -> new Result(paymentId, before.status(), after.status()));
    });
  }

  private Future<?> plan(SqlConnection conn, UUID planId, int installment, PaymentState before, PaymentState after,
                         Change change, OffsetDateTime now) {
    Future<?> f = change.customerId() == null && change.paymentMethodId() == null ? Future.succeededFuture()
        : conn.preparedQuery(PLAN_CARD).execute(Tuple.of(planId, change.customerId(), change.paymentMethodId()));
    if (!before.settled() && after.settled()) {
      return f.compose(x -> conn.preparedQuery(PLAN_PAID).execute(Tuple.of(planId, installment, now)))
          .compose(rows -> rows.size() == 1 && installment == 1 && "active".equals(rows.iterator().next().getString("status"))
              ? conn.preparedQuery(DEBTOR_ON_PLAN).execute(Tuple.of(rows.iterator().next().getUUID("debtor_id")))
              : Future.succeededFuture());
    }
    if (before.status().equals(PaymentState.PENDING) && after.status().equals(PaymentState.FAILED) && installment > 1) {
      return f.compose(x -> conn.preparedQuery(PLAN_FAILED)
              .execute(Tuple.of(planId, installment, retrySeconds, now)))
          .compose(rows -> rows.size() == 1 && "broken".equals(rows.iterator().next().getString("status"))
              ? conn.preparedQuery(DEBTOR_OFF_PLAN).execute(Tuple.of(rows.iterator().next().getUUID("debtor_id")))
              : Future.succeededFuture());
    }
    boolean ended = after.status().equals(PaymentState.EXPIRED) || after.status().equals(PaymentState.FAILED);
    if (ended && !before.status().equals(after.status()) && installment == 1) {
      return f.compose(x -> conn.preparedQuery(PLAN_CANCELLED).execute(Tuple.of(planId)));
    }
    return f;
  }

  private static String truncate(String s) {
    return s == null || s.length() <= 500 ? s : s.substring(0, 500);
  }

  private static String truncate50(String s) {
    return s == null || s.length() <= 50 ? s : s.substring(0, 50);
  }
}
