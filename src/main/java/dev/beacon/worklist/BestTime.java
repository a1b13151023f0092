package dev.beacon.worklist;

import java.time.DayOfWeek;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.function.Predicate;

/**
 * The best hour to reach a debtor, from their human engagement by hour of the week in their local zone, smoothed
 * toward the portfolio's pattern (docs/worklist.md "Best time"). Pure: no I/O.
 *
 * <p>An empirical-Bayes Gamma–Poisson estimate per hour of the week {@code h} (0 = Monday 00:00–01:00 local,
 * 167 = Sunday 23:00–24:00): the debtor's rate of human engagement events in that hour of a week is
 * {@code λ(h) = (c(h) + K·m(h)) / (W + K)}, where {@code c(h)} counts the debtor's events in that hour over the
 * last {@code W} weeks, {@code m(h) = C(h) / (D·W)} is the portfolio's mean per debtor and week in that hour
 * ({@code C(h)} the portfolio's events in it, {@code D} its debtors), and {@code K} the prior's strength in weeks.
 * A debtor without events gets the portfolio's pattern ({@code λ ∝ m}); each of their own events outweighs the
 * portfolio's mean in its hour. The expected response rate at an hour is {@code 1 − e^(−λ(h))}: the chance of at
 * least one human open, click or page view in that hour of a week.
 */
public final class BestTime {
  public static final int HOURS_OF_WEEK = 168;
  /** The engagement window: 13 weeks before {@code at}. */
  public static final int WINDOW_WEEKS = 13;
  public static final int WINDOW_DAYS = WINDOW_WEEKS * 7;
  /** The prior's strength, in weeks of observation. */
  public static final double PRIOR_WEEKS = 4;

  private BestTime() {}

  /** The hour of the week of {@code t} in {@code zone}: 0 for Monday 00:00–00:59 local, 167 for Sunday 23:00. */
  public static int hourOfWeek(Instant t, ZoneId zone) {
    ZonedDateTime local = t.atZone(zone);
    return (local.getDayOfWeek().getValue() - DayOfWeek.MONDAY.getValue()) * 24 + local.getHour();
  }

  /** Counts of events per hour of the week in {@code zone}. */
  public static long[] histogram(List<Instant> events, ZoneId zone) {
    long[] counts = new long[HOURS_OF_WEEK];
    for (Instant e : events) {
      counts[hourOfWeek(e, zone)]++;
    }
    return counts;
  }

  /** The portfolio's pattern: events per hour of the week (each in its debtor's zone) and how many debtors. */
  public record Portfolio(long[] counts, long debtors) {
    public static final Portfolio EMPTY = new Portfolio(new long[HOURS_OF_WEEK], 0);

    public Portfolio {
      if (counts.length != HOURS_OF_WEEK) {
        throw new IllegalArgumentException("a pattern has " + HOURS_OF_WEEK + " hours");
      }
      counts = counts.clone();
    }

    public long events() {
      long n = 0;
      for (long c : counts) {
        n += c;
      }
      return n;
    }

    public long at(int hourOfWeek) {
      return counts[hourOfWeek];
    }

    /** {@code m(h)}: mean events per debtor and week in that hour. */
    double mean(int hourOfWeek) {
      return debtors == 0 ? 0 : counts[hourOfWeek] / ((double) debtors * WINDOW_WEEKS);
    }
  }

  /** A debtor's smoothed weekly rates {@code λ(h)}, with the counts they rest on. */
  public record Rates(long[] debtorCounts, Portfolio portfolio) {
    public Rates {
      if (debtorCounts.length != HOURS_OF_WEEK) {
        throw new IllegalArgumentException("a pattern has " + HOURS_OF_WEEK + " hours");
      }
      debtorCounts = debtorCounts.clone();
    }

    public double lambda(int hourOfWeek) {
      return (debtorCounts[hourOfWeek] + PRIOR_WEEKS * portfolio.mean(hourOfWeek)) / (WINDOW_WEEKS + PRIOR_WEEKS);
    }

    public double responseRate(int hourOfWeek) {
      return 1 - Math.exp(-lambda(hourOfWeek));
    }

    public long debtorEvents() {
      long n = 0;
      for (long c : debtorCounts) {
        n += c;
      }
      return n;
    }
  }

  /**
   * One local hour to contact in: from {@code start} (the hour's start, or {@code at} inside the current hour) to
   * {@code end} (the next local hour's start), its hour of the week and its smoothed rate.
   */
  public record Slot(Instant start, Instant end, ZonedDateTime localStart, int hourOfWeek, double lambda,
                     double responseRate, long debtorEvents, long portfolioEvents) {}

  /**
   * The best slot from {@code at} up to {@code until} (exclusive), one slot per local hour of {@code zone}; only
   * slots whose start {@code allowed} accepts are considered. Highest {@code λ} first, the earliest on ties; null
   * when no slot is allowed. Local hours are stepped as instants (a 23- or 25-hour day has 23 or 25 of them), so
   * each hour carries its own UTC offset across a daylight-saving change.
   */
  public static Slot best(Rates rates, ZoneId zone, Instant at, Instant until, Predicate<Instant> allowed) {
    Slot best = null;
    ZonedDateTime hour = at.atZone(zone).truncatedTo(ChronoUnit.HOURS);
    while (hour.toInstant().isBefore(until)) {
      ZonedDateTime next = hour.plusHours(1);
      Instant start = hour.toInstant().isBefore(at) ? at : hour.toInstant();
      if (allowed.test(start)) {
        int how = hourOfWeek(hour.toInstant(), zone);
        double lambda = rates.lambda(how);
        if (best == null || lambda > best.lambda()) {
          best = new Slot(start, next.toInstant(), start.atZone(zone), how, lambda, rates.responseRate(how),
              rates.debtorCounts()[how], rates.portfolio().at(how));
        }
      }
      hour = next;
    }
    return best;
  }

  /** The rest of {@code at}'s local day in {@code zone}: its end (the next local midnight). */
  public static Instant endOfDay(Instant at, ZoneId zone) {
    return at.atZone(zone).toLocalDate().plusDays(1).atStartOfDay(zone).toInstant();
  }
}
