package dev.beacon.scoring;

import dev.beacon.db.Database;
import dev.beacon.db.EmbeddedPg;
import dev.beacon.db.Migrations;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * The scoring benchmark (docs/benchmarks.md "Scoring"): generates debtors and events with set-based SQL into a durable
 * embedded PostgreSQL in a temporary directory, then times a full rescore and an incremental rescore of 10,000
 * active debtors, with the peak heap of each. Not part of the test suite (the name matches neither *Test nor
 * *IT); run it with
 * {@code ./mvnw -B test -Dtest=ScoringBenchmark -Dbench.debtors=1000000 -Dbench.events=10000000}, or with
 * {@code java} and the test classpath through {@link #main}. {@code -Dbench.dir=<data directory>} keeps the
 * database: generated there (and run as usual) when the directory is empty, reused (not generated again) when
 * it holds the database of an earlier run; copies of one generated directory give comparable runs.
 */
public class ScoringBenchmark {
  static final int DEBTORS = Integer.getInteger("bench.debtors", 100_000);
  static final int EVENTS = Integer.getInteger("bench.events", 1_000_000);
  static final int ACTIVE = Integer.getInteger("bench.active", 10_000);
  static final int CHUNK = Integer.getInteger("bench.chunk", 5_000);

  public static void main(String[] args) throws Exception {
    new ScoringBenchmark().benchmark();
    System.exit(0);
  }

  @Test
  void benchmark() throws Exception {
    String keep = System.getProperty("bench.dir");
    Path dir = keep == null ? Files.createTempDirectory("beacon-bench") : Path.of(keep);
    boolean fresh = !Files.exists(dir.resolve("PG_VERSION"));
    Vertx vertx = Vertx.vertx();
    try (EmbeddedPg pg = EmbeddedPg.startDurable(dir, 0)) {
      Database db = Database.of(pg.url(), null, null);
      Migrations.migrate(db);
      Pool pool = db.pool(vertx, 4);
      long t0 = System.nanoTime();
      System.out.printf("BENCH database %s%n", pg.url());
      if (fresh) {
        generate(pool);
        System.out.printf("BENCH generated %,d debtors and %,d events in %.1f s (durable: fsync on)%n",
            DEBTORS, EVENTS, seconds(t0));
      }

      if (Boolean.getBoolean("bench.explain")) {
        explain(pool);
      }
      ScoringJob job = new ScoringJob(pool, "v1", CHUNK);
      if (fresh) {
        measure(pool, "full rescore, first (every score and history row written)", () -> job.runOnce(true));
      }
      measure(pool, "full rescore, steady state (scores unchanged)", () -> job.runOnce(true));

      // Every 97th debtor (fewer apart when the portfolio is too small for that): spread over the id space.
      // bench.activeOffset (0 to step - 1) picks another such set, so a rerun on a kept database
      // (bench.dir) again rescores debtors whose first click this is, not the same ones again.
      int step = Math.max(1, Math.min(97, DEBTORS / ACTIVE));
      int offset = Integer.getInteger("bench.activeOffset", 0) % step;
      int active = Math.min(ACTIVE, (DEBTORS - offset) / step);
      long t1 = System.nanoTime();
      await(pool.preparedQuery("""
          INSERT INTO email_events (debtor_id, kind, label, reason, occurred_at)
          SELECT md5(g::text)::uuid, 'click', 'human', 'bench', now()
          FROM generate_series(1 + $3::int, $1::int * $2::int + $3::int, $2::int) g""")
          .execute(Tuple.of(active, step, offset)));
      System.out.printf("BENCH %,d debtors got a new human click in %.1f s%n", active, seconds(t1));
      measure(pool, "incremental rescore of the active debtors", () -> job.runOnce(false));
      await(pool.close());
    } finally {
      await(vertx.close());
      if (keep == null) {
        try (Stream<Path> files = Files.walk(dir)) {
          files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
      }
    }
  }

  private static void generate(Pool pool) {
    exec(pool, """
        INSERT INTO debtors (id, first_name, last_name, email, unique_token, total_owed, status, email_consent,
                             phone_consent, created_at, updated_at)
        SELECT md5(g::text)::uuid, 'Bench', 'Debtor' || g, 'd' || g || '@bench.test', 'tok_' || md5('t' || g),
               round((50 + random() * 9950)::numeric, 2),
               CASE WHEN g % 50 = 0 THEN 'dispute' WHEN g % 97 = 0 THEN 'payment_plan' ELSE 'active' END,
               random() < 0.9, random() < 0.4, now() - interval '400 days', now() - interval '400 days'
        FROM generate_series(1, $1::int) g""", DEBTORS);
    // The events: 60 % email opens and clicks (80 % human), 20 % page views, 15 % contacts, 5 % payments,
    // spread over the last 89 days, each for a random debtor.
    exec(pool, """
        INSERT INTO email_events (debtor_id, kind, label, reason, occurred_at, url)
        SELECT md5((1 + floor(random() * $2::int))::int::text)::uuid,
               CASE WHEN r < 0.75 THEN 'open' ELSE 'click' END,
               CASE WHEN random() < 0.8 THEN 'human' WHEN random() < 0.5 THEN 'machine' ELSE 'scanner' END,
               'bench', now() - interval '1 day' - random() * interval '88 days',
               CASE WHEN r >= 0.75 THEN 'https://bench.test/p/x/pay' END
        FROM (SELECT random() AS r FROM generate_series(1, $1::int)) s""", EVENTS * 60 / 100, DEBTORS);
    exec(pool, """
        INSERT INTO page_views (debtor_id, page_type, time_on_page, "timestamp")
        SELECT md5((1 + floor(random() * $2::int))::int::text)::uuid,
               (ARRAY['landing', 'payment', 'info'])[1 + floor(random() * 3)::int], floor(random() * 600)::int,
               now() - interval '1 day' - random() * interval '88 days'
        FROM generate_series(1, $1::int)""", EVENTS * 20 / 100, DEBTORS);
    exec(pool, """
        INSERT INTO communications (debtor_id, type, direction, call_outcome, "timestamp", created_at)
        SELECT md5((1 + floor(random() * $2::int))::int::text)::uuid, 'phone',
               CASE WHEN random() < 0.15 THEN 'inbound' ELSE 'outbound' END,
               (ARRAY['answered', 'voicemail', 'no_answer'])[1 + floor(random() * 3)::int],
               t, t
        FROM (SELECT now() - interval '1 day' - random() * interval '88 days' AS t FROM generate_series(1, $1::int)) s""",
        EVENTS * 15 / 100, DEBTORS);
    exec(pool, """
        INSERT INTO payments (debtor_id, amount, payment_type, status, created_at, completed_at, updated_at)
        SELECT md5((1 + floor(random() * $2::int))::int::text)::uuid, round((10 + random() * 200)::numeric, 2),
               'partial', CASE WHEN random() < 0.8 THEN 'completed' ELSE 'failed' END, t, t, t
        FROM (SELECT now() - interval '1 day' - random() * interval '88 days' AS t FROM generate_series(1, $1::int)) s""",
        EVENTS * 5 / 100, DEBTORS);
    exec(pool, "UPDATE payments SET completed_at = NULL WHERE status = 'failed'");
    exec(pool, "ANALYZE");
  }

  /** Prints the plan of the feature query for the first chunk (for tuning). */
  private static void explain(Pool pool) {
    var ids = await(pool.preparedQuery(ScoringRepository.ALL_IDS).execute(Tuple.of(ScoringRepository.FIRST, CHUNK)));
    List<UUID> list = new ArrayList<>();
    ids.forEach(r -> list.add(r.getUUID(0)));
    UUID[] arr = list.toArray(new UUID[0]);
    var now = OffsetDateTime.now();
    var plan = await(pool.preparedQuery("EXPLAIN (ANALYZE, BUFFERS) " + FeatureQuery.FEATURES)
        .execute(Tuple.of(arr, now, now)));
    plan.forEach(r -> System.out.println("PLAN " + r.getString(0)));
    String[] factors = new String[arr.length];
    Integer[] scores = new Integer[arr.length];
    Arrays.fill(factors, "[]");
    Arrays.fill(scores, 3);
    for (int i = 0; i < 3; i++) {
      var write = await(pool.preparedQuery("EXPLAIN (ANALYZE, BUFFERS) " + ScoreWriter.WRITE)
          .execute(Tuple.of(arr, scores, factors, "v1", now)));
      write.forEach(r -> System.out.println("WPLAN " + r.getString(0)));
    }
    for (int i = 0; i < 8; i++) {
      long t = System.nanoTime();
      await(pool.preparedQuery(FeatureQuery.FEATURES).execute(Tuple.of(arr, now, now)));
      System.out.printf("FEATURES %.3f s%n", seconds(t));
    }
  }

  private static void exec(Pool pool, String sql, int... params) {
    long t = System.nanoTime();
    Tuple tuple = Tuple.tuple();
    for (int p : params) {
      tuple.addInteger(p);
    }
    await(params.length == 0 ? pool.query(sql).execute() : pool.preparedQuery(sql).execute(tuple));
    System.out.printf("BENCH   %.1f s  %s%n", seconds(t), sql.strip().lines().findFirst().orElse(""));
  }

  private static void measure(Pool pool, String what, Supplier<Future<ScoringJob.Run>> run) {
    Row wal0 = wal(pool);
    System.gc();
    var pools = ManagementFactory.getMemoryPoolMXBeans().stream().filter(p -> p.getType() == MemoryType.HEAP)
        .toList();
    pools.forEach(MemoryPoolMXBean::resetPeakUsage);
    long t = System.nanoTime();
    ScoringJob.Run r = await(run.get());
    double took = seconds(t);
    long peak = pools.stream().mapToLong(p -> p.getPeakUsage().getUsed()).sum();
    Row wal1 = wal(pool);
    System.out.printf("BENCH %s: %,d debtors scored, %,d changed, %.2f s, peak heap %,d MB (max %,d MB); "
            + "WAL %,d MB, %,d full-page images, %d checkpoints%n",
        what, r.scored(), r.changed(), took, peak / (1024 * 1024), Runtime.getRuntime().maxMemory() / (1024 * 1024),
        (wal1.getLong(1) - wal0.getLong(1)) / (1024 * 1024), wal1.getLong(0) - wal0.getLong(0),
        wal1.getLong(2) - wal0.getLong(2));
  }

  /** WAL written so far: full-page images, bytes, and checkpoints begun (PostgreSQL 17's statistics views). */
  private static Row wal(Pool pool) {
    return await(pool.query("""
        SELECT w.wal_fpi, w.wal_bytes::bigint, c.num_timed + c.num_requested
        FROM pg_stat_wal w, pg_stat_checkpointer c""").execute()).iterator().next();
  }

  private static double seconds(long nanos) {
    return (System.nanoTime() - nanos) / 1e9;
  }

  private static <T> T await(Future<T> f) {
    try {
      return f.await(2, TimeUnit.HOURS);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
