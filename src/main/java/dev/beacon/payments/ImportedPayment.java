package dev.beacon.payments;

import dev.beacon.core.Money;
import dev.beacon.http.Problem;
import dev.beacon.http.Times;
import io.vertx.core.json.JsonObject;

import java.math.BigDecimal;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.UUID;

/** One line of a payment history import, validated. */
record ImportedPayment(UUID debtorId, String email, BigDecimal amount, PaymentStatus status, String paymentType,
                       String paymentMethod, OffsetDateTime createdAt, OffsetDateTime completedAt) {
  /** The statuses an imported payment may have (partial refunds and disputes come only from Stripe). */
  static final Set<PaymentStatus> STATUSES = EnumSet.of(PaymentStatus.COMPLETED, PaymentStatus.FAILED,
      PaymentStatus.REFUNDED, PaymentStatus.EXPIRED, PaymentStatus.PENDING);
  static final Set<String> TYPES = Set.of(CheckoutInput.FULL, CheckoutInput.PARTIAL, CheckoutInput.PLAN);

  /** What {@code debtors.amount_paid} counts for this payment. */
  BigDecimal credit() {
    return status == PaymentStatus.COMPLETED ? amount : BigDecimal.ZERO;
  }

  BigDecimal refunded() {
    return status == PaymentStatus.REFUNDED ? amount : BigDecimal.ZERO;
  }

  /** Validates every field, collecting all errors; throws {@link Problem} listing them. */
  static ImportedPayment from(JsonObject o) {
    List<Problem.FieldError> errors = new ArrayList<>();
    UUID debtorId = null;
    String email = null;
    Object rawId = o.getValue("debtorId");
    Object rawEmail = o.getValue("email");
    if (rawId != null) {
      try {
        if (!(rawId instanceof String s) || s.length() != 36) {
          throw new IllegalArgumentException();
        }
        debtorId = UUID.fromString(s);
      } catch (IllegalArgumentException e) {
        errors.add(new Problem.FieldError("debtorId", "must be a UUID"));
      }
    } else if (rawEmail instanceof String s && !s.isBlank()) {
      email = s.trim().toLowerCase(Locale.ROOT);
    } else {
      errors.add(new Problem.FieldError("debtorId", "or email is required"));
    }
    BigDecimal amount = null;
    try {
      amount = Money.parse(o.getValue("amount"));
      if (amount.signum() == 0) {
        errors.add(new Problem.FieldError("amount", "must be positive"));
      }
    } catch (IllegalArgumentException e) {
      errors.add(new Problem.FieldError("amount", o.getValue("amount") == null ? "is required" : e.getMessage()));
    }
    String statusText = text(o, "status", PaymentStatus.COMPLETED.sql(), errors);
    PaymentStatus status = STATUSES.stream().filter(s -> s.sql().equals(statusText)).findFirst().orElse(null);
    if (status == null) {
      errors.add(new Problem.FieldError("status", "must be one of completed, failed, refunded, expired, pending"));
    }
    String type = text(o, "paymentType", null, errors);
    if (type != null && !TYPES.contains(type)) {
      errors.add(new Problem.FieldError("paymentType", "must be full, partial or plan"));
    }
    String method = text(o, "paymentMethod", null, errors);
    if (method != null && method.length() > 50) {
      errors.add(new Problem.FieldError("paymentMethod", "must be at most 50 characters"));
    }
    OffsetDateTime created = time(o, "createdAt", errors);
    OffsetDateTime completed = time(o, "completedAt", errors);
    if (created == null) {
      created = completed != null ? completed : OffsetDateTime.now(ZoneOffset.UTC);
    }
    boolean settled = status == PaymentStatus.COMPLETED || status == PaymentStatus.REFUNDED;
    if (settled && completed == null) {
      completed = created;
    }
    if (!settled && completed != null) {
      errors.add(new Problem.FieldError("completedAt", "is only for completed or refunded payments"));
    }
    if (completed != null && completed.isBefore(created)) {
      errors.add(new Problem.FieldError("completedAt", "must not be before createdAt"));
    }
    if (!errors.isEmpty()) {
      throw Problem.invalid(errors);
    }
    return new ImportedPayment(debtorId, email, amount, status, type, method, created, completed);
  }

  private static String text(JsonObject o, String key, String def, List<Problem.FieldError> errors) {
    Object v = o.getValue(key);
    if (v == null) {
      return def;
    }
    if (v instanceof String s) {
      return s.trim().toLowerCase(Locale.ROOT);
    }
    errors.add(new Problem.FieldError(key, "must be a string"));
    return def;
  }

  private static OffsetDateTime time(JsonObject o, String key, List<Problem.FieldError> errors) {
    Object v = o.getValue(key);
    if (v == null) {
      return null;
    }
    try {
      if (!(v instanceof String s)) {
        throw Problem.invalid(key, "must be an ISO-8601 instant such as 2026-11-25T17:00:00Z");
      }
      return Times.parse(key, s);
    } catch (Problem p) {
      errors.addAll(p.errors());
      return null;
    }
  }
}
