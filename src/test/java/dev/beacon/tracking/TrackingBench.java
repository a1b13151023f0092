package dev.beacon.tracking;

import com.sun.management.OperatingSystemMXBean;
import dev.beacon.app.Routes;
import dev.beacon.app.Services;
import dev.beacon.config.BeaconConfig;
import dev.beacon.db.Database;
import dev.beacon.db.EmbeddedPg;
import dev.beacon.db.Migrations;
import dev.beacon.http.ApiKeys;
import dev.beacon.http.HttpVerticle;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.OffsetDateTime;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * The tracking benchmark (docs/benchmarks.md): on a durable PostgreSQL (the embedded one, or {@code bench.url}),
 * alternated over rounds at one connection count: a bare Vert.x GIF server (the ceiling), a minimal group-commit
 * writer, one INSERT per request, the floor of an accept-then-enrich design (the minimal writer plus a bulk mover
 * doing the least an enrichment must, {@link FloorMover}), the floor of enriching on the hot path instead
 * ({@link DirectWriter}), Beacon's pixel and Beacon's beacon; then a sustained run of the minimal writer and the
 * pixel. Prints requests/s, p50/p99, 2xx answers vs rows in the event tables once the journal drained, the ratios,
 * freshness (accepted to visible in the event tables) and drain time. Not a test: run it with
 * src/test/bench/tracking.sh.
 */
public final class TrackingBench {
  private static final int DEBTORS = 1000;
  private static final int BEACON_PORT = 18080;
  private static final int CEILING_PORT = 18081;
  private static final int MINIMAL_PORT = 18082;
  private static final int PER_REQUEST_PORT = 18083;
  private static final int FLOOR_PORT = 18084;
  private static final int DIRECT_PORT = 18085;
  /** The ceiling's and the reference's server: no compression, no WebSocket extension handler (Beacon has none). */
  private static final HttpServerOptions PLAIN = new HttpServerOptions()
      .setPerFrameWebSocketCompressionSupported(false).setPerMessageWebSocketCompressionSupported(false);

  /** What wrk measured for one run. */
  record Result(String name, double rps, double p50ms, double p99ms, long requests, long non2xx, Cpu cpu) {
    long ok() {
      return requests - non2xx;
    }
  }

  /**
   * Where the machine's CPU went during a run, in core-seconds: Beacon's JVM (Beacon and the ceiling run in
   * it), PostgreSQL's processes (backends and background workers), everything else busy (wrk, mostly) and idle.
   */
  record Cpu(double jvm, double pg, double other, double idle) {
    Cpu minus(Cpu o) {
      return new Cpu(jvm - o.jvm, pg - o.pg, other - o.other, idle - o.idle);
    }
  }

  private static Pool cpuPool;

  private static Cpu cpuNow() throws Exception {
    double jvm = ((OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
        .getProcessCpuTime() / 1e9;
    double pg = 0;
    for (Row r : cpuPool.query("SELECT pid FROM pg_stat_activity").execute().await(30, TimeUnit.SECONDS)) {
      pg += jiffies(Path.of("/proc/" + r.getInteger(0) + "/stat"));
    }
    String[] cpu = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
    double busy = 0;
    for (int k = 1; k <= 8; k++) {
      if (k != 4 && k != 5) {
        busy += Long.parseLong(cpu[k]);
      }
    }
    double idle = Long.parseLong(cpu[4]) + Long.parseLong(cpu[5]);
    return new Cpu(jvm, pg / TICKS, busy / TICKS - jvm - pg / TICKS, idle / TICKS);
  }

  /** Clock ticks per second of /proc (USER_HZ), 100 on Linux. */
  private static final double TICKS = 100;

  private static double jiffies(Path stat) {
    try {
      String s = Files.readString(stat);
      String[] f = s.substring(s.lastIndexOf(')') + 2).split(" ");
      return Long.parseLong(f[11]) + Long.parseLong(f[12]);
    } catch (IOException | RuntimeException gone) {
      return 0;
    }
  }

  /** A bare server answering the pixel from memory: the plain-HTTP ceiling. */
  static final class Ceiling extends VerticleBase {
    @Override
    public Future<?> start() {
      return vertx.createHttpServer(PLAIN).requestHandler(req -> req.response()
          .putHeader(HttpHeaders.CONTENT_TYPE, "image/gif").putHeader(HttpHeaders.CACHE_CONTROL, "no-store")
          .end(TrackingRoutes.GIF)).listen(CEILING_PORT);
    }
  }

  /**
   * The reference the issue measures Beacon against: a minimal group-commit writer. Per verticle instance one
   * queue and one statement in flight; each flush inserts everything queued (the path's token and the time) in
   * one {@code unnest} INSERT into a table with only a bigserial key, and answers the GIF once it has committed.
   * No classification, no token lookup, no partitions, no secondary index. Subclasses write the batch otherwise.
   */
  static class MinimalWriter extends VerticleBase {
    final Pool pool;
    private final String insert;
    private final int port;
    private final ArrayDeque<HttpServerRequest> queue = new ArrayDeque<>();
    private boolean flushing;

    MinimalWriter(Pool pool) {
      this(pool, "bench_minimal", MINIMAL_PORT);
    }

    MinimalWriter(Pool pool, String table, int port) {
      this.pool = pool;
      this.insert = "INSERT INTO " + table + " (path, at) SELECT * FROM unnest($1::text[], $2::timestamptz[])";
      this.port = port;
    }

    @Override
    public Future<?> start() {
      return vertx.createHttpServer(PLAIN).requestHandler(req -> {
        queue.add(req);
        if (!flushing) {
          flushing = true;
          context.runOnContext(v -> flush());
        }
      }).listen(port);
    }

    /** Writes the batch in one statement; the GIFs are answered once it has committed. */
    Future<?> write(List<HttpServerRequest> batch) {
      String[] paths = new String[batch.size()];
      OffsetDateTime[] at = new OffsetDateTime[batch.size()];
      for (int k = 0; k < paths.length; k++) {
        paths[k] = batch.get(k).path();
        at[k] = OffsetDateTime.now();
      }
      return pool.preparedQuery(insert).execute(Tuple.tuple().addArrayOfString(paths).addArrayOfOffsetDateTime(at));
    }

    private void flush() {
      List<HttpServerRequest> batch = new ArrayList<>(queue);
      queue.clear();
      write(batch).onComplete(ar -> {
        for (HttpServerRequest r : batch) {
          if (ar.succeeded()) {
            r.response().putHeader(HttpHeaders.CONTENT_TYPE, "image/gif")
                .putHeader(HttpHeaders.CACHE_CONTROL, "no-store").end(TrackingRoutes.GIF);
          } else {
            r.response().setStatusCode(503).end();
          }
        }
        if (queue.isEmpty()) {
          flushing = false;
        } else {
          flush();
        }
      });
    }
  }

  /**
   * The floor of the other design, enriching on the hot path with what the process keeps in memory: the minimal
   * writer, but each flush writes the rich row straight into a table with email_events' columns and indexes,
   * the token resolved to its debtor from a map loaded at start (no lookup in the database, no journal, no
   * mover; no classification, message check, flags, last_response_date or dirty hours either).
   */
  static final class DirectWriter extends MinimalWriter {
    static final String INSERT = "INSERT INTO bench_direct_events (id, debtor_id, kind, occurred_at, label, reason) "
        + "SELECT e.id, e.debtor, 'open', e.at, 'human', '' "
        + "FROM unnest($1::uuid[], $2::uuid[], $3::timestamptz[]) AS e(id, debtor, at)";
    private final Map<String, UUID> debtors;

    DirectWriter(Pool pool, Map<String, UUID> debtors) {
      super(pool, "bench_direct_events", DIRECT_PORT);
      this.debtors = debtors;
    }

    @Override
    Future<?> write(List<HttpServerRequest> batch) {
      UUID[] ids = EventSql.eventIds(batch.size());
      UUID[] debtor = new UUID[batch.size()];
      OffsetDateTime[] at = new OffsetDateTime[batch.size()];
      for (int k = 0; k < debtor.length; k++) {
        String path = batch.get(k).path();
        int from = "/t/o/".length();
        debtor[k] = debtors.get(path.substring(from, path.indexOf('/', from)));
        at[k] = OffsetDateTime.now();
      }
      return pool.preparedQuery(INSERT).execute(Tuple.tuple().addArrayOfUUID(ids)
          .addArrayOfUUID(debtor).addArrayOfOffsetDateTime(at));
    }
  }

  /**
   * The floor of any design that accepts into a journal and enriches later, on this machine: the minimal writer
   * (into its own table) plus a mover that does the least an enrichment must, in batches of 5,000 as Beacon's
   * enricher does: resolve each row's token to its debtor (a join on the debtors' unique token), insert it into a
   * table with email_events' columns and indexes (event ids made in Java, as Beacon does), delete what it moved by
   * tuple id in the same statement, and vacuum the journal every four batches. No classification, no message
   * check, no communication flags, no last_response_date, no dirty hours: everything Beacon's enricher does beyond
   * this costs more, so Beacon's pixel cannot be above this server's rate.
   */
  static final class FloorMover extends VerticleBase {
    static final int BATCH = 5000;
    static final String MOVE = """
        WITH b AS (SELECT ctid AS tid, id, path, at FROM bench_floor_journal ORDER BY id LIMIT $1),
             n AS (SELECT b.*, row_number() OVER (ORDER BY b.id) AS k FROM b),
             ins AS (INSERT INTO bench_floor_events (id, debtor_id, kind, occurred_at, label, reason)
                     SELECT e.id, d.id, 'open', n.at, 'human', ''
                     FROM n JOIN unnest($2::uuid[]) WITH ORDINALITY AS e(id, k) USING (k)
                     JOIN debtors d ON d.unique_token = split_part(n.path, '/', 4)),
             del AS (DELETE FROM bench_floor_journal WHERE ctid = ANY(ARRAY(SELECT tid FROM b)) RETURNING 1)
        SELECT count(*)::int AS n FROM del""";
    private final Pool pool;
    private volatile boolean stopped;
    private long deleted;

    FloorMover(Pool pool) {
      this.pool = pool;
    }

    @Override
    public Future<?> start() {
      vertx.setTimer(1, id -> move());
      return Future.succeededFuture();
    }

    @Override
    public Future<?> stop() {
      stopped = true;
      return Future.succeededFuture();
    }

    private void move() {
      if (stopped) {
        return;
      }
      pool.withTransaction(conn -> conn.query(Enricher.SETTINGS).execute().compose(v -> conn.preparedQuery(MOVE)
          .execute(Tuple.of(BATCH).addArrayOfUUID(EventSql.eventIds(BATCH)))))
          .onComplete(ar -> {
            if (ar.failed()) {
              System.out.println("floor mover failed: " + ar.cause());
            }
            int n = ar.succeeded() ? ar.result().iterator().next().getInteger("n") : 0;
            deleted += n;
            if (deleted >= 4L * BATCH) {
              deleted = 0;
              pool.query("VACUUM (SKIP_LOCKED) bench_floor_journal").execute();
            }
            if (n >= BATCH) {
              vertx.runOnContext(v -> move());
            } else {
              vertx.setTimer(100, id -> move());
            }
          });
    }
  }

  /** One INSERT per request, answered after its commit: how listmonk and Umami write an open. */
  static final class PerRequestWriter extends VerticleBase {
    private final Pool pool;

    PerRequestWriter(Pool pool) {
      this.pool = pool;
    }

    @Override
    public Future<?> start() {
      return vertx.createHttpServer(PLAIN).requestHandler(req -> pool
          .preparedQuery("INSERT INTO bench_minimal (path, at) VALUES ($1, $2)")
          .execute(Tuple.of(req.path(), OffsetDateTime.now())).onComplete(ar -> {
            if (ar.succeeded()) {
              req.response().putHeader(HttpHeaders.CONTENT_TYPE, "image/gif")
                  .putHeader(HttpHeaders.CACHE_CONTROL, "no-store").end(TrackingRoutes.GIF);
            } else {
              req.response().setStatusCode(503).end();
            }
          })).listen(PER_REQUEST_PORT);
    }
  }

  /** A Beacon run's figures beyond wrk's: rows in the event tables, drain time, freshness. */
  record Written(long rows, double drainSeconds, double freshP50ms, double freshP99ms, double commitP99ms) {}

  public static void main(String[] args) throws Exception {
    int connections = Integer.parseInt(System.getProperty("bench.connections", "64"));
    int seconds = Integer.parseInt(System.getProperty("bench.seconds", "10"));
    int rounds = Integer.parseInt(System.getProperty("bench.rounds", "3"));
    int sustained = Integer.parseInt(System.getProperty("bench.sustained", "60"));
    String url = System.getProperty("bench.url", "");
    int slotsB = Integer.getInteger("bench.slotsB", 0);
    long hedgeB = Long.getLong("bench.hedgeB", -1);
    int instances = Integer.parseInt(System.getProperty("bench.instances",
        Integer.toString(Runtime.getRuntime().availableProcessors())));
    Path work = Files.createTempDirectory("beacon-bench");
    EmbeddedPg pg = url.isEmpty() ? EmbeddedPg.startDurable(work.resolve("pg"), 0) : null;
    Vertx vertx = Vertx.vertx();
    try {
      Database db = Database.of(url.isEmpty() ? pg.url() : url, null, null);
      Pool pool = db.pool(vertx, 16);
      if (!url.isEmpty()) {
        // Every run starts from an empty schema, as the embedded one does: event tables grown by earlier runs
        // (millions of rows, indexes many times shared_buffers) would make the figures of two runs incomparable.
        pool.query("DROP SCHEMA IF EXISTS public CASCADE").execute().await(600, TimeUnit.SECONDS);
        pool.query("CREATE SCHEMA public").execute().await(30, TimeUnit.SECONDS);
      }
      Migrations.migrate(db);
      cpuPool = db.pool(vertx, 1);
      System.out.println("PostgreSQL: " + settings(pool) + (url.isEmpty() ? " (embedded)" : " (" + url + ")"));
      List<String> tokens = seed(pool);
      Path lua = work.resolve("lua");
      Files.createDirectories(lua);
      writeScripts(lua, tokens);

      BeaconConfig config = BeaconConfig.of(new JsonObject()
          .put("http", new JsonObject().put("port", BEACON_PORT).put("instances", instances))
          .put("tracking", new JsonObject().put("linkSecret", "bench")
              .put("flushSlots", Integer.getInteger("bench.flushSlots", 0))
              .put("flushHedge", System.getProperty("bench.flushHedge", "2ms"))
              .put("batchMax", Integer.getInteger("bench.batchMax", 500))
              .put("enrichBatch", Integer.getInteger("bench.enrichBatch", 5000))));
      Services deps = new Services(config, pool, pool, new ApiKeys(List.of()), Migrations.currentVersion(db));
      vertx.deployVerticle(() -> Routes.httpVerticle(deps), new DeploymentOptions().setInstances(instances))
          .await(60, TimeUnit.SECONDS);
      Pool enricherPool = db.pool(vertx, 2);
      String enricher = vertx.deployVerticle(new Enricher(enricherPool, config.tracking())).await(60, TimeUnit.SECONDS);
      vertx.deployVerticle(Ceiling::new, new DeploymentOptions().setInstances(instances)).await(60, TimeUnit.SECONDS);
      pool.query("DROP TABLE IF EXISTS bench_minimal").execute().await(30, TimeUnit.SECONDS);
      pool.query("CREATE TABLE bench_minimal (id bigserial PRIMARY KEY, path text, at timestamptz)").execute()
          .await(30, TimeUnit.SECONDS);
      vertx.deployVerticle(() -> new MinimalWriter(pool), new DeploymentOptions().setInstances(instances))
          .await(60, TimeUnit.SECONDS);
      vertx.deployVerticle(() -> new PerRequestWriter(pool), new DeploymentOptions().setInstances(instances))
          .await(60, TimeUnit.SECONDS);
      pool.query("DROP TABLE IF EXISTS bench_floor_journal, bench_floor_events").execute().await(30, TimeUnit.SECONDS);
      pool.query("CREATE TABLE bench_floor_journal (id bigserial PRIMARY KEY, path text, at timestamptz)").execute()
          .await(30, TimeUnit.SECONDS);
      // bench.floorBare: the mover's target without email_events' indexes (what the indexes cost the floor).
      pool.query("CREATE TABLE bench_floor_events (LIKE email_events INCLUDING DEFAULTS"
          + (Boolean.getBoolean("bench.floorBare") ? ")" : " INCLUDING INDEXES)")).execute()
          .await(30, TimeUnit.SECONDS);
      vertx.deployVerticle(() -> new MinimalWriter(pool, "bench_floor_journal", FLOOR_PORT),
          new DeploymentOptions().setInstances(instances)).await(60, TimeUnit.SECONDS);
      vertx.deployVerticle(new FloorMover(db.pool(vertx, 2))).await(60, TimeUnit.SECONDS);
      pool.query("DROP TABLE IF EXISTS bench_direct_events").execute().await(30, TimeUnit.SECONDS);
      pool.query("CREATE TABLE bench_direct_events (LIKE email_events INCLUDING DEFAULTS INCLUDING INDEXES)")
          .execute().await(30, TimeUnit.SECONDS);
      Map<String, UUID> debtorOfToken = new java.util.HashMap<>();
      for (Row r : pool.query("SELECT unique_token, id FROM debtors").execute().await(30, TimeUnit.SECONDS)) {
        debtorOfToken.put(r.getString(0), r.getUUID(1));
      }
      vertx.deployVerticle(() -> new DirectWriter(pool, debtorOfToken), new DeploymentOptions().setInstances(instances))
          .await(60, TimeUnit.SECONDS);

      // Warm-up long enough for the JIT compilers to settle on Beacon's paths (with 3 s, compiler threads still took
      // a quarter of the JVM's CPU during the first round's Beacon runs).
      wrk("warm-up", CEILING_PORT, lua.resolve("pixel.lua"), connections, 3);
      wrk("warm-up", BEACON_PORT, lua.resolve("pixel.lua"), connections, 10);
      wrk("warm-up", BEACON_PORT, lua.resolve("beacon.lua"), connections, 5);
      wrk("warm-up", MINIMAL_PORT, lua.resolve("pixel.lua"), connections, 3);
      wrk("warm-up", FLOOR_PORT, lua.resolve("pixel.lua"), connections, 3);
      wrk("warm-up", DIRECT_PORT, lua.resolve("pixel.lua"), connections, 3);
      drain(pool, "bench_floor_journal");
      drain(pool);
      System.out.printf(Locale.ROOT, "%nconnections=%d duration=%ds rounds=%d instances=%d flushSlots=%d "
              + "batchMax=%d enrichBatch=%d cpus=%d%n", connections, seconds, rounds, instances,
          config.tracking().flushSlots(), config.tracking().batchMax(), config.tracking().enrichBatch(),
          Runtime.getRuntime().availableProcessors());
      List<double[]> ratios = new ArrayList<>();
      List<double[]> slotRatios = new ArrayList<>();
      Variant b = Variant.of(config.tracking(), slotsB, hedgeB);
      for (int round = 1; round <= rounds; round++) {
        System.out.printf(Locale.ROOT, "%nround %d of %d (uptime: %s)%n", round, rounds, uptime());
        Result ceiling = wrk("ceiling (bare Vert.x GIF)", CEILING_PORT, lua.resolve("pixel.lua"), connections, seconds);
        long minimalBefore = count(pool, "SELECT count(*) FROM bench_minimal");
        Result minimal = wrk("minimal group-commit writer", MINIMAL_PORT, lua.resolve("pixel.lua"),
            connections, seconds);
        long minimalRows = count(pool, "SELECT count(*) FROM bench_minimal") - minimalBefore;
        Result single = wrk("one INSERT per request", PER_REQUEST_PORT, lua.resolve("pixel.lua"), connections,
            seconds);
        long singleRows = count(pool, "SELECT count(*) FROM bench_minimal") - minimalBefore - minimalRows;
        long floorBefore = count(pool, "SELECT count(*) FROM bench_floor_events");
        Result floor = wrk("floor: minimal writer + bulk mover", FLOOR_PORT, lua.resolve("pixel.lua"), connections,
            seconds);
        double floorDrain = drain(pool, "bench_floor_journal");
        long floorRows = count(pool, "SELECT count(*) FROM bench_floor_events") - floorBefore;
        long directBefore = count(pool, "SELECT count(*) FROM bench_direct_events");
        Result direct = wrk("direct: rich row, tokens in memory", DIRECT_PORT,
            lua.resolve("pixel.lua"), connections, seconds);
        long directRows = count(pool, "SELECT count(*) FROM bench_direct_events") - directBefore;
        // With bench.slotsB, the pixel and accepting-only runs again with that many flush slots, before the
        // configured ones in even rounds and after them in odd ones.
        Result[] other = new Result[2];
        Written[] wOther = new Written[1];
        if (b != null && round % 2 == 0) {
          enricher = slotsRun(vertx, b, config.tracking(), enricher, enricherPool, config, pool, lua,
              connections, seconds, other, wOther);
        }
        var s0 = TrackingStats.current().snapshot();
        Written[] w = new Written[2];
        Result pixel = beaconRun("Beacon pixel GET /t/o/{token}/{id}.gif", "email_events", pool, lua, "pixel.lua",
            connections, seconds, w, 0);
        // The same pixel with the enricher stopped: what accepting alone costs (the journal then drains after).
        vertx.undeploy(enricher).await(60, TimeUnit.SECONDS);
        Samples acceptingCommits = new Samples();
        TrackingStats.observeCommits(acceptingCommits::add);
        Result accepting = wrk("  pixel, accepting only (enricher off)", BEACON_PORT, lua.resolve("pixel.lua"),
            connections, seconds);
        TrackingStats.observeCommits(null);
        enricher = vertx.deployVerticle(new Enricher(enricherPool, config.tracking())).await(60, TimeUnit.SECONDS);
        drain(pool);
        var s1 = TrackingStats.current().snapshot();
        if (b != null && round % 2 == 1) {
          enricher = slotsRun(vertx, b, config.tracking(), enricher, enricherPool, config, pool, lua,
              connections, seconds, other, wOther);
          s1 = TrackingStats.current().snapshot();
        }
        Result beacon = beaconRun("Beacon beacon POST /t/b", "page_views", pool, lua, "beacon.lua", connections,
            seconds, w, 1);
        var s2 = TrackingStats.current().snapshot();

        System.out.printf(Locale.ROOT, "%-40s %10s %8s %8s %10s %10s %8s %8s %9s %9s %8s%n", "run", "req/s", "p50 ms",
            "p99 ms", "2xx", "rows", "/ceiling", "/minimal", "fresh p50", "fresh p99", "drain s");
        print(ceiling, -1, ceiling.rps(), minimal.rps(), null);
        print(minimal, minimalRows, ceiling.rps(), minimal.rps(), null);
        print(single, singleRows, ceiling.rps(), minimal.rps(), null);
        print(floor, floorRows, ceiling.rps(), minimal.rps(), new Written(floorRows, floorDrain, Double.NaN, Double.NaN, Double.NaN));
        print(direct, directRows, ceiling.rps(), minimal.rps(), null);
        print(pixel, w[0].rows(), ceiling.rps(), minimal.rps(), w[0]);
        print(accepting, -1, ceiling.rps(), minimal.rps(), null);
        print(beacon, w[1].rows(), ceiling.rps(), minimal.rps(), w[1]);
        if (b != null) {
          print(other[0], wOther[0].rows(), ceiling.rps(), minimal.rps(), wOther[0]);
          print(other[1], -1, ceiling.rps(), minimal.rps(), null);
          slotRatios.add(new double[] {other[0].rps() / minimal.rps(), other[1].rps() / minimal.rps(),
              other[0].p99ms(), other[1].p99ms(), other[0].rps() / pixel.rps(), other[1].rps() / accepting.rps()});
        }
        List<Result> runs = new ArrayList<>(List.of(ceiling, minimal, single, floor, direct, pixel, accepting, beacon));
        if (b != null) {
          runs.addAll(List.of(other[0], other[1]));
        }
        printCpu(runs);
        System.out.printf(Locale.ROOT, "journal writer: pixel %.1f events per flush, beacon %.1f; statement to "
                + "commit: pixel %.2f ms, beacon %.2f ms; on a spare slot: pixel %.2f %%, beacon %.2f %% of flushes; "
                + "shed %d, failed %d%n",
            (s1.committed() - s0.committed()) / (double) Math.max(1, s1.batches() - s0.batches()),
            (s2.committed() - s1.committed()) / (double) Math.max(1, s2.batches() - s1.batches()),
            1000 * (s1.statementSeconds() - s0.statementSeconds()) / Math.max(1, s1.statements() - s0.statements()),
            1000 * (s2.statementSeconds() - s1.statementSeconds()) / Math.max(1, s2.statements() - s1.statements()),
            100.0 * (s1.hedged() - s0.hedged()) / Math.max(1, s1.batches() - s0.batches()),
            100.0 * (s2.hedged() - s1.hedged()) / Math.max(1, s2.batches() - s1.batches()),
            s2.shed() - s0.shed(), s2.failed() - s0.failed());
        // The writer's own tail: the part of the HTTP p99 spent between sending a statement and its commit.
        System.out.printf(Locale.ROOT, "statement to commit p99: pixel %.2f ms, accepting only %.2f ms, beacon %.2f "
            + "ms%n", w[0].commitP99ms(), acceptingCommits.percentileMs(0.99), w[1].commitP99ms());
        if (w[0].rows() < pixel.ok() || w[1].rows() < beacon.ok() || minimalRows < minimal.ok()
            || floorRows < floor.ok() || directRows < direct.ok()) {
          System.out.println("ROWS MISSING: fewer rows than 2xx answers");
        }
        ratios.add(new double[] {pixel.rps() / minimal.rps(), beacon.rps() / minimal.rps(),
            pixel.rps() / single.rps(), minimal.rps() / ceiling.rps(), pixel.p99ms(), beacon.p99ms(),
            minimal.p99ms(), w[0].freshP50ms(), w[0].freshP99ms(), w[1].freshP50ms(), w[1].freshP99ms(),
            accepting.rps() / minimal.rps(), accepting.p99ms(),
            pixel.p99ms() * pixel.rps() / (1000.0 * connections),
            minimal.p99ms() * minimal.rps() / (1000.0 * connections),
            floor.rps() / minimal.rps(), pixel.rps() / floor.rps(), floor.p99ms(), direct.rps() / minimal.rps(),
            direct.p99ms()});
      }
      System.out.printf(Locale.ROOT, "%nmedian over %d rounds: pixel / minimal writer %.2f, beacon / minimal "
              + "writer %.2f, pixel / one INSERT per request %.2f, minimal writer / ceiling %.2f; p99: pixel %.2f ms, "
              + "beacon %.2f ms, minimal writer %.2f ms; freshness p50/p99: pixel %.0f/%.0f ms, beacon %.0f/%.0f ms%n",
          rounds, median(ratios, 0), median(ratios, 1), median(ratios, 2), median(ratios, 3), median(ratios, 4),
          median(ratios, 5), median(ratios, 6), median(ratios, 7), median(ratios, 8), median(ratios, 9),
          median(ratios, 10));
      System.out.printf(Locale.ROOT, "accepting only (pixel, enricher off) / minimal writer %.2f, p99 %.2f ms%n",
          median(ratios, 11), median(ratios, 12));
      System.out.printf(Locale.ROOT, "floor (minimal writer + bulk mover) / minimal writer %.2f, p99 %.2f ms; "
          + "pixel / floor %.2f%n", median(ratios, 15), median(ratios, 17), median(ratios, 16));
      System.out.printf(Locale.ROOT, "direct (rich row on the hot path, tokens in memory) / minimal writer %.2f, "
          + "p99 %.2f ms%n", median(ratios, 18), median(ratios, 19));
      if (b != null) {
        System.out.printf(Locale.ROOT, "with %s: pixel / minimal writer %.2f, accepting only / minimal "
                + "writer %.2f, p99 pixel %.2f ms, accepting only %.2f ms; against %s in the same round: "
                + "pixel %.2f, accepting only %.2f%n", b, median(slotRatios, 0), median(slotRatios, 1),
            median(slotRatios, 2), median(slotRatios, 3), Variant.of(config.tracking()), median(slotRatios, 4),
            median(slotRatios, 5));
      }
      // With wrk's closed loop the mean latency is connections / rate (Little's law): a p99 that is the same multiple
      // of it for two servers says their tails have the same shape and differ only by their rates.
      System.out.printf(Locale.ROOT, "p99 over the mean latency (connections / rate): pixel %.1f, minimal writer %.1f%n",
          median(ratios, 13), median(ratios, 14));
      if (sustained > 0) {
        System.out.printf(Locale.ROOT, "%nsustained %d s (uptime: %s)%n", sustained, uptime());
        long before = count(pool, "SELECT count(*) FROM bench_minimal");
        Result minimal = wrk("minimal group-commit writer", MINIMAL_PORT, lua.resolve("pixel.lua"), connections,
            sustained);
        long minimalRows = count(pool, "SELECT count(*) FROM bench_minimal") - before;
        Written[] w = new Written[1];
        Result pixel = beaconRun("Beacon pixel GET /t/o/{token}/{id}.gif", "email_events", pool, lua, "pixel.lua",
            connections, sustained, w, 0);
        print(minimal, minimalRows, minimal.rps(), minimal.rps(), null);
        print(pixel, w[0].rows(), minimal.rps(), minimal.rps(), w[0]);
        printCpu(List.of(minimal, pixel));
        System.out.printf(Locale.ROOT, "sustained pixel / minimal writer %.2f (rate counted over the run and its "
            + "drain: %.0f events/s)%n", pixel.rps() / minimal.rps(), w[0].rows() / (sustained + w[0].drainSeconds()));
      }
      System.out.println("rows >= 2xx means every answered request is in the event tables once the journal has "
          + "drained (requests in flight when wrk stops may be committed without being counted).");
    } finally {
      vertx.close().await(30, TimeUnit.SECONDS);
      if (pg != null) {
        pg.close();
      }
    }
  }

  private static void printCpu(List<Result> runs) {
    System.out.println("CPU per request, µs (JVM / PostgreSQL / wrk and the rest / idle):");
    for (Result r : runs) {
      double n = r.requests();
      System.out.printf(Locale.ROOT, "  %-38s %6.1f / %6.1f / %6.1f / %6.1f%n", r.name(), 1e6 * r.cpu().jvm() / n,
          1e6 * r.cpu().pg() / n, 1e6 * r.cpu().other() / n, 1e6 * r.cpu().idle() / n);
    }
  }

  /** A writer setting compared with the configured one in the same run (bench.slotsB, bench.hedgeB). */
  record Variant(int slots, long hedgeMillis) {
    static Variant of(BeaconConfig.Tracking t) {
      return new Variant(t.flushSlots(), t.flushHedge().toMillis());
    }

    /** The variant the properties ask for, or null when they ask for none. */
    static Variant of(BeaconConfig.Tracking t, int slots, long hedgeMillis) {
      return slots <= 0 && hedgeMillis < 0 ? null
          : new Variant(slots > 0 ? slots : t.flushSlots(), hedgeMillis >= 0 ? hedgeMillis : t.flushHedge().toMillis());
    }

    @Override
    public String toString() {
      return "flushSlots=" + slots + " flushHedge=" + hedgeMillis + "ms";
    }
  }

  /**
   * The pixel and accepting-only runs with the writer setting {@code b} instead of the configured one (into
   * {@code out} and {@code written}); answers the enricher's new deployment id.
   */
  private static String slotsRun(Vertx vertx, Variant b, BeaconConfig.Tracking configured, String enricher,
                                 Pool enricherPool, BeaconConfig config, Pool pool, Path lua, int connections,
                                 int seconds, Result[] out, Written[] written) throws Exception {
    FlushGate gate = WriterLoad.of(vertx).gate(configured.flushSlots(), configured.flushHedge().toMillis());
    gate.resize(b.slots());
    gate.hedgeAfter(b.hedgeMillis());
    try {
      out[0] = beaconRun("Beacon pixel, " + b, "email_events", pool, lua, "pixel.lua", connections,
          seconds, written, 0);
      vertx.undeploy(enricher).await(60, TimeUnit.SECONDS);
      out[1] = wrk("  accepting only, " + b, BEACON_PORT, lua.resolve("pixel.lua"), connections,
          seconds);
      String redeployed = vertx.deployVerticle(new Enricher(enricherPool, config.tracking()))
          .await(60, TimeUnit.SECONDS);
      drain(pool);
      return redeployed;
    } finally {
      gate.resize(configured.flushSlots());
      gate.hedgeAfter(configured.flushHedge().toMillis());
    }
  }

  /** A Beacon run: wrk, then the wait until the journal is empty, then what reached {@code table}. */
  private static Result beaconRun(String name, String table, Pool pool, Path lua, String script, int connections,
                                  int seconds, Written[] written, int slot) throws Exception {
    long before = count(pool, "SELECT count(*) FROM " + table);
    Samples fresh = new Samples();
    Samples commits = new Samples();
    TrackingStats.observeFreshness(fresh::add);
    TrackingStats.observeCommits(commits::add);
    Result r = wrk(name, BEACON_PORT, lua.resolve(script), connections, seconds);
    TrackingStats.observeCommits(null);
    double drain = drain(pool);
    TrackingStats.observeFreshness(null);
    written[slot] = new Written(count(pool, "SELECT count(*) FROM " + table) - before, drain,
        fresh.percentileMs(0.5), fresh.percentileMs(0.99), commits.percentileMs(0.99));
    checkDashboard(pool);
    return r;
  }

  /** The dashboard's counts, which the enricher adds to as it moves events, against a recount of the tables. */
  private static void checkDashboard(Pool pool) throws Exception {
    long counted = count(pool, "SELECT coalesce(sum(events), 0) FROM rollup_hourly "
        + "WHERE kind IN ('open', 'click', 'page_view')");
    long rows = count(pool, "SELECT (SELECT count(*) FROM email_events) "
        + "+ (SELECT count(*) FROM page_views WHERE label = 'human')");
    if (counted != rows) {
      System.out.printf(Locale.ROOT, "DASHBOARD COUNTS DIFFER: %d counted, %d rows%n", counted, rows);
    }
  }

  /** Seconds until the journal is empty. */
  private static double drain(Pool pool) throws Exception {
    return drain(pool, "tracking_journal");
  }

  /** Seconds until {@code table} is empty. */
  private static double drain(Pool pool, String table) throws Exception {
    long t0 = System.nanoTime();
    while (count(pool, "SELECT count(*) FROM " + table) > 0) {
      Thread.sleep(20);
    }
    return (System.nanoTime() - t0) / 1e9;
  }

  /**
   * Times of one run (ns): each event's from accepted to visible in the event tables, or each writer statement's
   * from sending to its commit.
   */
  static final class Samples {
    private long[] values = new long[1 << 16];
    private int n;

    synchronized void add(long nanos) {
      if (n == values.length) {
        values = Arrays.copyOf(values, n * 2);
      }
      values[n++] = nanos;
    }

    synchronized double percentileMs(double q) {
      if (n == 0) {
        return Double.NaN;
      }
      long[] v = Arrays.copyOf(values, n);
      Arrays.sort(v);
      return v[Math.min(n - 1, (int) Math.ceil(q * n) - 1)] / 1e6;
    }
  }

  private static String uptime() {
    try {
      return new String(new ProcessBuilder("uptime").start().getInputStream().readAllBytes(),
          StandardCharsets.UTF_8).trim();
    } catch (IOException e) {
      return "unknown";
    }
  }

  private static double median(List<double[]> rows, int column) {
    double[] v = rows.stream().mapToDouble(r -> r[column]).sorted().toArray();
    return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
  }

  private static String loadAverage() {
    try {
      return Files.readString(Path.of("/proc/loadavg")).split(" ")[0];
    } catch (IOException | RuntimeException e) {
      return "unknown";
    }
  }

  private static void print(Result r, long rows, double ceilingRps, double minimalRps, Written w) {
    System.out.printf(Locale.ROOT, "%-40s %10.0f %8.2f %8.2f %10d %10s %8.2f %8.2f %9s %9s %8s%n", r.name(), r.rps(),
        r.p50ms(), r.p99ms(), r.ok(), rows < 0 ? "-" : Long.toString(rows), r.rps() / ceilingRps, r.rps() / minimalRps,
        w == null || Double.isNaN(w.freshP50ms()) ? "-" : String.format(Locale.ROOT, "%.0f ms", w.freshP50ms()),
        w == null || Double.isNaN(w.freshP99ms()) ? "-" : String.format(Locale.ROOT, "%.0f ms", w.freshP99ms()),
        w == null ? "-" : String.format(Locale.ROOT, "%.2f", w.drainSeconds()));
  }

  private static String settings(Pool pool) throws Exception {
    StringBuilder b = new StringBuilder();
    for (Row r : pool.query("SELECT name, setting FROM pg_settings WHERE name IN ('fsync', 'synchronous_commit')")
        .execute().await(30, TimeUnit.SECONDS)) {
      b.append(r.getString(0)).append('=').append(r.getString(1)).append(' ');
    }
    return b.toString().trim();
  }

  private static long count(Pool pool, String sql) throws Exception {
    return pool.query(sql).execute().await(60, TimeUnit.SECONDS).iterator().next().getLong(0);
  }

  /**
   * Debtors with one email sent an hour ago each, so opens are labelled human and update their flags. Their
   * addresses are new on every run, so a database kept from an earlier run can be used again.
   */
  private static List<String> seed(Pool pool) throws Exception {
    List<String> tokens = new ArrayList<>();
    for (Row r : pool.query("""
        WITH d AS (
          INSERT INTO debtors (first_name, last_name, email, unique_token, total_owed)
          SELECT 'Bench', 'Debtor' || g, 'bench' || g || '.' || left(md5(random()::text), 10) || '@example.com',
                 replace(gen_random_uuid()::text, '-', ''), 100
          FROM generate_series(1, %d) g
          RETURNING id, unique_token
        ), c AS (
          INSERT INTO communications (debtor_id, type, direction, "timestamp")
          SELECT id, 'email', 'outbound', now() - interval '1 hour' FROM d
          RETURNING id, debtor_id
        )
        SELECT d.unique_token, c.id FROM d JOIN c ON c.debtor_id = d.id""".formatted(DEBTORS))
        .execute().await(60, TimeUnit.SECONDS)) {
      tokens.add(r.getString(0) + "/" + r.getUUID(1));
    }
    return tokens;
  }

  private static void writeScripts(Path dir, List<String> tokenAndComm) throws IOException {
    StringBuilder list = new StringBuilder("items = {");
    for (String t : tokenAndComm) {
      list.append('"').append(t).append("\",");
    }
    list.append("}\n");
    String done = """
        done = function(summary, latency, requests)
          io.write(string.format("RESULT %d %d %d %d %d\\n", summary.requests, summary.errors.status,
            summary.duration, latency:percentile(50), latency:percentile(99)))
        end
        """;
    String ua = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36";
    Files.writeString(dir.resolve("pixel.lua"), list + """
        request = function()
          return wrk.format("GET", "/t/o/" .. items[math.random(#items)] .. ".gif", {["User-Agent"] = "%s"})
        end
        """.formatted(ua) + done, StandardCharsets.UTF_8);
    Files.writeString(dir.resolve("nowrite.lua"), """
        request = function()
          return wrk.format("GET", "/t/o/x.gif", {["User-Agent"] = "%s"})
        end
        """.formatted(ua) + done, StandardCharsets.UTF_8);
    Files.writeString(dir.resolve("beacon.lua"), list + """
        request = function()
          local token = string.match(items[math.random(#items)], "^[^/]+")
          return wrk.format("POST", "/t/b", {["Content-Type"] = "text/plain;charset=UTF-8", ["User-Agent"] = "%s"},
            '{"token":"' .. token .. '","pageType":"info","timeOnPage":7,"actions":["read"]}')
        end
        """.formatted(ua) + done, StandardCharsets.UTF_8);
  }

  /**
   * Before every run: waits (up to 60 s) for autovacuum workers to finish and takes a checkpoint, so that no run
   * pays for the vacuum of what the one before it wrote (the accepting-only run leaves some 500,000 journal rows
   * that the enricher then moves) or happens to overlap a checkpoint another run does not. Each run then starts
   * on the same footing: the first change of every page after the checkpoint is logged in full, in every run.
   */
  private static void settle() throws Exception {
    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (count(cpuPool, "SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'autovacuum worker'") > 0
        && System.nanoTime() < until) {
      Thread.sleep(50);
    }
    cpuPool.query("CHECKPOINT").execute().await(120, TimeUnit.SECONDS);
  }

  private static Result wrk(String name, int port, Path script, int connections, int seconds) throws Exception {
    settle();
    Process p = new ProcessBuilder("wrk", "-t" + Math.min(2, connections), "-c" + connections, "-d" + seconds + "s", "--timeout", "5s",
        "-s", script.toString(), "http://127.0.0.1:" + port)
        .redirectErrorStream(true).start();
    Cpu before = cpuNow();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    p.waitFor();
    Cpu used = cpuNow().minus(before);
    for (String line : out.split("\n")) {
      if (line.startsWith("RESULT ")) {
        String[] f = line.split(" ");
        long requests = Long.parseLong(f[1]);
        double secs = Long.parseLong(f[3]) / 1e6;
        return new Result(name, requests / secs, Long.parseLong(f[4]) / 1000.0, Long.parseLong(f[5]) / 1000.0,
            requests, Long.parseLong(f[2]), used);
      }
    }
    throw new IllegalStateException("wrk printed no result:\n" + out);
  }
}
