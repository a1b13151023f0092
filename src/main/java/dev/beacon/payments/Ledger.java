package dev.beacon.payments;

import io.vertx.core.Future;
import io.vertx.sqlclient.SqlConnection;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.UUID;

/**
 * Applies a {@link PaymentChange} to one payment inside the caller's transaction: locks the payment row, moves its
 * status forward, moves {@code debtors.amount_paid} by the change in credit (so nothing counts twice),
 * resolves or reopens the debtor, and keeps the payment's plan in step. Used by the webhook and the plan job.
 */
final class Ledger {
  /** What applying a change did. */
  record Result(UUID paymentId, PaymentStatus before, PaymentStatus after) {}

  private final LedgerRepository repo = new LedgerRepository();
  private final Long[] retrySeconds;

  Ledger(List<Duration> retrySchedule) {
    this.retrySeconds = retrySchedule.stream().map(Duration::toSeconds).toArray(Long[]::new);
  }

  Future<Result> apply(SqlConnection conn, UUID paymentId, PaymentChange change, OffsetDateTime now) {
    return repo.lock(conn, paymentId).compose(locked -> {
      PaymentState before = locked.state();
      PaymentState after = change.applyTo(before, locked.source()).credit();
      BigDecimal delta = after.credited().subtract(before.credited());
      Future<Void> f = repo.updatePayment(conn, paymentId, after, change, truncate(change.failureReason()),
          truncate50(change.paymentMethodType()), now);
      if (delta.signum() != 0) {
        f = f.compose(x -> repo.moveDebtor(conn, locked.debtorId(), delta));
      }
      if (locked.planId() != null) {
        f = f.compose(x -> plan(conn, locked.planId(), locked.installment(), before, after, change, now));
      }
      return f.map(x -> new Result(paymentId, before.status(), after.status()));
    });
  }

  private Future<Void> plan(SqlConnection conn, UUID planId, int installment, PaymentState before,
                            PaymentState after, PaymentChange change, OffsetDateTime now) {
    Future<Void> f = change.customerId() == null && change.paymentMethodId() == null ? Future.succeededFuture()
        : repo.planCard(conn, planId, change.customerId(), change.paymentMethodId());
    if (!before.settled() && after.settled()) {
      return f.compose(x -> repo.planPaid(conn, planId, installment, now))
          .compose(plan -> plan != null && installment == 1 && plan.status() == PlanStatus.ACTIVE
              ? repo.debtorOnPlan(conn, plan.debtorId())
              : Future.succeededFuture());
    }
    if (before.status() == PaymentStatus.PENDING && after.status() == PaymentStatus.FAILED && installment > 1) {
      return f.compose(x -> repo.planFailed(conn, planId, installment, retrySeconds, now))
          .compose(plan -> plan != null && plan.status() == PlanStatus.BROKEN
              ? repo.debtorOffPlan(conn, plan.debtorId())
              : Future.succeededFuture());
    }
    boolean ended = after.status() == PaymentStatus.EXPIRED || after.status() == PaymentStatus.FAILED;
    if (ended && before.status() != after.status() && installment == 1) {
      return f.compose(x -> repo.planCancelled(conn, planId));
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
