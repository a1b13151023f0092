package dev.beacon.dashboard;

import dev.beacon.http.Problem;
import dev.beacon.http.Times;

import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;

/**
 * A dashboard time range [from, to) in whole UTC hours (the rollups' grain): {@code from} is floored and
 * {@code to} ceiled to the hour. Defaults: the 30 days up to the end of the current hour.
 */
record Range(OffsetDateTime from, OffsetDateTime to) {
  static final Duration DEFAULT_SPAN = Duration.ofDays(30);
  static final Duration MAX_SPAN = Duration.ofDays(400);

  /** Parses the optional {@code from}/{@code to} parameters; 400 naming the field when they are unusable. */
  static Range parse(String fromRaw, String toRaw, OffsetDateTime now, Duration maxSpan) {
    OffsetDateTime to = blank(toRaw) ? ceilHour(now) : ceilHour(Times.parse("to", toRaw));
    OffsetDateTime from = blank(fromRaw) ? to.minus(DEFAULT_SPAN) : floorHour(Times.parse("from", fromRaw));
    if (!from.isBefore(to)) {
      throw Problem.invalid("from", "must be before to");
    }
    if (Duration.between(from, to).compareTo(maxSpan) > 0) {
      throw Problem.invalid("from", "the range may span at most " + maxSpan.toDays() + " days");
    }
    return new Range(from, to);
  }

  /** A stable text for ETags. */
  String key() {
    return from.toEpochSecond() + ":" + to.toEpochSecond();
  }

  static OffsetDateTime floorHour(OffsetDateTime t) {
    return t.withOffsetSameInstant(ZoneOffset.UTC).truncatedTo(ChronoUnit.HOURS);
  }

  static OffsetDateTime ceilHour(OffsetDateTime t) {
    OffsetDateTime floor = floorHour(t);
    return floor.isEqual(t) ? floor : floor.plusHours(1);
  }

  private static boolean blank(String s) {
    return s == null || s.isBlank();
  }
}
