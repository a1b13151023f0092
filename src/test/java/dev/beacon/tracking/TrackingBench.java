package dev.beacon.tracking;

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
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * The tracking benchmark (README "Tracking benchmark"): Beacon on the embedded PostgreSQL in durable mode
 * (fsync and synchronous_commit on) against a bare Vert.x server answering the same GIF from memory, both loaded
 * by wrk at the same connection count. Prints requests/s, p50/p99, 2xx answers vs rows written, and the ratio
 * to the ceiling. Not a test: run it with src/test/bench/tracking.sh.
 */
public final class TrackingBench {
  private static final int DEBTORS = 1000;
  private static final int BEACON_PORT = 18080;
  private static final int CEILING_PORT = 18081;
  private static final int MINIMAL_PORT = 18082;
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
    double jvm = ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
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
   * No classification, no token lookup, no partitions, no secondary index.
   */
  static final class MinimalWriter extends VerticleBase {
    private final Pool pool;
    private final ArrayDeque<HttpServerRequest> queue = new ArrayDeque<>();
    private boolean flushing;

    MinimalWriter(Pool pool) {
      this.pool = pool;
    }

    @Override
    public Future<?> start() {
      return vertx.createHttpServer(PLAIN).requestHandler(req -> {
        queue.add(req);
        if (!flushing) {
          flushing = true;
          context.runOnContext(v -> flush());
        }
      }).listen(MINIMAL_PORT);
    }

    private void flush() {
      List<HttpServerRequest> batch = new ArrayList<>(queue);
      queue.clear();
      String[] paths = new String[batch.size()];
      OffsetDateTime[] at = new OffsetDateTime[batch.size()];
      for (int k = 0; k < paths.length; k++) {
        paths[k] = batch.get(k).path();
        at[k] = OffsetDateTime.now();
      }
      pool.preparedQuery("INSERT INTO bench_minimal (path, at) SELECT * FROM unnest($1::text[], $2::timestamptz[])")
          .execute(Tuple.tuple().addArrayOfString(paths).addArrayOfOffsetDateTime(at)).onComplete(ar -> {
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

  public static void main(String[] args) throws Exception {
    int connections = Integer.parseInt(System.getProperty("bench.connections", "64"));
    int seconds = Integer.parseInt(System.getProperty("bench.seconds", "10"));
    int rounds = Integer.parseInt(System.getProperty("bench.rounds", "3"));
    int instances = Integer.parseInt(System.getProperty("bench.instances",
        Integer.toString(Runtime.getRuntime().availableProcessors())));
    Path work = Files.createTempDirectory("beacon-bench");
    EmbeddedPg pg = EmbeddedPg.startDurable(work.resolve("pg"), 0);
    Vertx vertx = Vertx.vertx();
    try {
      Database db = Database.of(pg.url(), null, null);
      Migrations.migrate(db);
      Pool pool = db.pool(vertx, 16);
      cpuPool = db.pool(vertx, 1);
      System.out.println("PostgreSQL: " + settings(pool));
      List<String> tokens = seed(pool);
      Path lua = work.resolve("lua");
      Files.createDirectories(lua);
      writeScripts(lua, tokens);

      BeaconConfig config = BeaconConfig.of(new JsonObject()
          .put("http", new JsonObject().put("port", BEACON_PORT).put("instances", instances))
          .put("tracking", new JsonObject().put("linkSecret", "bench")
              .put("flushSlots", Integer.getInteger("bench.flushSlots", 0))));
      Services deps = new Services(config, pool, pool, new ApiKeys(List.of()), Migrations.currentVersion(db));
      vertx.deployVerticle(() -> Routes.httpVerticle(deps), new DeploymentOptions().setInstances(instances))
          .await(60, TimeUnit.SECONDS);
      vertx.deployVerticle(Ceiling::new, new DeploymentOptions().setInstances(instances)).await(60, TimeUnit.SECONDS);
      pool.query("CREATE TABLE bench_minimal (id bigserial PRIMARY KEY, path text, at timestamptz)").execute()
          .await(30, TimeUnit.SECONDS);
      vertx.deployVerticle(() -> new MinimalWriter(pool), new DeploymentOptions().setInstances(instances))
          .await(60, TimeUnit.SECONDS);

      wrk("warm-up", CEILING_PORT, lua.resolve("pixel.lua"), connections, 3);
      wrk("warm-up", BEACON_PORT, lua.resolve("pixel.lua"), connections, 3);
      wrk("warm-up", MINIMAL_PORT, lua.resolve("pixel.lua"), connections, 3);
      System.out.printf(Locale.ROOT, "%nconnections=%d duration=%ds rounds=%d instances=%d flushSlots=%d cpus=%d%n",
          connections, seconds, rounds, instances, config.tracking().flushSlots(),
          Runtime.getRuntime().availableProcessors());
      List<double[]> ratios = new ArrayList<>();
      for (int round = 1; round <= rounds; round++) {
        long opensBefore = count(pool, "SELECT count(*) FROM email_events");
        long viewsBefore = count(pool, "SELECT count(*) FROM page_views");
        Result ceiling = wrk("ceiling (bare Vert.x GIF)", CEILING_PORT, lua.resolve("pixel.lua"), connections, seconds);
        Result router = wrk("Beacon pixel, malformed token (no write)", BEACON_PORT, lua.resolve("nowrite.lua"),
            connections, seconds);
        long minimalBefore = count(pool, "SELECT count(*) FROM bench_minimal");
        Result minimal = wrk("minimal group-commit writer (reference)", MINIMAL_PORT, lua.resolve("pixel.lua"),
            connections, seconds);
        long minimalRows = count(pool, "SELECT count(*) FROM bench_minimal") - minimalBefore;
        var s0 = TrackingStats.current().snapshot();
        Result pixel = wrk("Beacon pixel GET /t/o/{token}/{id}.gif", BEACON_PORT, lua.resolve("pixel.lua"),
            connections, seconds);
        long opens = count(pool, "SELECT count(*) FROM email_events") - opensBefore;
        var s1 = TrackingStats.current().snapshot();
        Result beacon = wrk("Beacon beacon POST /t/b", BEACON_PORT, lua.resolve("beacon.lua"), connections, seconds);
        long views = count(pool, "SELECT count(*) FROM page_views") - viewsBefore;
        var s2 = TrackingStats.current().snapshot();

        System.out.printf(Locale.ROOT, "%nround %d of %d (load average %s)%n", round, rounds, loadAverage());
        System.out.printf(Locale.ROOT, "%-40s %10s %8s %8s %10s %10s %8s%n", "run", "req/s", "p50 ms", "p99 ms",
            "2xx", "rows", "ratio");
        print(ceiling, -1, ceiling.rps());
        print(router, -1, ceiling.rps());
        print(minimal, minimalRows, ceiling.rps());
        print(pixel, opens, ceiling.rps());
        print(beacon, views, ceiling.rps());
        System.out.println("CPU per request, µs (JVM / PostgreSQL / wrk and the rest / idle):");
        for (Result r : List.of(ceiling, router, minimal, pixel, beacon)) {
          double n = r.requests();
          System.out.printf(Locale.ROOT, "  %-38s %6.1f / %6.1f / %6.1f / %6.1f%n", r.name(), 1e6 * r.cpu().jvm() / n,
              1e6 * r.cpu().pg() / n, 1e6 * r.cpu().other() / n, 1e6 * r.cpu().idle() / n);
        }
        System.out.printf(Locale.ROOT, "insert-only statements: pixel %d of %d, beacon %d of %d%n",
            s1.insertOnly() - s0.insertOnly(), s1.insertOnly() - s0.insertOnly() + s1.applying() - s0.applying(),
            s2.insertOnly() - s1.insertOnly(), s2.insertOnly() - s1.insertOnly() + s2.applying() - s1.applying());
        System.out.printf(Locale.ROOT, "writer: pixel %.1f events per flush, beacon %.1f; statement to commit: "
                + "pixel %.2f ms, beacon %.2f ms; shed %d, failed %d%n",
            (s1.committed() - s0.committed()) / (double) Math.max(1, s1.batches() - s0.batches()),
            (s2.committed() - s1.committed()) / (double) Math.max(1, s2.batches() - s1.batches()),
            1000 * (s1.statementSeconds() - s0.statementSeconds()) / Math.max(1, s1.statements() - s0.statements()),
            1000 * (s2.statementSeconds() - s1.statementSeconds()) / Math.max(1, s2.statements() - s1.statements()),
            s2.shed() - s0.shed(), s2.failed() - s0.failed());
        if (opens < pixel.ok() || views < beacon.ok()) {
          System.out.println("ROWS MISSING: fewer rows than 2xx answers");
        }
        ratios.add(new double[] {router.rps() / ceiling.rps(), pixel.rps() / ceiling.rps(),
            beacon.rps() / ceiling.rps(), pixel.p99ms(), beacon.p99ms(), minimal.rps() / ceiling.rps(),
            minimal.p99ms(), pixel.rps() / minimal.rps()});
      }
      System.out.printf(Locale.ROOT, "%nmedian over %d rounds: ratio to the ceiling: no write %.2f, minimal writer "
              + "%.2f, pixel %.2f, beacon %.2f; p99: minimal writer %.2f ms, pixel %.2f ms, beacon %.2f ms; "
              + "pixel / minimal writer %.2f%n", rounds, median(ratios, 0), median(ratios, 5), median(ratios, 1),
          median(ratios, 2), median(ratios, 6), median(ratios, 3), median(ratios, 4), median(ratios, 7));
      System.out.println("rows >= 2xx means every answered request is in the database (requests still in flight "
          + "when wrk stops may be committed without being counted).");
    } finally {
      vertx.close().await(30, TimeUnit.SECONDS);
      pg.close();
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

  private static void print(Result r, long rows, double ceilingRps) {
    System.out.printf(Locale.ROOT, "%-40s %10.0f %8.2f %8.2f %10d %10s %8.2f%n", r.name(), r.rps(), r.p50ms(),
        r.p99ms(), r.ok(), rows < 0 ? "-" : Long.toString(rows), r.rps() / ceilingRps);
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

  /** Debtors with one email sent an hour ago each, so opens are labelled human and update their flags. */
  private static List<String> seed(Pool pool) throws Exception {
    List<String> tokens = new ArrayList<>();
    for (Row r : pool.query("""
        WITH d AS (
          INSERT INTO debtors (first_name, last_name, email, unique_token, total_owed)
          SELECT 'Bench', 'Debtor' || g, 'bench' || g || '@example.com',
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

  private static Result wrk(String name, int port, Path script, int connections, int seconds) throws Exception {
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
