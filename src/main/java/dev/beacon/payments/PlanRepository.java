package dev.beacon.payments;

import dev.beacon.core.DebtorStatus;
import dev.beacon.db.SqlLiterals;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;

import java.math.BigDecimal;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import static dev.beacon.payments.PaymentStatus.EXPIRED;
import static dev.beacon.payments.PaymentStatus.PENDING;

/** The SQL of the {@link PlanJob}: due installments, their payment attempts, and plans paid off outside the plan. */
final class PlanRepository {
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
      WHERE p.status = %s AND p.next_due_at <= $1 AND d.status NOT IN (%s)
      ORDER BY p.next_due_at LIMIT $2""".formatted(PlanStatus.ACTIVE.literal(),
      SqlLiterals.list(List.of(DebtorStatus.DISPUTE, DebtorStatus.CLOSED)));

  /**
   * The pending attempt of this installment, or a new one for the installment's amount capped at what the
   * debtor still owes (a debtor may pay outside the plan). No row: nothing is owed and there is no attempt.
   * {@code owed} is that capped amount now (0 once the balance is paid).
   */
  static final String ATTEMPT = """
      WITH existing AS (
        SELECT id, amount, stripe_payment_intent_id FROM payments
        WHERE plan_id = $1 AND installment = $2 AND status = %1$s ORDER BY created_at LIMIT 1
      ),
      owed AS (
        SELECT least($4::numeric, greatest(total_owed - amount_paid, 0)) AS amount FROM debtors WHERE id = $3
      ),
      created AS (
        INSERT INTO payments (debtor_id, amount, payment_type, status, source, plan_id, installment, created_at)
        SELECT $3, owed.amount, 'plan', %1$s, 'plan', $1, $2, $5 FROM owed
        WHERE owed.amount > 0 AND NOT EXISTS (SELECT 1 FROM existing)
        RETURNING id, amount, stripe_payment_intent_id
      )
      SELECT e.id, e.amount, e.stripe_payment_intent_id, (SELECT amount FROM owed) AS owed FROM existing e
      UNION ALL
      SELECT c.id, c.amount, c.stripe_payment_intent_id, (SELECT amount FROM owed) FROM created c"""
      .formatted(PENDING.literal());

  /**
   * The debtor owes nothing more (paid outside the plan): the plan is completed without a charge, and an attempt
   * never sent to Stripe is dropped. One that did reach Stripe is still settled by its webhook.
   */
  static final String PAID_OFF = """
      WITH plan AS (
        UPDATE payment_plans SET status = %s, next_due_at = NULL, updated_at = now()
        WHERE id = $1 AND status = %s RETURNING id
      )
      UPDATE payments SET status = %s, failure_reason = 'the balance was paid outside the plan',
        updated_at = now()
      WHERE plan_id = $1 AND status = %s AND stripe_payment_intent_id IS NULL
        AND EXISTS (SELECT 1 FROM plan)""".formatted(PlanStatus.COMPLETED.literal(), PlanStatus.ACTIVE.literal(),
      EXPIRED.literal(), PENDING.literal());

  /** An installment due now. */
  record Due(UUID planId, UUID debtorId, BigDecimal total, int installments, int installment,
             String customer, String paymentMethod, String firstIntent) {}

  /**
   * The payment row that charges an installment: its id (the Stripe idempotency key), amount and PaymentIntent
   * (set once sent), and what the debtor still owes for it now.
   */
  record Attempt(UUID paymentId, BigDecimal amount, String paymentIntentId, BigDecimal owed) {}

  private final Pool pool;

  PlanRepository(Pool pool) {
    this.pool = pool;
  }

  /** The installments due at {@code now}, oldest due first, at most {@code max}. */
  Future<List<Due>> due(OffsetDateTime now, int max) {
    return pool.preparedQuery(DUE).execute(Tuple.of(now, max)).map(rows -> {
      List<Due> due = new ArrayList<>();
      for (Row r : rows) {
        due.add(new Due(r.getUUID("id"), r.getUUID("debtor_id"), r.getBigDecimal("total_amount"),
            r.getInteger("installments"), r.getInteger("next_installment"), r.getString("stripe_customer_id"),
            r.getString("stripe_payment_method_id"), r.getString("first_intent")));
      }
      return due;
    });
  }

  /** The installment's pending attempt, made now when there is none; null when nothing is owed and none exists. */
  Future<Attempt> attempt(Due d, BigDecimal installmentAmount, OffsetDateTime now) {
    return pool.preparedQuery(ATTEMPT)
        .execute(Tuple.of(d.planId(), d.installment(), d.debtorId(), installmentAmount, now))
        .map(rows -> {
          if (rows.size() == 0) {
            return null;
          }
          Row r = rows.iterator().next();
          return new Attempt(r.getUUID("id"), r.getBigDecimal("amount"), r.getString("stripe_payment_intent_id"),
              r.getBigDecimal("owed"));
        });
  }

  /** Completes the plan without a charge and drops its attempt that never reached Stripe. */
  Future<Void> paidOff(UUID planId) {
    return pool.preparedQuery(PAID_OFF).execute(Tuple.of(planId)).mapEmpty();
  }
}
