package dev.beacon.payments;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PaymentStatusTest {
  @Test
  void everyStatusReadsBackFromItsStoredValue() {
    for (PaymentStatus s : PaymentStatus.values()) {
      assertThat(PaymentStatus.of(s.sql())).isSameAs(s);
    }
    assertThat(PaymentStatus.PARTIALLY_REFUNDED.sql()).isEqualTo("partially_refunded");
    assertThatThrownBy(() -> PaymentStatus.of("paid")).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void settledAndUnpaidSplitTheStatuses() {
    assertThat(PaymentStatus.SETTLED).doesNotContainAnyElementsOf(PaymentStatus.UNPAID);
    assertThat(PaymentStatus.SETTLED.size() + PaymentStatus.UNPAID.size()).isEqualTo(PaymentStatus.values().length);
    assertThat(PaymentStatus.literals(PaymentStatus.SETTLED))
        .isEqualTo("'completed', 'refunded', 'partially_refunded', 'disputed'");
  }
}
