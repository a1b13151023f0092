package dev.beacon.dashboard;

import dev.beacon.core.DebtorStatus;
import dev.beacon.core.Money;
import dev.beacon.http.Times;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Turns rollup rows into the dashboard's JSON answers (docs/dashboard.md). */
final class DashboardViews {
  static final List<String> LABELS = List.of("human", "machine", "scanner");
  static final List<String> PAGES = List.of("landing", "payment", "info");
  static final List<String> CHANNELS = List.of("email", "sms", "phone");
  static final List<String> STAGES = List.of("contacted", "delivered", "opened", "clicked", "visited", "paid");
  /** Stages counted beside the funnel, not in its chain. */
  static final List<String> SIDE_STAGES = List.of("machine_opened", "bounced", "complained");
  /** The activity series, in display order. */
  static final List<String[]> SERIES = List.of(
      new String[] {"contact", "email"}, new String[] {"contact", "sms"}, new String[] {"contact", "phone"},
      new String[] {"open", "human"}, new String[] {"open", "machine"}, new String[] {"open", "scanner"},
      new String[] {"click", "human"}, new String[] {"click", "machine"}, new String[] {"click", "scanner"},
      new String[] {"page_view", "landing"}, new String[] {"page_view", "payment"}, new String[] {"page_view", "info"},
      new String[] {"payment", "collected"});

  private DashboardViews() {}

  static JsonObject summary(Range range, DashboardRepository.Summary summary) {
    Map<String, Long> events = new LinkedHashMap<>();
    BigDecimal collected = BigDecimal.ZERO;
    for (var c : summary.counts()) {
      events.put(c.kind() + "/" + c.label(), c.events());
      if (c.kind().equals("payment")) {
        collected = collected.add(c.amount());
      }
    }
    JsonObject byStatus = new JsonObject();
    DebtorStatus.ALL.forEach(s -> byStatus.put(s, 0L));
    long total = 0;
    BigDecimal owed = BigDecimal.ZERO;
    BigDecimal paid = BigDecimal.ZERO;
    for (var p : summary.statuses()) {
      byStatus.put(p.status(), byStatus.getLong(p.status(), 0L) + p.debtors());
      total += p.debtors();
      owed = owed.add(p.totalOwed());
      paid = paid.add(p.amountPaid());
    }
    Map<String, Long> funnel = stageMap(summary.stages());
    return range(range)
        .put("debtors", new JsonObject().put("total", total).put("byStatus", byStatus))
        .put("contacts", labelled(events, "contact", CHANNELS))
        .put("opens", labelled(events, "open", LABELS))
        .put("clicks", labelled(events, "click", LABELS))
        .put("pageViews", labelled(events, "page_view", PAGES))
        .put("payments", new JsonObject().put("count", events.getOrDefault("payment/collected", 0L))
            .put("amount", Money.format(collected)))
        .put("portfolio", new JsonObject().put("totalOwed", Money.format(owed)).put("amountPaid", Money.format(paid))
            .put("balance", Money.format(owed.subtract(paid).max(BigDecimal.ZERO))))
        .put("collectionRate", ratio(paid, owed))
        .put("emailDelivery", delivery(events))
        .put("humanEngagement", new JsonObject()
            .put("contactedDebtors", funnel.get("contacted"))
            .put("openRate", ratio(funnel.get("opened"), funnel.get("contacted")))
            .put("clickRate", ratio(funnel.get("clicked"), funnel.get("contacted"))));
  }

  /**
   * What the email providers reported in the range: deliveries, hard bounces and complaints, each also as a
   * share of the emails sent in the range (events of messages sent just before the range count too).
   */
  static JsonObject delivery(Map<String, Long> events) {
    long sent = events.getOrDefault("contact/email", 0L);
    long delivered = events.getOrDefault("delivery/delivered", 0L);
    long bounced = events.getOrDefault("delivery/bounced", 0L);
    long complained = events.getOrDefault("delivery/complained", 0L);
    return new JsonObject().put("sent", sent).put("delivered", delivered).put("bounced", bounced)
        .put("complained", complained).put("deliveredRate", ratio(delivered, sent))
        .put("bounceRate", ratio(bounced, sent)).put("complaintRate", ratio(complained, sent));
  }

  /**
   * The funnel's stages with their rates. Where no provider reports deliveries the delivered stage is 0, and
   * opened's rate from the previous stage is then its rate from contacted (not 0). Bounced and complained
   * debtors are shares of the contacted ones.
   */
  static JsonObject funnel(Range range, List<DashboardRepository.Stage> stages) {
    Map<String, Long> m = stageMap(stages);
    JsonArray out = new JsonArray();
    long first = m.get(STAGES.get(0));
    long previous = first;
    for (String s : STAGES) {
      long n = m.get(s);
      out.add(new JsonObject().put("stage", s).put("debtors", n)
          .put("rateFromPrevious", ratio(n, previous)).put("rateFromFirst", ratio(n, first)));
      if (n > 0 || !s.equals("delivered")) {
        previous = n;
      }
    }
    long bounced = m.get("bounced");
    long complained = m.get("complained");
    return range(range).put("stages", out).put("machineOpenedDebtors", m.get("machine_opened"))
        .put("bouncedDebtors", bounced).put("complainedDebtors", complained)
        .put("bounceRate", ratio(bounced, first)).put("complaintRate", ratio(complained, first));
  }

  /** Each series' position in {@link #SERIES}, by kind and then label. */
  private static final Map<String, Map<String, Integer>> SERIES_INDEX = new HashMap<>();

  static {
    for (int i = 0; i < SERIES.size(); i++) {
      SERIES_INDEX.computeIfAbsent(SERIES.get(i)[0], k -> new HashMap<>()).put(SERIES.get(i)[1], i);
    }
  }

  /**
   * Points may be finer than the bucket (hours of a partial day): each is added to the bucket it falls in.
   * Runs once per computed answer over up to 31 x 24 x 13 points, so it does index arithmetic on epoch seconds
   * instead of date-time arithmetic per point.
   */
  static JsonObject activity(Range range, String bucket, List<DashboardRepository.Point> points) {
    ChronoUnit unit = bucket.equals("day") ? ChronoUnit.DAYS : ChronoUnit.HOURS;
    long width = unit.getDuration().getSeconds();
    OffsetDateTime start = range.from().truncatedTo(unit);
    long startSecond = start.toEpochSecond();
    int n = (int) ((range.to().toEpochSecond() - 1 - startSecond) / width) + 1;
    JsonArray buckets = new JsonArray(new ArrayList<>(n));
    for (int i = 0; i < n; i++) {
      buckets.add(Times.format(Instant.ofEpochSecond(startSecond + i * width)));
    }
    long[][] values = new long[SERIES.size()][n];
    for (var p : points) {
      Integer s = SERIES_INDEX.getOrDefault(p.kind(), Map.of()).get(p.label());
      long i = Math.floorDiv(p.bucket().toEpochSecond() - startSecond, width);
      if (s != null && i >= 0 && i < n) {
        values[s][(int) i] += p.events();
      }
    }
    JsonArray series = new JsonArray(new ArrayList<>(SERIES.size()));
    for (int s = 0; s < SERIES.size(); s++) {
      List<Object> vs = new ArrayList<>(n);
      for (long x : values[s]) {
        vs.add(x);
      }
      series.add(new JsonObject().put("kind", SERIES.get(s)[0]).put("label", SERIES.get(s)[1])
          .put("values", new JsonArray(vs)));
    }
    return range(range).put("bucket", bucket).put("buckets", buckets).put("series", series);
  }

  static JsonObject scores(List<DashboardRepository.Portfolio> portfolio) {
    long[] histogram = new long[10];
    Map<String, long[]> byStatus = new LinkedHashMap<>();
    DebtorStatus.ALL.forEach(s -> byStatus.put(s, new long[2]));
    for (var p : portfolio) {
      histogram[p.bucket()] += p.debtors();
      long[] acc = byStatus.computeIfAbsent(p.status(), k -> new long[2]);
      acc[0] += p.debtors();
      acc[1] += p.scoreSum();
    }
    JsonArray buckets = new JsonArray();
    for (int b = 0; b < 10; b++) {
      buckets.add(new JsonObject().put("from", b * 10).put("to", b == 9 ? 100 : b * 10 + 9).put("debtors", histogram[b]));
    }
    JsonObject averages = new JsonObject();
    byStatus.forEach((s, acc) -> averages.put(s, new JsonObject().put("debtors", acc[0])
        .put("averageScore", acc[0] == 0 ? null : Math.round(acc[1] * 10.0 / acc[0]) / 10.0)));
    return new JsonObject().put("histogram", buckets).put("averageByStatus", averages);
  }

  static JsonObject top(List<DashboardRepository.TopDebtor> debtors) {
    JsonArray items = new JsonArray();
    for (var d : debtors) {
      items.add(new JsonObject().put("id", d.id().toString()).put("firstName", d.firstName())
          .put("lastName", d.lastName()).put("status", d.status()).put("score", d.score())
          .put("balance", Money.format(d.totalOwed().subtract(d.amountPaid()).max(BigDecimal.ZERO)))
          .put("totalOwed", Money.format(d.totalOwed())).put("amountPaid", Money.format(d.amountPaid()))
          .put("lastResponseAt", Times.format(d.lastResponseAt()))
          .put("lastContactAt", Times.format(d.lastContactAt()))
          .put("links", new JsonObject().put("debtor", "/api/debtors/" + d.id())
              .put("dashboard", "/dashboard#/debtors/" + d.id())));
    }
    return new JsonObject().put("items", items);
  }

  private static JsonObject range(Range range) {
    return new JsonObject().put("from", Times.format(range.from())).put("to", Times.format(range.to()));
  }

  private static JsonObject labelled(Map<String, Long> events, String kind, List<String> labels) {
    JsonObject o = new JsonObject();
    long total = 0;
    for (String l : labels) {
      long n = events.getOrDefault(kind + "/" + l, 0L);
      o.put(l, n);
      total += n;
    }
    return o.put("total", total);
  }

  private static Map<String, Long> stageMap(List<DashboardRepository.Stage> stages) {
    Map<String, Long> m = new LinkedHashMap<>();
    STAGES.forEach(s -> m.put(s, 0L));
    SIDE_STAGES.forEach(s -> m.put(s, 0L));
    stages.forEach(s -> m.put(s.stage(), s.debtors()));
    return m;
  }

  /** A share from 0 to 1, four decimals; 0 when the base is 0. */
  static double ratio(Number part, Number whole) {
    BigDecimal w = new BigDecimal(whole.toString());
    if (w.signum() == 0) {
      return 0;
    }
    return new BigDecimal(part.toString()).divide(w, 4, RoundingMode.HALF_UP).doubleValue();
  }
}
