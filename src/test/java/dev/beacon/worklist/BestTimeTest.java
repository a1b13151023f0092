package dev.beacon.worklist;

import dev.beacon.communications.Channel;
import dev.beacon.communications.Compliance;
import dev.beacon.communications.ContactFacts;
import dev.beacon.core.DebtorStatus;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** The best-time estimate: hours of the week in the debtor's zone, smoothing toward the portfolio, the gate's hours. */
@Timeout(10)
class BestTimeTest {
  static final ZoneId CHICAGO = ZoneId.of("America/Chicago");
  static final ZoneId NEW_YORK = ZoneId.of("America/New_York");

  static ContactFacts facts(ZoneId zone) {
    return new ContactFacts(DebtorStatus.ACTIVE, true, true, false, List.of(zone), Set.of(), List.of(), List.of());
  }

  static Predicate<Instant> gate(ContactFacts f, Channel c) {
    return t -> Compliance.check(f, c, t).allowed();
  }

  /** {@code days} evenings at {@code hh:mm} local before {@code from}. */
  static List<Instant> evenings(LocalDate from, int days, int hour, int minute, ZoneId zone) {
    List<Instant> out = new ArrayList<>();
    for (int i = 1; i <= days; i++) {
      out.add(from.minusDays(i).atTime(hour, minute).atZone(zone).toInstant());
    }
    return out;
  }

  static BestTime.Portfolio portfolio(long debtors, int... hourAndCount) {
    long[] c = new long[BestTime.HOURS_OF_WEEK];
    for (int i = 0; i < hourAndCount.length; i += 2) {
      c[hourAndCount[i]] = hourAndCount[i + 1];
    }
    return new BestTime.Portfolio(c, debtors);
  }

  @Test
  @DisplayName("hours of the week start on Monday 00:00 local")
  void hourOfWeek_isLocal() {
    assertThat(BestTime.hourOfWeek(LocalDateTime.of(2026, 11, 2, 0, 30).atZone(CHICAGO).toInstant(), CHICAGO)).isZero();
    assertThat(BestTime.hourOfWeek(LocalDateTime.of(2026, 11, 8, 23, 59).atZone(CHICAGO).toInstant(), CHICAGO))
        .isEqualTo(167);
    // 01:00 UTC on a Wednesday is Tuesday 19:00 in Chicago (CST, UTC-6).
    assertThat(BestTime.hourOfWeek(Instant.parse("2026-11-04T01:00:00Z"), CHICAGO)).isEqualTo(24 + 19);
  }

  @Test
  @DisplayName("a debtor who only reads at 19:00 local gets the 19:00 hour, inside calling hours")
  void eveningReader_getsSevenPm() {
    LocalDate today = LocalDate.of(2026, 11, 16); // a Monday
    Instant at = today.atTime(9, 15).atZone(CHICAGO).toInstant();
    BestTime.Rates rates = new BestTime.Rates(BestTime.histogram(evenings(today, 60, 19, 20, CHICAGO), CHICAGO),
        portfolio(1000, 10, 4000, 14, 5000));
    ContactFacts f = facts(CHICAGO);
    for (Channel c : Channel.values()) {
      BestTime.Slot best = BestTime.best(rates, CHICAGO, at, at.plus(Duration.ofDays(7)), gate(f, c));
      assertThat(best.localStart().getHour()).isEqualTo(19);
      assertThat(best.localStart().toLocalTime()).isAfterOrEqualTo(LocalTime.of(8, 0)).isBefore(LocalTime.of(21, 0));
      assertThat(Compliance.check(f, c, best.start()).allowed()).isTrue();
      assertThat(best.end()).isEqualTo(best.start().plus(Duration.ofHours(1)));
      assertThat(best.debtorEvents()).isPositive();
      assertThat(best.responseRate()).isGreaterThan(0.3);
    }
    // Within today only: still 19:00 today.
    BestTime.Slot today19 = BestTime.best(rates, CHICAGO, at, BestTime.endOfDay(at, CHICAGO), gate(f, Channel.EMAIL));
    assertThat(today19.localStart()).isEqualTo(today.atTime(19, 0).atZone(CHICAGO));
  }

  @Test
  @DisplayName("a debtor without events gets the portfolio's best hour among the allowed ones")
  void noEvents_portfolioBestHour() {
    Instant at = LocalDate.of(2026, 11, 16).atTime(9, 0).atZone(CHICAGO).toInstant();
    // Portfolio peak at 03:00 Tuesday (not allowed), then Wednesday 14:00.
    BestTime.Portfolio p = portfolio(1000, 24 + 3, 9000, 48 + 14, 5000, 10, 1000);
    BestTime.Rates rates = new BestTime.Rates(new long[BestTime.HOURS_OF_WEEK], p);
    BestTime.Slot best = BestTime.best(rates, CHICAGO, at, at.plus(Duration.ofDays(7)), gate(facts(CHICAGO), Channel.SMS));
    assertThat(best.localStart()).isEqualTo(LocalDate.of(2026, 11, 18).atTime(14, 0).atZone(CHICAGO));
    assertThat(best.hourOfWeek()).isEqualTo(48 + 14);
    assertThat(best.debtorEvents()).isZero();
    assertThat(best.portfolioEvents()).isEqualTo(5000);
    // λ = K·m / (W + K), m = 5000 / (1000 · 13)
    double lambda = BestTime.PRIOR_WEEKS * (5000.0 / (1000 * 13)) / (13 + BestTime.PRIOR_WEEKS);
    assertThat(best.lambda()).isCloseTo(lambda, within(1e-12));
    assertThat(best.responseRate()).isCloseTo(1 - Math.exp(-lambda), within(1e-12));
  }

  @Test
  @DisplayName("few events are smoothed toward the portfolio: one read loses to its peak, five win")
  void fewEvents_areSmoothed() {
    LocalDate monday = LocalDate.of(2026, 11, 16);
    Instant at = monday.atTime(8, 0).atZone(CHICAGO).toInstant();
    BestTime.Portfolio p = portfolio(1000, 48 + 14, 5000); // m = 0.385/week: K·m = 1.54 > 1 event
    Predicate<Instant> open = gate(facts(CHICAGO), Channel.EMAIL);
    Instant tuesday10 = LocalDate.of(2026, 11, 10).atTime(10, 5).atZone(CHICAGO).toInstant();
    BestTime.Rates one = new BestTime.Rates(BestTime.histogram(List.of(tuesday10), CHICAGO), p);
    assertThat(BestTime.best(one, CHICAGO, at, at.plus(Duration.ofDays(7)), open).hourOfWeek()).isEqualTo(48 + 14);
    List<Instant> five = new ArrayList<>();
    for (int w = 0; w < 5; w++) {
      five.add(tuesday10.atZone(CHICAGO).minusWeeks(w).toInstant()); // 10:05 local across the DST change
    }
    BestTime.Rates many = new BestTime.Rates(BestTime.histogram(five, CHICAGO), p);
    assertThat(BestTime.best(many, CHICAGO, at, at.plus(Duration.ofDays(7)), open).hourOfWeek()).isEqualTo(24 + 10);
  }

  @Test
  @DisplayName("nothing allowed (opted out): no best time")
  void nothingAllowed_null() {
    Instant at = Instant.parse("2026-11-16T15:00:00Z");
    BestTime.Rates rates = new BestTime.Rates(new long[BestTime.HOURS_OF_WEEK], BestTime.Portfolio.EMPTY);
    assertThat(BestTime.best(rates, CHICAGO, at, at.plus(Duration.ofDays(7)), t -> false)).isNull();
  }

  @Test
  @DisplayName("a DST week keeps local hours right: 19:00 EST and 19:00 EDT reads are one hour, the next is 19:00 EDT")
  void dstWeek_keepsLocalHours() {
    // US daylight saving time began on Sunday 8 March 2026 at 2:00 in New York: 19:00 is 00:00Z before, 23:00Z after.
    List<Instant> reads = new ArrayList<>();
    for (int w = 1; w <= 6; w++) {
      reads.add(LocalDate.of(2026, 3, 3).minusWeeks(w - 1).atTime(19, 10).atZone(NEW_YORK).toInstant()); // Tuesdays EST
    }
    assertThat(reads.get(0)).isEqualTo(Instant.parse("2026-03-04T00:10:00Z"));
    long[] counts = BestTime.histogram(reads, NEW_YORK);
    assertThat(counts[24 + 19]).isEqualTo(6);
    BestTime.Rates rates = new BestTime.Rates(counts, portfolio(100, 10, 50));
    BestTime.Slot best = BestTime.best(rates, NEW_YORK, Instant.parse("2026-03-07T14:00:00Z"),
        Instant.parse("2026-03-07T14:00:00Z").plus(Duration.ofDays(7)), gate(facts(NEW_YORK), Channel.PHONE));
    assertThat(best.start()).isEqualTo(Instant.parse("2026-03-10T23:00:00Z"));
    assertThat(best.localStart().toLocalDateTime()).isEqualTo(LocalDateTime.of(2026, 3, 10, 19, 0));
    assertThat(best.end()).isEqualTo(Instant.parse("2026-03-11T00:00:00Z"));
    // The 23-hour day of the change has 23 local hours; the day it ends (1 November 2026) has 25.
    assertThat(slots(LocalDate.of(2026, 3, 8), NEW_YORK)).isEqualTo(23);
    assertThat(slots(LocalDate.of(2026, 11, 1), NEW_YORK)).isEqualTo(25);
    // After the autumn change too, 19:00 EST reads land in the same hour of the week as 19:00 EDT ones.
    Instant estRead = LocalDateTime.of(2026, 11, 3, 19, 30).atZone(NEW_YORK).toInstant();
    Instant edtRead = LocalDateTime.of(2026, 10, 27, 19, 30).atZone(NEW_YORK).toInstant();
    assertThat(Duration.between(edtRead, estRead)).isEqualTo(Duration.ofDays(7).plusHours(1));
    assertThat(BestTime.hourOfWeek(estRead, NEW_YORK)).isEqualTo(BestTime.hourOfWeek(edtRead, NEW_YORK)).isEqualTo(43);
  }

  /** How many local hours {@link BestTime#best} steps through on one local day. */
  private static int slots(LocalDate day, ZoneId zone) {
    Instant start = day.atStartOfDay(zone).toInstant();
    int[] n = {0};
    BestTime.best(new BestTime.Rates(new long[BestTime.HOURS_OF_WEEK], BestTime.Portfolio.EMPTY), zone, start,
        BestTime.endOfDay(start, zone), t -> {
          n[0]++;
          return true;
        });
    return n[0];
  }
}
