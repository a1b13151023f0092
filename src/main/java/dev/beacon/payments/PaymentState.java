package dev.beacon.payments;

import java.math.BigDecimal;

import static dev.beacon.payments.PaymentStatus.COMPLETED;
import static dev.beacon.payments.PaymentStatus.DISPUTED;
import static dev.beacon.payments.PaymentStatus.EXPIRED;
import static dev.beacon.payments.PaymentStatus.FAILED;
import static dev.beacon.payments.PaymentStatus.PARTIALLY_REFUNDED;
import static dev.beacon.payments.PaymentStatus.PENDING;
import static dev.beacon.payments.PaymentStatus.REFUNDED;

/**
 * A payment's money state and the pure rules that move it. Events may arrive late, twice or out of order, so
 * each rule only ever moves a payment forward: a completion never undoes a refund or a dispute, a failure or
 * an expiry only ends a pending payment, and refunded amounts only grow.
 */
public record PaymentState(PaymentStatus status, BigDecimal amount, BigDecimal refunded, BigDecimal credited,
                           BigDecimal disputeLost) {

  /** A payment no dispute has taken money from. */
  public PaymentState(PaymentStatus status, BigDecimal amount, BigDecimal refunded, BigDecimal credited) {
    this(status, amount, refunded, credited, BigDecimal.ZERO);
  }

  public boolean settled() {
    return status.settled();
  }

  /** What debtors.amount_paid should count for this payment. */
  public BigDecimal targetCredit() {
    return settled() ? amount.subtract(refunded).max(BigDecimal.ZERO) : BigDecimal.ZERO;
  }

  public PaymentState complete() {
    return PaymentStatus.UNPAID.contains(status) ? with(COMPLETED, refunded) : this;
  }

  public PaymentState fail() {
    return status == PENDING ? with(FAILED, refunded) : this;
  }

  public PaymentState expire() {
    return status == PENDING ? with(EXPIRED, refunded) : this;
  }

  /**
   * A refund event carries the charge's cumulative refunded amount (refunds only: a lost dispute is not in it);
   * a late, smaller one changes nothing.
   */
  public PaymentState refund(BigDecimal cumulative) {
    BigDecimal refunds = refunded.subtract(disputeLost).max(cumulative);
    BigDecimal r = refunds.add(disputeLost).min(amount).max(refunded);
    if (r.signum() == 0) {
      return this;
    }
    PaymentStatus s = r.compareTo(amount) >= 0 ? REFUNDED : status == DISPUTED ? DISPUTED : PARTIALLY_REFUNDED;
    return with(s, r, disputeLost);
  }

  /** A dispute means the payment went through; it stays credited until the dispute is decided. */
  public PaymentState dispute() {
    return status == REFUNDED ? this : with(DISPUTED, refunded);
  }

  /**
   * A lost dispute: the disputed amount went back to the cardholder, so it counts like a refund (the payment stays
   * {@code disputed}; {@code amount_refunded} holds the refunds plus the disputed amount, whichever event came
   * first). A refunded payment had nothing left.
   */
  public PaymentState disputeLost(BigDecimal disputed) {
    if (status == REFUNDED) {
      return this;
    }
    BigDecimal lost = disputeLost.max(disputed);
    BigDecimal r = refunded.subtract(disputeLost).add(lost).min(amount);
    return with(DISPUTED, r, r.min(lost));
  }

  /** A won (or withdrawn) dispute: the payment is back to what its refunds make it; the money never moved. */
  public PaymentState disputeWon() {
    if (status != DISPUTED) {
      return this;
    }
    PaymentStatus s = refunded.signum() == 0 ? COMPLETED : refunded.compareTo(amount) >= 0 ? REFUNDED : PARTIALLY_REFUNDED;
    return with(s, refunded);
  }

  /** This state once amount_paid has been moved to match it. */
  public PaymentState credit() {
    return new PaymentState(status, amount, refunded, targetCredit(), disputeLost);
  }

  private PaymentState with(PaymentStatus s, BigDecimal r) {
    return with(s, r, disputeLost);
  }

  private PaymentState with(PaymentStatus s, BigDecimal r, BigDecimal lost) {
    return new PaymentState(s, amount, r, credited, lost);
  }
}
