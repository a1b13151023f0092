package dev.beacon.payments;

import java.math.BigDecimal;
import java.math.RoundingMode;

/** Money conversions for Stripe (integer minor units) and the split of a balance into installments. */
final class Amounts {
  private static final BigDecimal HUNDRED = BigDecimal.valueOf(100);

  private Amounts() {}

  static long cents(BigDecimal amount) {
    return amount.setScale(2, RoundingMode.UNNECESSARY).movePointRight(2).longValueExact();
  }

  static BigDecimal fromCents(long cents) {
    return BigDecimal.valueOf(cents).divide(HUNDRED).setScale(2, RoundingMode.UNNECESSARY);
  }

  /** The regular installment: the total split evenly, rounded down to the cent; the last one takes the rest. */
  static BigDecimal installment(BigDecimal total, int installments) {
    return fromCents(cents(total) / installments);
  }

  /** Installment {@code n} (1-based) of a plan of {@code count} installments over {@code total}. */
  static BigDecimal installment(BigDecimal total, int count, int n) {
    BigDecimal regular = installment(total, count);
    return n < count ? regular : total.subtract(regular.multiply(BigDecimal.valueOf(count - 1L)));
  }
}
