package dev.beacon.core;

import org.junit.jupiter.api.Test;

import java.math.BigDecimal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class MoneyTest {

  @Test
  void parsesStringsAndNumbers_toTwoPlaces() {
    assertThat(Money.parse("125.5")).isEqualTo(new BigDecimal("125.50"));
    assertThat(Money.parse(7)).isEqualTo(new BigDecimal("7.00"));
    assertThat(Money.parse("0.10")).isEqualTo(new BigDecimal("0.10"));
    assertThat(Money.format(new BigDecimal("3.10"))).isEqualTo("3.10");
    assertThat(Money.parse("99999999.99")).isEqualTo(Money.MAX);
  }

  @Test
  void refusesWhatCannotBeStored() {
    assertThatThrownBy(() -> Money.parse("1.001")).hasMessageContaining("two decimal places");
    assertThatThrownBy(() -> Money.parse("-0.01")).hasMessageContaining("negative");
    assertThatThrownBy(() -> Money.parse("100000000")).hasMessageContaining("at most");
    assertThatThrownBy(() -> Money.parse("1e3")).hasMessageContaining("decimal amount");
    assertThatThrownBy(() -> Money.parse(true)).hasMessageContaining("decimal amount");
  }
}
