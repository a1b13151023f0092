package dev.beacon.db;

import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.Set;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

class UuidsTest {
  @Test
  void v7_hasVersionSevenTheRfcVariantAndTheMillisecondsFirst() {
    UUID id = Uuids.v7(0x0123_4567_89ABL);
    assertThat(id.version()).isEqualTo(7);
    assertThat(id.variant()).isEqualTo(2);
    assertThat(id.toString()).startsWith("01234567-89ab-7");
  }

  @Test
  void v7_sortsByTimeAndDoesNotRepeat() {
    UUID earlier = Uuids.v7(1_700_000_000_000L);
    UUID later = Uuids.v7(1_700_000_000_001L);
    assertThat(earlier.toString()).isLessThan(later.toString());
    Set<UUID> seen = new HashSet<>();
    for (int k = 0; k < 10_000; k++) {
      assertThat(seen.add(Uuids.v7(1_700_000_000_000L))).isTrue();
    }
  }
}
