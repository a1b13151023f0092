package dev.beacon.tracking;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

class SettledTest {
  static final OffsetDateTime T = OffsetDateTime.of(2026, 11, 25, 12, 0, 0, 0, ZoneOffset.UTC);
  static final Classifier.Verdict HUMAN = new Classifier.Verdict(Classifier.Label.HUMAN, "browser");
  static final Classifier.Verdict MACHINE = new Classifier.Verdict(Classifier.Label.MACHINE, "proxy");
  final Settled settled = new Settled(Duration.ofMinutes(1));
  final UUID comm = UUID.randomUUID();

  static EventSql.EmailEvent event(Classifier.Kind kind, UUID comm, OffsetDateTime at, Classifier.Verdict v) {
    return new EventSql.EmailEvent("tok", comm, kind, at, "ua", null, v, kind == Classifier.Kind.CLICK ? "https://x" : null);
  }

  @Test
  void machineEvents_areAlwaysSettled_humanOnesOnlyOnceKnown() {
    assertThat(settled.covers(event(Classifier.Kind.OPEN, comm, T, MACHINE))).isTrue();
    assertThat(settled.covers(event(Classifier.Kind.OPEN, comm, T, HUMAN))).isFalse();
    settled.responded("tok", T);
    assertThat(settled.covers(event(Classifier.Kind.OPEN, null, T, HUMAN))).isTrue();
    assertThat(settled.covers(event(Classifier.Kind.OPEN, comm, T, HUMAN))).isFalse();
    settled.opened(comm, false);
    assertThat(settled.covers(event(Classifier.Kind.OPEN, comm, T, HUMAN))).isTrue();
  }

  @Test
  void aClick_needsTheMessageKnownClicked_andClickedNeverGoesBack() {
    settled.responded("tok", T);
    settled.opened(comm, false);
    assertThat(settled.covers(event(Classifier.Kind.CLICK, comm, T, HUMAN))).isFalse();
    settled.opened(comm, true);
    settled.opened(comm, false);
    assertThat(settled.covers(event(Classifier.Kind.CLICK, comm, T, HUMAN))).isTrue();
  }

  @Test
  void aLastResponse_coversEventsUpToOneGranularityLater_andOnlyMovesForward() {
    settled.opened(comm, true);
    settled.responded("tok", T);
    settled.responded("tok", T.minusHours(1));
    assertThat(settled.covers(event(Classifier.Kind.OPEN, comm, T.plusSeconds(60), HUMAN))).isTrue();
    assertThat(settled.covers(event(Classifier.Kind.OPEN, comm, T.plusSeconds(61), HUMAN))).isFalse();
    var view = new EventSql.NewView(UUID.randomUUID(), "tok", "landing", null, null, null, null, T.plusSeconds(30));
    assertThat(settled.covers(view)).isTrue();
    var other = new EventSql.NewView(UUID.randomUUID(), "other", "landing", null, null, null, null, T);
    assertThat(settled.covers(other)).isFalse();
  }

  @Test
  void memory_isBounded() {
    for (int k = 0; k < Settled.MAX_ENTRIES + 1000; k++) {
      settled.responded("t" + k, T);
      settled.opened(UUID.randomUUID(), false);
    }
    assertThat(settled.size()).isEqualTo(2 * Settled.MAX_ENTRIES);
    settled.responded("tok", null);
    assertThat(settled.covers(event(Classifier.Kind.OPEN, null, T, HUMAN))).isFalse();
  }
}
