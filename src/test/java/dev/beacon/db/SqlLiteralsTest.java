package dev.beacon.db;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SqlLiteralsTest {
  @Test
  void quotesEnumerationWords() {
    assertThat(SqlLiterals.of("payment_plan")).isEqualTo("'payment_plan'");
    assertThat(SqlLiterals.list(List.of("active", "resolved"))).isEqualTo("'active', 'resolved'");
  }

  @Test
  void refusesAnythingButAPlainWord() {
    for (String bad : List.of("", "a'b", "Active", "x; DROP TABLE debtors", "a b", "1st")) {
      assertThatThrownBy(() -> SqlLiterals.of(bad)).isInstanceOf(IllegalArgumentException.class);
    }
  }
}
