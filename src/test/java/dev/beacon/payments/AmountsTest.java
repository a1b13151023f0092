package dev.beacon.payments;

import org.junit.jupiter.api.Test;

import java.math.BigDecimal;

import static org.assertj.core.api.Assertions.assertThat;

class AmountsTest {
  @Test
  void cents_roundTrip() {
    assertThat(Amounts.cents(new BigDecimal("1250.50"))).isEqualTo(125050L);
    assertThat(Amounts.fromCents(125050L)).isEqualByComparingTo("1250.50");
  }

  @Test
  void installments_addUpToTheTotal_lastTakesTheRest() {
    BigDecimal total = new BigDecimal("1000.00");
    assertThat(Amounts.installment(total, 3, 1)).isEqualByComparingTo("333.33");
    assertThat(Amounts.installment(total, 3, 2)).isEqualByComparingTo("333.33");
    assertThat(Amounts.installment(total, 3, 3)).isEqualByComparingTo("333.34");
    BigDecimal sum = BigDecimal.ZERO;
    for (int n = 1; n <= 7; n++) {
      sum = sum.add(Amounts.installment(new BigDecimal("99.99"), 7, n));
    }
    assertThat(sum).isEqualByComparingTo("99.99");
  }
}
