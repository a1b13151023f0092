package dev.beacon.dashboard;

import io.vertx.core.Vertx;

import java.util.List;
import java.util.stream.Collectors;

/**
 * The dashboard's counts as the tracking enricher moves events (docs/dashboard.md, "Rollups"): CTEs that a live
 * batch's statement adds to what it writes, so that its events are in the hourly and daily counts, the funnel
 * and the data version in the same transaction, without waiting for the rollup job and without recounting an
 * hour. The counts are added to, never recomputed: the rollup job, before it recounts any hour from the raw rows
 * (an import, a relabelled view, contacts, payments), takes the enricher's lock, so the two never overlap.
 */
public final class LiveCounts {
  private LiveCounts() {}

  /** A funnel stage the batch's rows can reach: its name, its debtor_funnel column, which rows reach it. */
  record Stage(String name, String column, String reached) {}

  private static final List<Stage> EMAIL_STAGES = List.of(
      new Stage("opened", "opened_at", "label = 'human'"),
      new Stage("clicked", "clicked_at", "label = 'human' AND kind = 'click'"),
      new Stage("machine_opened", "machine_opened_at", "label = 'machine' AND kind = 'open'"));
  /* Only people's views are counted (RollupSql's page rows), with the page type as the label. */
  private static final List<Stage> PAGE_STAGES = List.of(new Stage("visited", "visited_at", "label = 'payment'"));

  /*
   * live_rows: the counted rows (debtor_id, at, kind, label). Upserts in key order, so that two transactions
   * adding to the same counts (two enrichers of a fleet in turn, an enricher and a rollup run waiting on it) take
   * the row locks in one order. The funnel moves only forward, as the rollup job's does: a debtor's latest time
   * at a stage leaves its old hour and day (-1) for the new one (+1). It moves only when the hour changes: the
   * counts are per hour, and a debtor opening again within the hour would otherwise rewrite its funnel row at
   * every batch (with the benchmark's 1,000 debtors opening all the time, the pixel measured 0.58 of the minimal
   * writer that way and 0.63 moving only across hours). So debtor_funnel holds the first time of the debtor's
   * latest hour at each stage.
   */
  private static final String CTES = """
              live_rows AS (
                %1$s
              ),
              live_counts AS (
                SELECT date_trunc('hour', at, 'UTC') AS hour, kind, label, count(*) AS n FROM live_rows GROUP BY 1, 2, 3
              ),
              live_hourly AS (
                INSERT INTO rollup_hourly AS t (hour, kind, label, events)
                SELECT hour, kind, label, n FROM live_counts ORDER BY 1, 2, 3
                ON CONFLICT (hour, kind, label) DO UPDATE SET events = t.events + EXCLUDED.events
              ),
              live_daily AS (
                INSERT INTO rollup_daily AS t (day, kind, label, events)
                SELECT date_trunc('day', hour, 'UTC'), kind, label, sum(n) FROM live_counts
                GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
                ON CONFLICT (day, kind, label) DO UPDATE SET events = t.events + EXCLUDED.events
              ),
              live_moved AS (
                SELECT g.debtor_id, s.stage, s.at, s.prev
                FROM (SELECT debtor_id, %2$s FROM live_rows GROUP BY 1) g
                LEFT JOIN debtor_funnel f ON f.debtor_id = g.debtor_id
                CROSS JOIN LATERAL (VALUES %3$s) AS s(stage, at, prev)
                WHERE s.at IS NOT NULL
                  AND (s.prev IS NULL OR date_trunc('hour', s.at, 'UTC') > date_trunc('hour', s.prev, 'UTC'))
              ),
              live_funnel AS (
                INSERT INTO debtor_funnel AS f (debtor_id, %4$s)
                SELECT debtor_id, %5$s FROM live_moved GROUP BY 1 ORDER BY 1
                ON CONFLICT (debtor_id) DO UPDATE SET %6$s
              ),
              live_delta AS (
                SELECT date_trunc('hour', at, 'UTC') AS hour, stage, 1 AS d FROM live_moved
                UNION ALL
                SELECT date_trunc('hour', prev, 'UTC'), stage, -1 FROM live_moved WHERE prev IS NOT NULL
              ),
              live_funnel_hourly AS (
                INSERT INTO funnel_hourly AS fh (hour, stage, debtors)
                SELECT hour, stage, sum(d) FROM live_delta GROUP BY 1, 2 ORDER BY 1, 2
                ON CONFLICT (hour, stage) DO UPDATE SET debtors = fh.debtors + EXCLUDED.debtors
              ),
              live_funnel_daily AS (
                INSERT INTO funnel_daily AS fd (day, stage, debtors)
                SELECT date_trunc('day', hour, 'UTC'), stage, sum(d) FROM live_delta GROUP BY 1, 2 ORDER BY 1, 2
                ON CONFLICT (day, stage) DO UPDATE SET debtors = fd.debtors + EXCLUDED.debtors
              ),
              live_version AS (
                INSERT INTO rollup_state AS s (id, version, events_at)
                SELECT true, nextval('rollup_version_seq'), now() WHERE EXISTS (SELECT 1 FROM live_counts)
                ON CONFLICT (id) DO UPDATE SET version = EXCLUDED.version, events_at = EXCLUDED.events_at
              )""";

  private static String ctes(String rows, List<Stage> stages) {
    // Per debtor one row: the latest time of the batch at each stage, then one lookup of its funnel row.
    return CTES.formatted(rows,
        stages.stream().map(s -> "max(at) FILTER (WHERE " + s.reached() + ") AS " + s.column())
            .collect(Collectors.joining(", ")),
        stages.stream().map(s -> "('" + s.name() + "', g." + s.column() + ", f." + s.column() + ")")
            .collect(Collectors.joining(", ")),
        stages.stream().map(Stage::column).collect(Collectors.joining(", ")),
        stages.stream().map(s -> "max(at) FILTER (WHERE stage = '" + s.name() + "')")
            .collect(Collectors.joining(", ")),
        stages.stream().map(s -> s.column() + " = coalesce(EXCLUDED." + s.column() + ", f." + s.column() + ")")
            .collect(Collectors.joining(", ")));
  }

  /**
   * For a statement that writes opens and clicks: {@code rows} selects every written row's debtor_id, at, kind
   * ('open' or 'click') and final label (human, machine, scanner).
   */
  public static String email(String rows) {
    return ctes(rows, EMAIL_STAGES);
  }

  /**
   * For a statement that writes page views: {@code rows} selects the people's views (final label human) as
   * debtor_id, at, kind ('page_view') and label (the page type).
   */
  public static String page(String rows) {
    return ctes(rows, PAGE_STAGES);
  }

  /**
   * After the enricher's transaction committed counts: this process's dashboards read the new data version at
   * their next request instead of up to {@link DataVersion#TTL_MS} later.
   */
  public static void changed(Vertx vertx) {
    vertx.eventBus().publish(DataVersion.ADDRESS, DataVersion.CHANGED);
  }
}
