package dev.beacon.payments;

import dev.beacon.core.DebtorStatus;
import dev.beacon.db.SqlLiterals;
import io.vertx.core.Future;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;

import java.math.BigDecimal;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.UUID;

import static dev.beacon.payments.PaymentStatus.EXPIRED;
import static dev.beacon.payments.PaymentStatus.FAILED;
import static dev.beacon.payments.PaymentStatus.PENDING;

/**
 * The SQL of the {@link Ledger}: a payment's row (locked), the debtor's credit and status, and the payment's plan.
 * Every method runs on the caller's connection, inside its transaction.
 */
final class LedgerRepository {
  private static final String ACTIVE = SqlLiterals.of(DebtorStatus.ACTIVE);
  private static final String PAYMENT_PLAN = SqlLiterals.of(DebtorStatus.PAYMENT_PLAN);
  private static final String RESOLVED = SqlLiterals.of(DebtorStatus.RESOLVED);

  static final String LOCK = """
      SELECT id, debtor_id, status, amount, amount_refunded, amount_dispute_lost, credited, plan_id, installment,
             source
      FROM payments WHERE id = $1 FOR UPDATE""";

  static final String UPDATE_PAYMENT = """
      UPDATE payments SET status = $2::text, amount_refunded = $3::numeric, credited = $4::numeric,
        completed_at = CASE WHEN $5::boolean AND completed_at IS NULL THEN $6::timestamptz ELSE completed_at END,
        refunded_at = CASE WHEN $3::numeric > amount_refunded THEN $6::timestamptz ELSE refunded_at END,
        failure_reason = CASE WHEN $5::boolean THEN NULL
                         WHEN $2::text IN (%s) THEN coalesce($7::text, failure_reason)
                         ELSE failure_reason END,
        stripe_session_id = coalesce(stripe_session_id, $8),
        stripe_payment_intent_id = coalesce(stripe_payment_intent_id, $9),
        stripe_charge_id = coalesce(stripe_charge_id, $10),
        stripe_customer_id = coalesce(stripe_customer_id, $11),
        payment_method = coalesce($12, payment_method),
        amount_dispute_lost = $13::numeric,
        updated_at = now()
      WHERE id = $1""".formatted(PaymentStatus.literals(List.of(PENDING, FAILED, EXPIRED)));

  /** Resolves a debtor whose payments reach what they owe; a refund below it reopens a resolved one. */
  static final String MOVE_DEBTOR = """
      UPDATE debtors SET amount_paid = greatest(amount_paid + $2::numeric, 0),
        status = CASE
          WHEN $2::numeric > 0 AND status IN (%1$s, %2$s) AND total_owed > 0
               AND amount_paid + $2::numeric >= total_owed THEN %3$s
          WHEN $2::numeric < 0 AND status = %3$s AND amount_paid + $2::numeric < total_owed THEN %1$s
          ELSE status END,
        updated_at = now()
      WHERE id = $1""".formatted(ACTIVE, PAYMENT_PLAN, RESOLVED);

  static final String PLAN_CARD = """
      UPDATE payment_plans SET stripe_customer_id = coalesce($2, stripe_customer_id),
        stripe_payment_method_id = coalesce($3, stripe_payment_method_id), updated_at = now()
      WHERE id = $1""";

  /** Installment $2 is paid: the next one falls due a month after the previous due date. */
  static final String PLAN_PAID = """
      UPDATE payment_plans SET
        status = CASE WHEN $2::int >= installments THEN %s ELSE %s END,
        started_at = coalesce(started_at, $3::timestamptz),
        next_installment = $2::int + 1,
        next_due_at = CASE WHEN $2::int >= installments THEN NULL
                           ELSE coalesce(started_at, $3::timestamptz) + make_interval(months => $2::int) END,
        attempts = 0, updated_at = now()
      WHERE id = $1 AND next_installment = $2::int AND status IN (%s, %s, %s)
      RETURNING debtor_id, status""".formatted(PlanStatus.COMPLETED.literal(), PlanStatus.ACTIVE.literal(),
      PlanStatus.PENDING.literal(), PlanStatus.ACTIVE.literal(), PlanStatus.CANCELLED.literal());

  /** Installment $2 failed: retry after the next configured delay, or break the plan when none is left. */
  static final String PLAN_FAILED = """
      UPDATE payment_plans SET attempts = attempts + 1,
        status = CASE WHEN attempts + 1 > cardinality($3::bigint[]) THEN %s ELSE status END,
        broken_at = CASE WHEN attempts + 1 > cardinality($3::bigint[]) THEN $4::timestamptz ELSE broken_at END,
        next_due_at = CASE WHEN attempts + 1 > cardinality($3::bigint[]) THEN NULL
                           ELSE $4::timestamptz + make_interval(secs => ($3::bigint[])[attempts + 1]) END,
        updated_at = now()
      WHERE id = $1 AND next_installment = $2::int AND status = %s
      RETURNING debtor_id, status""".formatted(PlanStatus.BROKEN.literal(), PlanStatus.ACTIVE.literal());

  static final String PLAN_CANCELLED = """
      UPDATE payment_plans SET status = %s, updated_at = now() WHERE id = $1 AND status = %s"""
      .formatted(PlanStatus.CANCELLED.literal(), PlanStatus.PENDING.literal());

  static final String DEBTOR_ON_PLAN = """
      UPDATE debtors SET status = %s, updated_at = now() WHERE id = $1 AND status = %s"""
      .formatted(PAYMENT_PLAN, ACTIVE);

  static final String DEBTOR_OFF_PLAN = """
      UPDATE debtors SET status = %s, updated_at = now() WHERE id = $1 AND status = %s"""
      .formatted(ACTIVE, PAYMENT_PLAN);

  /** A payment row as the ledger reads it, locked until the transaction ends. */
  record Locked(PaymentState state, UUID debtorId, UUID planId, Integer installment, String source) {}

  /** The plan row a plan update answered: its debtor and its status after the update. */
  record PlanRow(UUID debtorId, PlanStatus status) {}

  /** The payment, locked {@code FOR UPDATE}; the payment must exist. */
  Future<Locked> lock(SqlConnection conn, UUID paymentId) {
    return conn.preparedQuery(LOCK).execute(Tuple.of(paymentId)).map(rows -> {
      Row r = rows.iterator().next();
      PaymentState state = new PaymentState(PaymentStatus.of(r.getString("status")), r.getBigDecimal("amount"),
          r.getBigDecimal("amount_refunded"), r.getBigDecimal("credited"), r.getBigDecimal("amount_dispute_lost"));
      return new Locked(state, r.getUUID("debtor_id"), r.getUUID("plan_id"), r.getInteger("installment"),
          r.getString("source"));
    });
  }

  /** Writes the payment's new state and the Stripe ids the change carries (known ids are kept). */
  Future<Void> updatePayment(SqlConnection conn, UUID paymentId, PaymentState after, PaymentChange change,
                             String failureReason, String paymentMethodType, OffsetDateTime now) {
    Tuple t = Tuple.of(paymentId, after.status().sql(), after.refunded(), after.credited(), after.settled(), now,
            failureReason, change.sessionId())
        .addValue(change.paymentIntentId()).addValue(change.chargeId()).addValue(change.customerId())
        .addValue(paymentMethodType).addValue(after.disputeLost());
    return conn.preparedQuery(UPDATE_PAYMENT).execute(t).mapEmpty();
  }

  /** Moves {@code debtors.amount_paid} by {@code delta}, resolving or reopening the debtor. */
  Future<Void> moveDebtor(SqlConnection conn, UUID debtorId, BigDecimal delta) {
    return conn.preparedQuery(MOVE_DEBTOR).execute(Tuple.of(debtorId, delta)).mapEmpty();
  }

  /** Saves the plan's customer and card (known values are kept when these are null). */
  Future<Void> planCard(SqlClient client, UUID planId, String customerId, String paymentMethodId) {
    return client.preparedQuery(PLAN_CARD).execute(Tuple.of(planId, customerId, paymentMethodId)).mapEmpty();
  }

  /** Installment paid; null when the plan had already moved past it. */
  Future<PlanRow> planPaid(SqlConnection conn, UUID planId, int installment, OffsetDateTime now) {
    return conn.preparedQuery(PLAN_PAID).execute(Tuple.of(planId, installment, now)).map(LedgerRepository::planRow);
  }

  /** Installment failed; null when the plan was not active on that installment. */
  Future<PlanRow> planFailed(SqlConnection conn, UUID planId, int installment, Long[] retrySeconds,
                             OffsetDateTime now) {
    return conn.preparedQuery(PLAN_FAILED).execute(Tuple.of(planId, installment, retrySeconds, now))
        .map(LedgerRepository::planRow);
  }

  Future<Void> planCancelled(SqlConnection conn, UUID planId) {
    return conn.preparedQuery(PLAN_CANCELLED).execute(Tuple.of(planId)).mapEmpty();
  }

  Future<Void> debtorOnPlan(SqlConnection conn, UUID debtorId) {
    return conn.preparedQuery(DEBTOR_ON_PLAN).execute(Tuple.of(debtorId)).mapEmpty();
  }

  Future<Void> debtorOffPlan(SqlConnection conn, UUID debtorId) {
    return conn.preparedQuery(DEBTOR_OFF_PLAN).execute(Tuple.of(debtorId)).mapEmpty();
  }

  private static PlanRow planRow(RowSet<Row> rows) {
    if (rows.size() == 0) {
      return null;
    }
    Row r = rows.iterator().next();
    return new PlanRow(r.getUUID("debtor_id"), PlanStatus.of(r.getString("status")));
  }
}
