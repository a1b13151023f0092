package dev.beacon.payments;

import dev.beacon.config.BeaconConfig;
import dev.beacon.core.Money;
import dev.beacon.http.Problem;
import io.vertx.core.MultiMap;
import io.vertx.core.json.JsonObject;

import java.math.BigDecimal;
import java.util.List;
import java.util.Locale;

/** A checkout request: {@code option} full, partial or plan, with an {@code amount} or {@code installments}. */
record CheckoutInput(String option, BigDecimal amount, Integer installments) {
  static final String FULL = "full";
  static final String PARTIAL = "partial";
  static final String PLAN = "plan";
  static final List<String> OPTIONS = List.of(FULL, PARTIAL, PLAN);

  static CheckoutInput fromForm(MultiMap form, BeaconConfig.Payments config) {
    return parse(form.get("option"), blankToNull(form.get("amount")), blankToNull(form.get("installments")), config);
  }

  static CheckoutInput fromJson(JsonObject o, BeaconConfig.Payments config) {
    return parse(o.getValue("option"), o.getValue("amount"), o.getValue("installments"), config);
  }

  private static CheckoutInput parse(Object rawOption, Object rawAmount, Object rawInstallments,
                                     BeaconConfig.Payments config) {
    if (!(rawOption instanceof String s) || !OPTIONS.contains(s.toLowerCase(Locale.ROOT))) {
      throw Problem.invalid("option", "must be full, partial or plan");
    }
    String option = s.toLowerCase(Locale.ROOT);
    BigDecimal amount = null;
    Integer installments = null;
    if (option.equals(PARTIAL)) {
      if (rawAmount == null) {
        throw Problem.invalid("amount", "is required for a partial payment");
      }
      try {
        amount = Money.parse(rawAmount);
      } catch (IllegalArgumentException e) {
        throw Problem.invalid("amount", e.getMessage());
      }
      if (amount.compareTo(config.minPartial()) < 0) {
        throw Problem.invalid("amount", "must be at least " + Money.format(config.minPartial()));
      }
    }
    if (option.equals(PLAN)) {
      installments = integer(rawInstallments);
      if (installments == null || installments < config.planMinInstallments()
          || installments > config.planMaxInstallments()) {
        throw Problem.invalid("installments", "must be an integer from " + config.planMinInstallments() + " to "
            + config.planMaxInstallments());
      }
    }
    return new CheckoutInput(option, amount, installments);
  }

  private static Integer integer(Object raw) {
    if (raw instanceof Integer i) {
      return i;
    }
    if (raw instanceof String t && t.trim().matches("[0-9]{1,4}")) {
      return Integer.parseInt(t.trim());
    }
    return null;
  }

  private static String blankToNull(String s) {
    return s == null || s.isBlank() ? null : s;
  }
}
