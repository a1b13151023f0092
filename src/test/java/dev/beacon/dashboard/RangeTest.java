package dev.beacon.dashboard;

import dev.beacon.http.Problem;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.OffsetDateTime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RangeTest {
  static final OffsetDateTime NOW = OffsetDateTime.parse("2026-11-25T18:47:12Z");

  @Test
  void defaults_areTheThirtyDaysUpToTheEndOfTheCurrentHour() {
    Range r = Range.parse(null, "", NOW, Range.MAX_SPAN);
    assertThat(r.to()).isEqualTo(OffsetDateTime.parse("2026-11-25T19:00:00Z"));
    assertThat(r.from()).isEqualTo(OffsetDateTime.parse("2026-10-26T19:00:00Z"));
  }

  @Test
  void bounds_areWidenedToWholeHours_andOffsetsBecomeUtc() {
    Range r = Range.parse("2026-11-01T10:30:00+02:00", "2026-11-01T12:00:00Z", NOW, Range.MAX_SPAN);
    assertThat(r.from()).isEqualTo(OffsetDateTime.parse("2026-11-01T08:00:00Z"));
    assertThat(r.to()).isEqualTo(OffsetDateTime.parse("2026-11-01T12:00:00Z"));
  }

  @Test
  void badValues_nameTheField() {
    assertThatThrownBy(() -> Range.parse("nope", null, NOW, Range.MAX_SPAN)).isInstanceOf(Problem.class)
        .hasMessageContaining("from");
    assertThatThrownBy(() -> Range.parse(null, "nope", NOW, Range.MAX_SPAN)).hasMessageContaining("to");
    assertThatThrownBy(() -> Range.parse("2026-11-02T00:00:00Z", "2026-11-01T00:00:00Z", NOW, Range.MAX_SPAN))
        .hasMessageContaining("before");
    assertThatThrownBy(() -> Range.parse("2026-01-01T00:00:00Z", "2026-03-01T00:00:00Z", NOW, Duration.ofDays(31)))
        .hasMessageContaining("31 days");
  }

  @Test
  void key_differsPerRange() {
    assertThat(Range.parse("2026-11-01T00:00:00Z", "2026-11-02T00:00:00Z", NOW, Range.MAX_SPAN).key())
        .isNotEqualTo(Range.parse("2026-11-01T00:00:00Z", "2026-11-03T00:00:00Z", NOW, Range.MAX_SPAN).key());
  }
}
