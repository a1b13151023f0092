package dev.beacon.dashboard;

import dev.beacon.app.Routes;
import dev.beacon.app.Services;
import dev.beacon.db.Database;
import dev.beacon.db.EmbeddedPg;
import dev.beacon.db.Migrations;
import dev.beacon.http.HttpVerticle;
import dev.beacon.http.Times;
import dev.beacon.support.BenchServices;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;
import java.util.regex.Pattern;

/**
 * The dashboard benchmark (docs/benchmarks.md "Dashboard"): loads {@code bench.debtors} debtors and
 * {@code bench.events} email events (plus contacts, page views and payments in proportion) into the embedded
 * PostgreSQL in durable mode, builds the rollups, times each dashboard statement inside PostgreSQL as prepared,
 * then measures each endpoint's latency over HTTP (p50/p95/p99, {@code bench.requests} requests per endpoint,
 * {@code bench.concurrency} in flight) for computed answers (kept answers off, ranges varied) and for kept
 * answers, and the 304 path, each with the number of database queries it sent. With {@code bench.dir} the
 * database is kept and reused by the next run. Not a test: run it with src/test/bench/dashboard.sh.
 */
public final class DashboardBench {
  static final String KEY = "bench-viewer-key";
  static final int CHUNK = 500_000;

  public static void main(String[] args) throws Exception {
    long debtors = Long.getLong("bench.debtors", 1_000_000);
    long events = Long.getLong("bench.events", 10_000_000);
    int requests = Integer.getInteger("bench.requests", 400);
    int concurrency = Integer.getInteger("bench.concurrency", 4);
    String dir = System.getProperty("bench.dir", "");
    Path data = dir.isEmpty() ? Files.createTempDirectory("beacon-dash-bench").resolve("pg") : Path.of(dir);
    EmbeddedPg pg = EmbeddedPg.startDurable(data, 0);
    Vertx vertx = Vertx.vertx();
    try {
      Database db = Database.of(pg.url(), null, null);
      Migrations.migrate(db);
      Pool pool = db.pool(vertx, 8);
      System.out.println("PostgreSQL " + one(pool, "SHOW server_version") + ", fsync=" + one(pool, "SHOW fsync")
          + ", synchronous_commit=" + one(pool, "SHOW synchronous_commit"));
      if (one(pool, "SELECT count(*) FROM beacon_meta WHERE key = 'bench_seeded'").equals("0")) {
        seed(pool, debtors, events);
      } else {
        System.out.println("Reusing the data in " + data);
      }
      System.out.printf(Locale.ROOT, "Data: %s debtors, %s email events, %s communications, %s page views, %s payments%n",
          one(pool, "SELECT count(*) FROM debtors"), one(pool, "SELECT count(*) FROM email_events"),
          one(pool, "SELECT count(*) FROM communications"), one(pool, "SELECT count(*) FROM page_views"),
          one(pool, "SELECT count(*) FROM payments"));

      RollupJob job = new RollupJob(vertx, pool);
      long t = System.nanoTime();
      var full = job.runOnce(true).await(2, TimeUnit.HOURS);
      System.out.printf(Locale.ROOT, "Rollup from scratch: %d dirty hours in %.1f s%n", full.hours(), ms(t) / 1000);
      sql(pool, "VACUUM ANALYZE");
      newEvents(pool);
      t = System.nanoTime();
      var incremental = job.runOnce(true).await(10, TimeUnit.MINUTES);
      System.out.printf(Locale.ROOT, "Incremental rollup after 20,000 new events (%d hours) + portfolio snapshot: %.0f ms%n",
          incremental.hours(), ms(t));
      t = System.nanoTime();
      job.runOnce(false).await(10, TimeUnit.MINUTES);
      System.out.printf(Locale.ROOT, "Idle rollup run (nothing dirty, no snapshot): %.1f ms%n", ms(t));

      dbTimes(pool);

      Services deps = BenchServices.viewer(db, pool, 2, KEY);
      List<HttpVerticle> verticles = new ArrayList<>();
      vertx.deployVerticle(() -> {
        HttpVerticle v = Routes.httpVerticle(deps);
        verticles.add(v);
        return v;
      }, new DeploymentOptions().setInstances(2)).await(60, TimeUnit.SECONDS);
      WebClient client = WebClient.create(vertx, new WebClientOptions().setDefaultHost("localhost")
          .setDefaultPort(verticles.get(0).actualPort()));

      System.out.println("Load average at start of the HTTP runs: " + Files.readString(Path.of("/proc/loadavg")).trim());
      OffsetDateTime end = Range.ceilHour(OffsetDateTime.now(ZoneOffset.UTC));
      List<Endpoint> endpoints = List.of(
          new Endpoint("summary (30 days)", "/api/dashboard/summary?", 30 * 24),
          new Endpoint("funnel (30 days)", "/api/dashboard/funnel?", 30 * 24),
          new Endpoint("activity, day (30 days)", "/api/dashboard/activity?bucket=day&", 30 * 24),
          new Endpoint("activity, hour (7 days)", "/api/dashboard/activity?bucket=hour&", 7 * 24),
          new Endpoint("summary (90 days)", "/api/dashboard/summary?", 90 * 24),
          new Endpoint("scores", "/api/dashboard/scores", 0),
          new Endpoint("top debtors (10)", "/api/dashboard/top-debtors?limit=10", 0),
          new Endpoint("top debtors (100)", "/api/dashboard/top-debtors?limit=100", 0));
      // Warm-up over every endpoint first (JIT, each pooled connection's prepared statements), so the first
      // endpoint measured is not the one that pays for it.
      DashboardRoutes.cacheAnswers = false;
      for (Endpoint e : endpoints) {
        measure(client, i -> e.path(end, i), null, Math.max(50, requests), concurrency);
      }
      for (boolean kept : List.of(false, true)) {
        DashboardRoutes.cacheAnswers = kept;
        System.out.printf(Locale.ROOT, "%nHTTP, %s, %d requests per endpoint, %d in flight (ms)%n", kept
            ? "answers kept per data version (repeat polls of one view)"
            : "every answer computed (kept answers off; ranges ending 0-23 hours before now, so all day edges occur)",
            requests, concurrency);
        System.out.printf(Locale.ROOT, "%-58s %7s %7s %7s %7s %8s%n", "endpoint", "p50", "p95", "p99", "max", "queries");
        for (Endpoint e : endpoints) {
          measure(client, i -> e.path(end, kept ? 0 : i), null, Math.max(20, requests / 10), concurrency);
          long before = DashboardRepository.QUERIES.get();
          double[] lat = measure(client, i -> e.path(end, kept ? 0 : i), null, requests, concurrency);
          report(e.name(), lat, DashboardRepository.QUERIES.get() - before);
        }
      }
      String etag = client.get("/api/dashboard/summary").bearerTokenAuthentication(KEY).send()
          .await(30, TimeUnit.SECONDS).getHeader("ETag");
      long before = DashboardRepository.QUERIES.get();
      double[] notModified = measure(client, i -> "/api/dashboard/summary", etag, requests * 5, concurrency);
      report("summary, If-None-Match (304)", notModified, DashboardRepository.QUERIES.get() - before);
      System.out.printf(Locale.ROOT, "304 path: %d requests sent %d database queries (version re-read at most every %d ms)%n",
          requests * 5, DashboardRepository.QUERIES.get() - before, DataVersion.TTL_MS);
    } finally {
      vertx.close().await(30, TimeUnit.SECONDS);
      pg.close();
    }
  }

  static void seed(Pool pool, long debtors, long events) {
    long t = System.nanoTime();
    // Debtor ids are md5(n)::uuid, so events can pick a random debtor without a lookup table.
    for (long from = 1; from <= debtors; from += CHUNK) {
      long to = Math.min(debtors, from + CHUNK - 1);
      sql(pool, """
          INSERT INTO debtors (id, first_name, last_name, email, unique_token, total_owed, amount_paid, status,
                               payment_propensity_score, created_at, updated_at)
          SELECT md5(i::text)::uuid, 'First' || i, 'Last' || i, 'bench' || i || '@example.com', 'bench-token-' || md5(i::text),
                 owed, CASE WHEN r < 0.12 THEN owed WHEN r < 0.35 THEN round(owed * 0.3, 2) ELSE 0 END,
                 CASE WHEN r < 0.12 THEN 'resolved' WHEN r < 0.22 THEN 'payment_plan' WHEN r < 0.27 THEN 'dispute'
                      WHEN r < 0.29 THEN 'cease' WHEN r < 0.30 THEN 'closed' ELSE 'active' END,
                 (random() * 100)::int, now() - interval '120 days', now()
          FROM (SELECT i, round((150 + random() * 9850)::numeric, 2) AS owed, random() AS r
                FROM generate_series($1::bigint, $2::bigint) i) s""", from, to);
      System.out.printf(Locale.ROOT, "  debtors %,d / %,d (%.0f s)%n", to, debtors, ms(t) / 1000);
    }
    String pick = "md5((1 + floor(random() * " + debtors + "))::bigint::text)::uuid";
    insertChunks(pool, "communications", events / 5, t, """
        INSERT INTO communications (debtor_id, type, direction, "timestamp", created_at)
        SELECT %s, (ARRAY['email','email','email','sms','phone'])[1 + floor(random() * 5)::int], 'outbound', at, at
        FROM (SELECT now() - random() * interval '90 days' AS at FROM generate_series(1, $1::bigint)) g""".formatted(pick));
    insertChunks(pool, "email events", events, t, """
        INSERT INTO email_events (debtor_id, kind, occurred_at, label, reason, url)
        SELECT %s, CASE WHEN k < 0.75 THEN 'open' ELSE 'click' END, now() - random() * interval '90 days',
               CASE WHEN l < 0.55 THEN 'human' WHEN l < 0.9 THEN 'machine' ELSE 'scanner' END, 'bench',
               CASE WHEN k >= 0.75 THEN 'https://beacon.example.com/p/x/pay' END
        FROM (SELECT random() AS k, random() AS l FROM generate_series(1, $1::bigint)) g""".formatted(pick));
    insertChunks(pool, "page views", events / 10, t, """
        INSERT INTO page_views (debtor_id, page_type, "timestamp")
        SELECT %s, (ARRAY['landing','landing','payment','info'])[1 + floor(random() * 4)::int],
               now() - random() * interval '90 days'
        FROM generate_series(1, $1::bigint)""".formatted(pick));
    insertChunks(pool, "payments", debtors / 10, t, """
        INSERT INTO payments (debtor_id, amount, status, created_at, completed_at)
        SELECT %s, round((25 + random() * 2000)::numeric, 2), 'completed', at, at
        FROM (SELECT now() - random() * interval '90 days' AS at FROM generate_series(1, $1::bigint)) g""".formatted(pick));
    // Email events and page views carry no trigger: their writers mark the hours they touch, as here.
    sql(pool, """
        INSERT INTO rollup_dirty (hour, source)
        SELECT DISTINCT date_trunc('hour', occurred_at, 'UTC'), 'email' FROM email_events
        UNION ALL SELECT DISTINCT date_trunc('hour', "timestamp", 'UTC'), 'page' FROM page_views""");
    sql(pool, "INSERT INTO beacon_meta (key, value) VALUES ('bench_seeded', now()::text)");
    sql(pool, "VACUUM ANALYZE");
    System.out.printf(Locale.ROOT, "Generated in %.0f s%n", ms(t) / 1000);
  }

  static void insertChunks(Pool pool, String what, long total, long t, String sql) {
    for (long done = 0; done < total; ) {
      long n = Math.min(CHUNK, total - done);
      sql(pool, sql, n);
      done += n;
      System.out.printf(Locale.ROOT, "  %s %,d / %,d (%.0f s)%n", what, done, total, ms(t) / 1000);
    }
  }

  /**
   * 20,000 new events for the incremental run, as the tracking enricher writes them: 40 batches of 500 opens, each
   * one committed statement that also marks its hours dirty. Prints the median batch time.
   */
  static void newEvents(Pool pool) {
    String insert = """
        WITH ins AS (
          INSERT INTO email_events (debtor_id, kind, occurred_at, label, reason)
          SELECT md5((1 + floor(random() * 1000))::bigint::text)::uuid, 'open', now() - random() * interval '1 minute',
                 'human', 'bench' FROM generate_series(1, 500)
          RETURNING occurred_at)
        INSERT INTO rollup_dirty (hour, source) SELECT DISTINCT date_trunc('hour', occurred_at, 'UTC'), 'email' FROM ins""";
    double[] batch = new double[40];
    for (int i = 0; i < batch.length; i++) {
      long t = System.nanoTime();
      sql(pool, insert);
      batch[i] = ms(t);
    }
    Arrays.sort(batch);
    System.out.printf(Locale.ROOT, "Batch of 500 events with its dirty hours (durable commit): median %.1f ms%n",
        batch[20]);
  }

  /**
   * Each dashboard statement inside PostgreSQL, prepared as the pool prepares it (PREPARE, then EXPLAIN ANALYZE
   * EXECUTE 12 times): median planning and execution time of the last 7 runs, after PostgreSQL's plan cache has
   * chosen between a generic and a custom plan (the first 5 runs are always custom), and which it chose.
   */
  static void dbTimes(Pool pool) {
    Range month = Range.parse(null, null, OffsetDateTime.now(ZoneOffset.UTC), Range.MAX_SPAN);
    Range week = new Range(month.to().minusDays(7), month.to());
    String days = literals(DashboardRepository.days(month));
    System.out.println("\nInside PostgreSQL, prepared statements (median of the last 7 of 12 runs, ms):");
    System.out.printf(Locale.ROOT, "  %-32s %9s %9s  %s%n", "statement", "planning", "execution", "plan");
    SqlConnection conn = pool.getConnection().await();
    try {
      for (var q : List.of(
          List.of("summary (30 days)", DashboardRepository.SUMMARY, days),
          List.of("funnel (30 days)", DashboardRepository.FUNNEL, days),
          List.of("activity by day (30 days)", DashboardRepository.ACTIVITY_DAY, days),
          List.of("activity by hour (7 days)", DashboardRepository.ACTIVITY_HOUR,
              literals(Tuple.of(week.from(), week.to()))),
          List.of("scores: portfolio", DashboardRepository.PORTFOLIO, ""),
          List.of("top debtors (100)", DashboardRepository.TOP, "100"))) {
        conn.query("PREPARE bench_q AS " + q.get(1)).execute().await();
        double[] planning = new double[7];
        double[] execution = new double[7];
        String plan = "";
        for (int i = 0; i < 12; i++) {
          plan = String.join("\n", conn.query("EXPLAIN (ANALYZE) EXECUTE bench_q"
                  + (q.get(2).isEmpty() ? "" : "(" + q.get(2) + ")")).execute().await().value().stream()
              .map(r -> r.getString(0)).toList());
          if (i >= 5) {
            planning[i - 5] = number(plan, "Planning Time: ([0-9.]+) ms");
            execution[i - 5] = number(plan, "Execution Time: ([0-9.]+) ms");
          }
        }
        conn.query("DEALLOCATE bench_q").execute().await();
        Arrays.sort(planning);
        Arrays.sort(execution);
        System.out.printf(Locale.ROOT, "  %-32s %9.2f %9.2f  %s%n", q.get(0), planning[3], execution[3],
            plan.contains("$1") ? "generic" : "custom");
      }
    } finally {
      conn.close().await();
    }
  }

  private static String literals(Tuple t) {
    List<String> out = new ArrayList<>();
    for (int i = 0; i < t.size(); i++) {
      out.add("'" + Times.format((OffsetDateTime) t.getValue(i)) + "'");
    }
    return String.join(", ", out);
  }

  private static double number(String text, String pattern) {
    var m = Pattern.compile(pattern).matcher(text);
    return m.find() ? Double.parseDouble(m.group(1)) : -1;
  }

  /** An endpoint measured with ranges of {@code hours} (0: no range) ending {@code shift % 24} hours before the end. */
  record Endpoint(String name, String path, int hours) {
    String path(OffsetDateTime end, int shift) {
      if (hours == 0) {
        return path;
      }
      OffsetDateTime to = end.minusHours(shift % 24);
      return path + "from=" + Times.format(to.minusHours(hours)) + "&to=" + Times.format(to);
    }
  }

  static double[] measure(WebClient client, IntFunction<String> path, String etag, int n, int concurrency) {
    double[] lat = new double[n];
    int expected = etag == null ? 200 : 304;
    List<Future<?>> lanes = new ArrayList<>();
    int[] next = {0};
    for (int c = 0; c < concurrency; c++) {
      lanes.add(lane(client, path, etag, lat, next, expected));
    }
    Future.all(lanes).await();
    Arrays.sort(lat);
    return lat;
  }

  private static Future<?> lane(WebClient client, IntFunction<String> paths, String etag, double[] lat, int[] next,
                                int expected) {
    int i;
    synchronized (next) {
      if (next[0] >= lat.length) {
        return Future.succeededFuture();
      }
      i = next[0]++;
    }
    String path = paths.apply(i);
    long t = System.nanoTime();
    var req = client.get(path).bearerTokenAuthentication(KEY);
    if (etag != null) {
      req.putHeader("If-None-Match", etag);
    }
    return req.send().compose(r -> {
      lat[i] = ms(t);
      if (r.statusCode() != expected) {
        return Future.failedFuture(path + " answered " + r.statusCode() + ": " + r.bodyAsString());
      }
      return lane(client, paths, etag, lat, next, expected);
    });
  }

  static void report(String name, double[] sorted, long queries) {
    System.out.printf(Locale.ROOT, "%-58s %7.1f %7.1f %7.1f %7.1f %8d%n", name, pct(sorted, 50), pct(sorted, 95),
        pct(sorted, 99), sorted[sorted.length - 1], queries);
  }

  static double pct(double[] sorted, int p) {
    return sorted[Math.min(sorted.length - 1, (int) Math.ceil(p / 100.0 * sorted.length) - 1)];
  }

  static String one(Pool pool, String sql) {
    Row r = pool.query(sql).execute().await().iterator().next();
    return String.valueOf(r.getValue(0));
  }

  static void sql(Pool pool, String sql, Object... params) {
    if (params.length == 0) {
      pool.query(sql).execute().await();
    } else {
      pool.preparedQuery(sql).execute(Tuple.from(params)).await();
    }
  }

  static double ms(long startNanos) {
    return (System.nanoTime() - startNanos) / 1e6;
  }
}
