package dev.beacon.payments;

import java.math.BigDecimal;
import java.util.Set;

/**
 * A payment's money state and the pure rules that move it. Events may arrive late, twice or out of order, so
 * each rule only ever moves a payment forward: a completion never undoes a refund or a dispute, a failure or
 * an expiry only ends a pending payment, and refunded amounts only grow.
 */
public record PaymentState(String status, BigDecimal amount, BigDecimal refunded, BigDecimal credited,
                           BigDecimal disputeLost) {
  public static final String PENDING = "pending";
  public static final String COMPLETED = "completed";
  public static final String FAILED = "failed";
  public static final String EXPIRED = "expired";
  public static final String REFUNDED = "refunded";
  public static final String PARTIALLY_REFUNDED = "partially_refunded";
  public static final String DISPUTED = "disputed";

  /** Statuses in which the money reached us (less any refund). */
  static final Set<String> SETTLED = Set.of(COMPLETED, PARTIALLY_REFUNDED, REFUNDED, DISPUTED);
  private static final Set<String> UNPAID = Set.of(PENDING, FAILED, EXPIRED);

  /** A payment no dispute has taken money from. */
  public PaymentState(String status, BigDecimal amount, BigDecimal refunded, BigDecimal credited) {
    this(status, amount, refunded, credited, BigDecimal.ZERO);
  }

  public boolean settled() {
    return SETTLED.contains(status);
  }

  /** What debtors.amount_paid should count for this payment. */
  public BigDecimal targetCredit() {
    return settled() ? amount.subtract(refunded).max(BigDecimal.ZERO) : BigDecimal.ZERO;
  }

  /** How far amount_paid must move to match this state. */
  public BigDecimal creditDelta() {
    return targetCredit().subtract(credited);
  }

  public PaymentState complete() {
    return UNPAID.contains(status) ? with(COMPLETED, refunded) : this;
  }

  public PaymentState fail() {
    return status.equals(PENDING) ? with(FAILED, refunded) : this;
  }

  public PaymentState expire() {
    return status.equals(PENDING) ? with(EXPIRED, refunded) : this;
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
    String s = r.compareTo(amount) >= 0 ? REFUNDED : status.equals(DISPUTED) ? DISPUTED : PARTIALLY_REFUNDED;
    return with(s, r, disputeLost);
  }

  /** A dispute means the payment went through; it stays credited until the dispute is decided. */
  public PaymentState dispute() {
    return status.equals(REFUNDED) ? this : with(DISPUTED, refunded);
  }

  /**
   * A lost dispute: the disputed amount went back to the cardholder, so it counts like a refund (the payment stays
   * {@code disputed}; {@code amount_refunded} holds the refunds plus the disputed amount, whichever event came
   * first). A refunded payment had nothing left.
   */
  public PaymentState disputeLost(BigDecimal disputed) {
    if (status.equals(REFUNDED)) {
      return this;
    }
    BigDecimal lost = disputeLost.max(disputed);
    BigDecimal r = refunded.subtract(disputeLost).add(lost).min(amount);
    return with(DISPUTED, r, r.min(lost));
  }

  /** A won (or withdrawn) dispute: the payment is back to what its refunds make it; the money never moved. */
  public PaymentState disputeWon() {
    if (!status.equals(DISPUTED)) {
      return this;
    }
    String s = refunded.signum() == 0 ? COMPLETED : refunded.compareTo(amount) >= 0 ? REFUNDED : PARTIALLY_REFUNDED;
    return with(s, refunded);
  }

  /** This state once amount_paid has been moved to match it. */
  public PaymentState credit() {
    return new PaymentState(status, amount, refunded, targetCredit(), disputeLost);
  }

  private PaymentState with(String s, BigDecimal r) {
    return with(s, r, disputeLost);
  }

  private PaymentState with(String s, BigDecimal r, BigDecimal lost) {
    return new PaymentState(s, amount, r, credited, lost);
  }
}
