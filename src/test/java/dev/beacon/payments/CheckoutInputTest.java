package dev.beacon.payments;

import dev.beacon.config.BeaconConfig;
import dev.beacon.http.Problem;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CheckoutInputTest {
  private static final BeaconConfig.Payments CONFIG = BeaconConfig.of(new JsonObject()).payments();

  private static PaymentRepository.Debtor debtor(String owed, String paid, String status, boolean onPlan) {
    return new PaymentRepository.Debtor(UUID.randomUUID(), "t", null, "Ann", new BigDecimal(owed),
        new BigDecimal(paid), status, onPlan);
  }

  @Test
  void option_isRequiredAndKnown() {
    assertThatThrownBy(() -> CheckoutInput.fromJson(new JsonObject(), CONFIG)).isInstanceOf(Problem.class);
    assertThatThrownBy(() -> CheckoutInput.fromJson(new JsonObject().put("option", "all"), CONFIG))
        .isInstanceOf(Problem.class);
  }

  @Test
  void installments_withinConfiguredBounds() {
    assertThatThrownBy(() -> CheckoutInput.fromJson(new JsonObject().put("option", "plan").put("installments", 1), CONFIG))
        .isInstanceOf(Problem.class);
    assertThat(CheckoutInput.fromJson(new JsonObject().put("option", "plan").put("installments", "12"), CONFIG)
        .installments()).isEqualTo(12);
  }

  @Test
  void full_isTheBalance_andResolvedOrPaidDebtorsConflict() {
    CheckoutInput full = CheckoutInput.fromJson(new JsonObject().put("option", "full"), CONFIG);
    assertThat(CheckoutRules.amount(debtor("100.00", "40.00", "active", false), full)).isEqualByComparingTo("60.00");
    assertThatThrownBy(() -> CheckoutRules.amount(debtor("100.00", "100.00", "active", false), full))
        .isInstanceOfSatisfying(Problem.class, p -> assertThat(p.status()).isEqualTo(409));
    assertThatThrownBy(() -> CheckoutRules.amount(debtor("100.00", "0.00", "resolved", false), full))
        .isInstanceOfSatisfying(Problem.class, p -> assertThat(p.status()).isEqualTo(409));
  }

  @Test
  void plan_refusedWhileAnotherIsActive() {
    CheckoutInput plan = CheckoutInput.fromJson(new JsonObject().put("option", "plan").put("installments", 2), CONFIG);
    assertThat(CheckoutRules.amount(debtor("100.01", "0.00", "active", false), plan)).isEqualByComparingTo("50.00");
    assertThatThrownBy(() -> CheckoutRules.amount(debtor("100.00", "0.00", "payment_plan", true), plan))
        .isInstanceOfSatisfying(Problem.class, p -> assertThat(p.status()).isEqualTo(409));
  }
}
