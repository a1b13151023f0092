package dev.beacon.worklist;

import dev.beacon.app.Routes;
import dev.beacon.app.Services;
import dev.beacon.db.Database;
import dev.beacon.db.EmbeddedPg;
import dev.beacon.db.Migrations;
import dev.beacon.http.HttpVerticle;
import dev.beacon.support.BenchServices;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import io.vertx.sqlclient.Pool;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.Locale;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;

/**
 * The worklist benchmark (docs/worklist.md "Performance"): on the scoring benchmark's database (kept with
 * {@code -Dbench.dir}, docs/benchmarks.md "Scoring"), gives the debtors the facts a worklist reads and the generator
 * leaves out (a timezone among four US zones, a phone number, 5 % on the DNC registry, 1 % opted out of email,
 * once), then times over HTTP, one request at a time, {@code bench.requests} requests of each: the first page of 50
 * per channel, the second page, the blocked list's first page, and next-contact of random debtors; prints
 * p50/p95/p99/max per endpoint and the load average. Not a test: run it with src/test/bench/worklist.sh.
 */
public final class WorklistBench {
  static final String KEY = "bench-viewer-key";

  public static void main(String[] args) throws Exception {
    String dir = System.getProperty("bench.dir", "");
    int requests = Integer.getInteger("bench.requests", 300);
    int debtors = Integer.getInteger("bench.debtors", 1_000_000);
    if (dir.isEmpty() || !Files.exists(Path.of(dir, "PG_VERSION"))) {
      throw new IllegalArgumentException("-Dbench.dir must name the scoring benchmark's kept database");
    }
    EmbeddedPg pg = EmbeddedPg.startDurable(Path.of(dir), 0);
    Vertx vertx = Vertx.vertx();
    try {
      Database db = Database.of(pg.url(), null, null);
      long m0 = System.nanoTime();
      Migrations.migrate(db);
      System.out.printf(Locale.ROOT, "migrated (V19 index) in %.1f s%n", (System.nanoTime() - m0) / 1e9);
      Pool pool = db.pool(vertx, 8);
      prepare(pool);
      System.out.println("debtors " + one(pool, "SELECT count(*) FROM debtors") + ", human email events "
          + one(pool, "SELECT count(*) FROM email_events WHERE label = 'human'") + ", page views "
          + one(pool, "SELECT count(*) FROM page_views") + ", communications " + one(pool, "SELECT count(*) FROM communications"));

      Services services = BenchServices.viewer(db, pool, 1, KEY);
      HttpVerticle verticle = Routes.httpVerticle(services);
      vertx.deployVerticle(verticle).await(60, TimeUnit.SECONDS);
      WebClient client = WebClient.create(vertx, new WebClientOptions().setDefaultHost("localhost")
          .setDefaultPort(verticle.actualPort()));

      // Yesterday 17:00 UTC: midday in New York, 09:00 in Los Angeles (the four zones all in calling hours).
      Instant day = LocalDate.now(ZoneOffset.UTC).minusDays(1).atTime(17, 0).toInstant(ZoneOffset.UTC);
      Instant night = day.minusSeconds(9 * 3600); // 08:00 UTC: 03:00 in New York, night everywhere
      String at = enc(day);
      long c0 = System.nanoTime();
      JsonObject cold = get(client, "/api/debtors/" + md5Uuid(7) + "/next-contact?at=" + at);
      System.out.printf(Locale.ROOT, "portfolio pattern computed (first next-contact, cold) in %.0f ms: %s events%n",
          (System.nanoTime() - c0) / 1e6, cold.getJsonObject("evidence").getLong("portfolioEvents"));
      System.out.println("Load average at start of the HTTP runs: " + Files.readString(Path.of("/proc/loadavg")).trim());
      System.out.printf(Locale.ROOT, "%-52s %7s %7s %7s %7s %6s%n", "endpoint (" + requests + " requests each)", "p50",
          "p95", "p99", "max", "rows");
      for (String channel : new String[] {"email", "phone", "sms"}) {
        String first = "/api/worklist?channel=" + channel + "&limit=50&at=" + at;
        measure(client, "worklist " + channel + ", first page of 50", requests, i -> first);
        String cursor = get(client, first).getString("nextCursor");
        measure(client, "worklist " + channel + ", second page of 50", requests, i -> first + "&cursor=" + cursor);
      }
      measure(client, "worklist email, first page, now (at omitted)", requests, i -> "/api/worklist?channel=email&limit=50");
      measure(client, "worklist/blocked email, first page of 50", requests,
          i -> "/api/worklist/blocked?channel=email&limit=50&at=" + at);
      measure(client, "worklist/blocked phone, first page of 50", requests,
          i -> "/api/worklist/blocked?channel=phone&limit=50&at=" + at);
      measure(client, "worklist email at 03:00 ET (bounded scan)", Math.max(20, requests / 10),
          i -> "/api/worklist?channel=email&limit=50&at=" + enc(night));
      Random rnd = new Random(18);
      int[] picks = rnd.ints(requests * 2L, 1, debtors + 1).toArray();
      measure(client, "next-contact, random debtors", requests * 2,
          i -> "/api/debtors/" + md5Uuid(picks[i]) + "/next-contact?at=" + at);
      System.out.println("Load average at end: " + Files.readString(Path.of("/proc/loadavg")).trim());
      pool.close().await(60, TimeUnit.SECONDS);
    } finally {
      vertx.close().await(60, TimeUnit.SECONDS);
      pg.close();
    }
    System.exit(0);
  }

  /** Once per kept database: the facts the generator leaves out (marked by every debtor having a phone). */
  static void prepare(Pool pool) throws Exception {
    if ("false".equals(one(pool, "SELECT EXISTS (SELECT 1 FROM debtors WHERE phone IS NULL)"))) {
      return;
    }
    long t = System.nanoTime();
    exec(pool, """
        UPDATE debtors SET
          timezone = (ARRAY['America/New_York', 'America/Chicago', 'America/Denver', 'America/Los_Angeles'])
                     [1 + (abs(hashtext(id::text)) % 4)],
          phone = '+1555' || lpad((abs(hashtext('p' || id::text)) % 10000000)::text, 7, '0'),
          dnc_registered = abs(hashtext('d' || id::text)) % 20 = 0
        WHERE phone IS NULL""");
    exec(pool, """
        INSERT INTO debtor_opt_outs (debtor_id, channel, source)
        SELECT d.id, 'email', 'import' FROM debtors d WHERE abs(hashtext('o' || d.id::text)) % 100 = 0
          AND NOT EXISTS (SELECT 1 FROM debtor_opt_outs o WHERE o.debtor_id = d.id AND o.channel = 'email')""");
    exec(pool, "VACUUM ANALYZE debtors");
    exec(pool, "ANALYZE debtor_opt_outs");
    System.out.printf(Locale.ROOT, "prepared the debtors' zones, phones, DNC and opt-outs in %.1f s%n",
        (System.nanoTime() - t) / 1e9);
  }

  static void measure(WebClient client, String name, int n, IntFunction<String> path) {
    for (int i = 0; i < Math.min(50, n); i++) {
      get(client, path.apply(i)); // warm-up
    }
    double[] ms = new double[n];
    long rows = 0;
    for (int i = 0; i < n; i++) {
      long t = System.nanoTime();
      JsonObject body = get(client, path.apply(i));
      ms[i] = (System.nanoTime() - t) / 1e6;
      rows += body.containsKey("items") ? body.getJsonArray("items").size() : 1;
    }
    Arrays.sort(ms);
    System.out.printf(Locale.ROOT, "%-52s %7.1f %7.1f %7.1f %7.1f %6d%n", name, pct(ms, 50), pct(ms, 95), pct(ms, 99),
        ms[n - 1], rows / n);
  }

  static double pct(double[] sorted, int p) {
    return sorted[Math.min(sorted.length - 1, (int) Math.ceil(p / 100.0 * sorted.length) - 1)];
  }

  static JsonObject get(WebClient client, String path) {
    HttpResponse<Buffer> r = await(client.get(path).bearerTokenAuthentication(KEY).send());
    if (r.statusCode() != 200) {
      throw new IllegalStateException(path + " answered " + r.statusCode() + ": " + r.bodyAsString());
    }
    return r.bodyAsJsonObject();
  }

  /** The scoring benchmark's debtor ids: md5 of the sequence number. */
  static UUID md5Uuid(int g) throws RuntimeException {
    try {
      byte[] d = MessageDigest.getInstance("MD5").digest(String.valueOf(g).getBytes(StandardCharsets.UTF_8));
      StringBuilder hex = new StringBuilder();
      for (byte b : d) {
        hex.append(String.format("%02x", b));
      }
      String h = hex.toString();
      return UUID.fromString(h.substring(0, 8) + "-" + h.substring(8, 12) + "-" + h.substring(12, 16) + "-"
          + h.substring(16, 20) + "-" + h.substring(20));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  static String enc(Instant t) {
    return URLEncoder.encode(t.toString(), StandardCharsets.UTF_8);
  }

  static void exec(Pool pool, String sql) {
    long t = System.nanoTime();
    await(pool.query(sql).execute());
    System.out.printf(Locale.ROOT, "  %.1f s  %s%n", (System.nanoTime() - t) / 1e9, sql.strip().lines().findFirst().orElse(""));
  }

  static String one(Pool pool, String sql) {
    return String.valueOf(await(pool.query(sql).execute()).iterator().next().getValue(0));
  }

  static <T> T await(Future<T> f) {
    try {
      return f.await(30, TimeUnit.MINUTES);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
