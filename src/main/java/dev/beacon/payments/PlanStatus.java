package dev.beacon.payments;

import dev.beacon.db.SqlLiterals;

import java.util.Locale;

/** The payment plan statuses the schema allows (the CHECK constraint of {@code payment_plans.status}, V5). */
enum PlanStatus {
  PENDING, ACTIVE, COMPLETED, CANCELLED, BROKEN;

  /** The value stored in {@code payment_plans.status}. */
  String sql() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** {@code 'pending'}: the status as a SQL string literal, for SQL constants. */
  String literal() {
    return SqlLiterals.of(sql());
  }

  static PlanStatus of(String value) {
    return valueOf(value.toUpperCase(Locale.ROOT));
  }
}
