package dev.beacon.db;

import org.junit.jupiter.api.Test;

import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

class UuidsParseTest {
  @Test
  void parseOrNull_takesOnlyTheCanonicalForm_andNeverThrows() {
    UUID id = UUID.randomUUID();
    assertThat(Uuids.parseOrNull(id.toString())).isEqualTo(id);
    assertThat(Uuids.parseOrNull(id.toString().toUpperCase())).isEqualTo(id);
    assertThat(Uuids.parseOrNull("1-1-1-1-1")).isNull(); // UUID.fromString would accept it
    assertThat(Uuids.parseOrNull("zzzzzzzz-zzzz-zzzz-zzzz-zzzzzzzzzzzz")).isNull();
    assertThat(Uuids.parseOrNull(42)).isNull();
    assertThat(Uuids.parseOrNull(null)).isNull();
  }
}
