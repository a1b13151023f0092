package dev.beacon.debtors;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CsvTest {

  @Test
  void splitsPlainAndQuotedFields_withDoubledQuotesAndLineBreaks() {
    assertThat(Csv.fields("a,b,,d")).containsExactly("a", "b", "", "d");
    assertThat(Csv.fields("\"Lee, Ann\",\"say \"\"hi\"\"\",x")).containsExactly("Lee, Ann", "say \"hi\"", "x");
    assertThat(Csv.fields("1,\"Apt 4\r\nFloor 2\",x")).containsExactly("1", "Apt 4\r\nFloor 2", "x");
  }

  @Test
  void textAfterAClosingQuote_isNotValidCsv() {
    assertThatThrownBy(() -> Csv.fields("\"a\"b,c")).isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("is not valid CSV");
  }

  @Test
  void columnKeys_ignoreCaseSpacesAndSeparators() {
    assertThat(Csv.columnKey(" First Name ")).isEqualTo(Csv.columnKey("firstName"));
    assertThat(Csv.columnKey("FIRST_NAME")).isEqualTo("firstname");
    assertThat(Csv.columnKey("\uFEFFfirstName")).isEqualTo("firstname");
  }
}
