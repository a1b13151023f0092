package dev.beacon.debtors;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class CsvTest {

  @Test
  void splitsPlainAndQuotedFields() {
    assertThat(Csv.split("a,b,,d")).containsExactly("a", "b", "", "d");
    assertThat(Csv.split("\"Lee, Ann\",\"say \"\"hi\"\"\",x")).containsExactly("Lee, Ann", "say \"hi\"", "x");
  }

  @Test
  void quotedFieldMaySpanLines() {
    Csv csv = new Csv();
    assertThat(csv.feed("1,\"Apt 4")).isNull();
    assertThat(csv.hasPending()).isTrue();
    assertThat(csv.feed("Floor 2\",x")).containsExactly("1", "Apt 4\nFloor 2", "x");
    assertThat(csv.hasPending()).isFalse();
  }
}
