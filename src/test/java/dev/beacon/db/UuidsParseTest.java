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

  @Test
  void canonical_acceptsExactlyTheShapeThePixelAndClickPathsTakeForACommunicationId() {
    for (int i = 0; i < 100; i++) {
      String id = UUID.randomUUID().toString();
      assertThat(Uuids.canonical(id)).isTrue();
      assertThat(Uuids.canonical(id.toUpperCase())).isTrue();
      assertThat(UUID.fromString(id).toString()).isEqualTo(id);
    }
    assertThat(Uuids.canonical("0f8fad5b-d9cb-469f-a165-70867728950e")).isTrue();
    assertThat(Uuids.canonical("0f8fad5b-d9cb-469f-a165-70867728950")).isFalse(); // 35 characters
    assertThat(Uuids.canonical("0f8fad5b-d9cb-469f-a165-70867728950e0")).isFalse();
    assertThat(Uuids.canonical("0f8fad5bd-9cb-469f-a165-70867728950e")).isFalse(); // a dash out of place
    assertThat(Uuids.canonical("0f8fad5b-d9cb-469f-a165-70867728950g")).isFalse();
    assertThat(Uuids.canonical("0f8fad5b-d9cb-469f-a165_70867728950e")).isFalse();
    assertThat(Uuids.canonical("0f8fad5b-d9cb-469f-a16５-70867728950e")).isFalse(); // a full-width digit
    assertThat(Uuids.canonical("1-1-1-1-1")).isFalse();
    assertThat(Uuids.canonical("")).isFalse();
    assertThat(Uuids.canonical(null)).isFalse();
  }
}
