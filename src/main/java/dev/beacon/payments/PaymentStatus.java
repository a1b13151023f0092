package dev.beacon.payments;

import dev.beacon.db.SqlLiterals;

import java.util.Collection;
import java.util.EnumSet;
import java.util.Set;

/** The payment statuses the schema allows (the CHECK constraint of {@code payments.status}, V1 and V5). */
public enum PaymentStatus {
  PENDING("pending"),
  COMPLETED("completed"),
  FAILED("failed"),
  EXPIRED("expired"),
  REFUNDED("refunded"),
  PARTIALLY_REFUNDED("partially_refunded"),
  DISPUTED("disputed");

  /** Statuses in which the money reached the agency (less any refund): what {@code debtors.amount_paid} counts. */
  public static final Set<PaymentStatus> SETTLED = EnumSet.of(COMPLETED, PARTIALLY_REFUNDED, REFUNDED, DISPUTED);
  /** Statuses in which no money moved. */
  public static final Set<PaymentStatus> UNPAID = EnumSet.of(PENDING, FAILED, EXPIRED);

  private final String sql;

  PaymentStatus(String sql) {
    this.sql = sql;
  }

  /** The value stored in {@code payments.status}. */
  public String sql() {
    return sql;
  }

  public boolean settled() {
    return SETTLED.contains(this);
  }

  /** The status stored as {@code value}; throws for a value the schema does not allow. */
  public static PaymentStatus of(String value) {
    for (PaymentStatus s : values()) {
      if (s.sql.equals(value)) {
        return s;
      }
    }
    throw new IllegalArgumentException("Unknown payment status " + value);
  }

  /** {@code 'pending'}: the status as a SQL string literal, for SQL constants. */
  public String literal() {
    return SqlLiterals.of(sql);
  }

  /** {@code 'a', 'b'}: the statuses as SQL string literals, for an {@code IN (...)} list in a SQL constant. */
  public static String literals(Collection<PaymentStatus> statuses) {
    return SqlLiterals.list(statuses.stream().map(PaymentStatus::sql).toList());
  }
}
