package dev.beacon.core;

import java.math.BigDecimal;
import java.math.RoundingMode;

/** Money on the wire: a decimal string with two places ({@code "125.50"}). */
public final class Money {
  /** NUMERIC(10,2): the largest amount a column holds. */
  public static final BigDecimal MAX = new BigDecimal("99999999.99");

  private Money() {}

  public static String format(BigDecimal amount) {
    return amount == null ? null : amount.setScale(2, RoundingMode.UNNECESSARY).toPlainString();
  }

  /**
   * Parses a JSON string or number into an amount with at most two decimal places within [0, MAX].
   *
   * @throws IllegalArgumentException with a message fit for a field error
   */
  public static BigDecimal parse(Object value) {
    BigDecimal d;
    if (value instanceof String s) {
      if (!s.trim().matches("-?[0-9]+(\\.[0-9]+)?")) {
        throw new IllegalArgumentException("must be a decimal amount such as \"125.50\"");
      }
      d = new BigDecimal(s.trim());
    } else if (value instanceof Number n) {
      d = new BigDecimal(n.toString());
    } else {
      throw new IllegalArgumentException("must be a decimal amount such as \"125.50\"");
    }
    if (d.signum() < 0) {
      throw new IllegalArgumentException("must not be negative");
    }
    if (d.stripTrailingZeros().scale() > 2) {
      throw new IllegalArgumentException("must have at most two decimal places");
    }
    if (d.compareTo(MAX) > 0) {
      throw new IllegalArgumentException("must be at most " + MAX.toPlainString());
    }
    return d.setScale(2, RoundingMode.UNNECESSARY);
  }
}
