package dev.beacon.payments;

import dev.beacon.core.DebtorStatus;
import dev.beacon.core.Money;
import dev.beacon.http.Problem;
import io.vertx.core.Future;

import java.math.BigDecimal;

/** Who may pay what: the amount of a checkout, or why there is none. */
final class CheckoutRules {
  /** Stripe's smallest charge in most currencies. */
  static final BigDecimal STRIPE_MINIMUM = new BigDecimal("0.50");

  private CheckoutRules() {}

  static Future<BigDecimal> check(PaymentRepository.Debtor d, CheckoutInput in) {
    try {
      return Future.succeededFuture(amount(d, in));
    } catch (Problem p) {
      return Future.failedFuture(p);
    }
  }

  static BigDecimal amount(PaymentRepository.Debtor d, CheckoutInput in) {
    if (d.status().equals(DebtorStatus.RESOLVED) || d.status().equals(DebtorStatus.CLOSED)) {
      throw Problem.conflict("This account is " + d.status() + "; there is nothing to pay");
    }
    BigDecimal balance = d.balance();
    if (balance.signum() == 0) {
      throw Problem.conflict("This account has no outstanding balance");
    }
    return switch (in.option()) {
      case CheckoutInput.FULL -> balance;
      case CheckoutInput.PARTIAL -> {
        if (in.amount().compareTo(balance) > 0) {
          throw Problem.invalid("amount", "must not exceed the balance of " + Money.format(balance));
        }
        yield in.amount();
      }
      default -> {
        if (d.onPlan()) {
          throw Problem.conflict("This account already has an active payment plan");
        }
        BigDecimal each = Amounts.installment(balance, in.installments());
        if (each.compareTo(STRIPE_MINIMUM) < 0) {
          throw Problem.invalid("installments", "would make installments smaller than " + Money.format(STRIPE_MINIMUM));
        }
        yield Amounts.installment(balance, in.installments(), 1);
      }
    };
  }
}
