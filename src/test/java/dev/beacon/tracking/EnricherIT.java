package dev.beacon.tracking;

import dev.beacon.config.BeaconConfig;
import dev.beacon.db.AdvisoryLock;
import dev.beacon.dashboard.RollupJob;
import dev.beacon.support.BeaconExtension;
import dev.beacon.support.Http;
import dev.beacon.support.TestApp;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static dev.beacon.support.TestApp.AGENT_KEY;
import static dev.beacon.support.TestApp.await;
import static dev.beacon.tracking.Fixtures.BROWSER;
import static dev.beacon.tracking.Fixtures.count;
import static org.assertj.core.api.Assertions.assertThat;

/** The journal and the enricher under real PostgreSQL: exactly once, unknown tokens, rollups, shedding. */
@ExtendWith(BeaconExtension.class)
@Timeout(120)
class EnricherIT {
  static final int DEBTORS = 20;
  static final int PER_DEBTOR = 10;
  private static final String HEADLESS = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
      + "HeadlessChrome/119.0 Safari/537.36";

  /** A count straight from the database, without waiting for the journal to drain. */
  static long raw(TestApp app, String sql) {
    return await(app.pool.query(sql).execute()).iterator().next().getLong(0);
  }

  /** For each debtor, PER_DEBTOR opens of its email and PER_DEBTOR new page views, all at once. */
  static void load(TestApp app, List<Fixtures.Debtor> debtors, List<UUID> comms) {
    WebClient client = JournalWriterIT.wide(app);
    List<Future<HttpResponse<Buffer>>> all = new ArrayList<>();
    for (int k = 0; k < debtors.size(); k++) {
      for (int i = 0; i < PER_DEBTOR; i++) {
        all.add(client.get("/t/o/" + debtors.get(k).token() + "/" + comms.get(k) + ".gif")
            .putHeader("User-Agent", BROWSER).send());
        all.add(client.post("/t/b").putHeader("Content-Type", "application/json").putHeader("User-Agent", BROWSER)
            .sendBuffer(Buffer.buffer(new JsonObject().put("token", debtors.get(k).token()).put("pageType", "payment")
                .encode())));
      }
    }
    await(Future.all(all));
    all.forEach(f -> assertThat(f.result().statusCode()).isIn(200, 204));
    client.close();
  }

  static BeaconConfig.Tracking withBatch(BeaconConfig.Tracking t, int batch) {
    return new BeaconConfig.Tracking(t.linkSecret(), t.ipStorage(), t.queueCapacity(), t.batchMax(), t.flushSlots(),
        t.flushHedge(), t.sendWindow(), t.scannerCidrs(), batch, t.enrichInterval(), t.journalBacklogMax());
  }

  @Test
  void twoEnrichers_oneKilledBetweenInsertAndDelete_everyRequestIsExactlyOneRow(TestApp app) {
    List<Fixtures.Debtor> debtors = new ArrayList<>();
    List<UUID> comms = new ArrayList<>();
    for (int k = 0; k < DEBTORS; k++) {
      debtors.add(Fixtures.debtor(app, "D" + k));
      comms.add(Fixtures.email(app, debtors.get(k), 3600));
    }
    int n = DEBTORS * PER_DEBTOR;
    app.stopEnricher();
    Pool doomedPool = app.database.pool(app.vertx, 2);
    try {
      load(app, debtors, comms);
      assertThat(raw(app, "SELECT count(*) FROM tracking_journal")).isEqualTo(2L * n);

      // The first enricher moves its first batch into the event tables, then stops before its DELETE.
      Promise<Integer> moved = Promise.promise();
      Promise<Void> never = Promise.promise();
      Enricher.Hook stall = conn -> conn.query("SELECT pg_backend_pid()").execute().compose(r -> {
        moved.tryComplete(r.iterator().next().getInteger(0));
        return never.future();
      });
      BeaconConfig.Tracking small = withBatch(app.services.config().tracking(), 70);
      String doomed = await(app.vertx.deployVerticle(new Enricher(doomedPool, small, stall)));
      int pid = await(moved.future());

      // The second enricher runs meanwhile: the lock keeps it out of the first one's batch.
      app.startEnricher();
      Awaitility.await().during(Duration.ofMillis(400)).atMost(Duration.ofSeconds(5))
          .until(() -> raw(app, "SELECT count(*) FROM tracking_journal") == 2L * n
              && raw(app, "SELECT count(*) FROM email_events") == 0);

      // The first one dies mid-transaction, as under kill -9: its connection is gone, its batch rolls back.
      assertThat(await(app.pool.preparedQuery("SELECT pg_terminate_backend($1)").execute(Tuple.of(pid)))
          .iterator().next().getBoolean(0)).isTrue();
      never.fail("killed");
      await(app.vertx.undeploy(doomed));

      assertThat(count(app, "SELECT count(*) FROM email_events")).isEqualTo(n);
      assertThat(count(app, "SELECT count(DISTINCT id) FROM email_events")).isEqualTo(n);
      assertThat(count(app, "SELECT count(*) FROM page_views")).isEqualTo(n);
      assertThat(count(app, "SELECT count(DISTINCT id) FROM page_views")).isEqualTo(n);
      assertThat(count(app, "SELECT count(*) FROM communications WHERE email_opened")).isEqualTo(DEBTORS);
      assertThat(count(app, "SELECT count(*) FROM debtors WHERE last_response_date IS NOT NULL")).isEqualTo(DEBTORS);

      // Restarted, it shares the work with the other enricher without doubles.
      String restarted = await(app.vertx.deployVerticle(new Enricher(doomedPool, small)));
      load(app, debtors, comms);
      assertThat(count(app, "SELECT count(*) FROM email_events")).isEqualTo(2L * n);
      assertThat(count(app, "SELECT count(DISTINCT id) FROM email_events")).isEqualTo(2L * n);
      assertThat(count(app, "SELECT count(*) FROM page_views")).isEqualTo(2L * n);
      await(app.vertx.undeploy(restarted));
    } finally {
      app.startEnricher();
      await(doomedPool.close());
    }
  }

  @Test
  void unknownTokens_leaveNothingBehind(TestApp app) {
    String unknown = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";
    UUID comm = UUID.randomUUID();
    assertThat(await(app.client.get("/t/o/" + unknown + "/" + comm + ".gif").putHeader("User-Agent", BROWSER).send())
        .statusCode()).isEqualTo(200);
    assertThat(await(app.client.post("/t/b").putHeader("Content-Type", "application/json")
        .sendBuffer(Buffer.buffer(new JsonObject().put("token", unknown).put("pageType", "landing").encode())))
        .statusCode()).isEqualTo(204);
    assertThat(await(app.client.post("/t/b").putHeader("Content-Type", "application/json")
        .sendBuffer(Buffer.buffer(new JsonObject().put("token", unknown).put("pageViewId", UUID.randomUUID().toString())
            .put("pageType", "landing").put("timeOnPage", 5).encode()))).statusCode()).isEqualTo(204);
    assertThat(get(app, "/p/" + unknown, BROWSER).statusCode()).isEqualTo(404);

    assertThat(count(app, "SELECT count(*) FROM tracking_journal")).isZero();
    assertThat(count(app, "SELECT count(*) FROM email_events")).isZero();
    assertThat(count(app, "SELECT count(*) FROM page_views")).isZero();
    assertThat(count(app, "SELECT count(*) FROM rollup_dirty")).isZero();
  }

  private static final Pattern VIEW_ID = Pattern.compile("data-page-view-id=\"([0-9a-f-]{36})\"");

  static HttpResponse<Buffer> get(TestApp app, String path, String ua) {
    return await(app.client.get(path).putHeader("User-Agent", ua).send());
  }

  static UUID viewId(HttpResponse<Buffer> page) {
    Matcher m = VIEW_ID.matcher(page.bodyAsString());
    assertThat(m.find()).isTrue();
    return UUID.fromString(m.group(1));
  }

  @Test
  void pageViews_areClassified_andOnlyPeopleMoveTheDebtor(TestApp app) {
    var ann = Fixtures.debtor(app, "Ann");
    UUID comm = Fixtures.email(app, ann, 3600);
    // A scanner checks the link (no text/html in Accept), then follows it into the page, and never runs it.
    URI link = URI.create(TrackingIT.trackedUrl(app, ann, comm, "https://pay.example.com/x"));
    assertThat(await(app.client.get(link.getRawPath() + "?" + link.getRawQuery())
        .putHeader("User-Agent", BROWSER).putHeader("Accept", "*/*").send()).statusCode()).isEqualTo(302);
    UUID followed = viewId(get(app, "/p/" + ann.token(), BROWSER));
    UUID headless = viewId(get(app, "/p/" + ann.token(), HEADLESS));

    List<Row> views = Fixtures.rows(app, "SELECT id, label, reason FROM page_views ORDER BY \"timestamp\"")
        .stream().toList();
    assertThat(views).extracting(r -> r.getUUID("id")).containsExactly(followed, headless);
    assertThat(views.get(0).getString("label")).isEqualTo("scanner");
    assertThat(views.get(0).getString("reason")).isEqualTo(PageViewSql.FOLLOWED_SCANNER);
    assertThat(views.get(1).getString("label")).isEqualTo("scanner");
    assertThat(views.get(1).getString("reason")).contains("HeadlessChrome");
    assertThat(count(app, "SELECT count(*) FROM debtors WHERE last_response_date IS NOT NULL")).isZero();

    // The followed view's page reports from a browser: a person was reading after all.
    assertThat(await(app.client.post("/t/b").putHeader("Content-Type", "application/json")
        .sendBuffer(Buffer.buffer(new JsonObject().put("token", ann.token()).put("pageViewId", followed.toString())
            .put("pageType", "landing").put("timeOnPage", 12).encode()))).statusCode()).isEqualTo(204);
    assertThat(Fixtures.rows(app, "SELECT label FROM page_views WHERE id = '" + followed + "'").iterator().next()
        .getString("label")).isEqualTo("human");
    assertThat(Fixtures.rows(app, "SELECT label FROM page_views WHERE id = '" + headless + "'").iterator().next()
        .getString("label")).isEqualTo("scanner");

    // Another debtor's own visit is a person's: it moves last_response_date.
    var bob = Fixtures.debtor(app, "Bob");
    get(app, "/p/" + bob.token() + "/pay", BROWSER);
    assertThat(count(app, "SELECT count(*) FROM page_views WHERE label = 'human' AND debtor_id = $1", bob.id()))
        .isEqualTo(1);
    assertThat(count(app, "SELECT count(*) FROM debtors WHERE last_response_date IS NOT NULL AND id = $1", bob.id()))
        .isEqualTo(1);
  }

  @Test
  void rollups_equalARecountOfTheEventTables_afterARun(TestApp app) {
    List<Fixtures.Debtor> debtors = new ArrayList<>();
    List<UUID> comms = new ArrayList<>();
    for (int k = 0; k < 5; k++) {
      debtors.add(Fixtures.debtor(app, "R" + k));
      comms.add(Fixtures.email(app, debtors.get(k), 3600));
    }
    load(app, debtors, comms);
    get(app, "/p/" + debtors.get(0).token(), HEADLESS);
    await(app.client.head("/t/o/" + debtors.get(1).token() + ".gif").putHeader("User-Agent", BROWSER).send());
    // Older hours through the import, which writes straight through the enricher's SQL.
    StringBuilder ndjson = new StringBuilder();
    Instant base = Instant.now().truncatedTo(ChronoUnit.HOURS).minus(5, ChronoUnit.HOURS);
    for (int h = 0; h < 5; h++) {
      String at = base.plus(h, ChronoUnit.HOURS).plusSeconds(90).toString();
      ndjson.append(new JsonObject().put("debtorId", debtors.get(h).id().toString()).put("kind", "open").put("at", at)
          .put("userAgent", BROWSER)).append('\n');
      ndjson.append(new JsonObject().put("debtorId", debtors.get(h).id().toString()).put("kind", "page_view")
          .put("at", at).put("pageType", "info").put("userAgent", h % 2 == 0 ? BROWSER : HEADLESS)).append('\n');
    }
    assertThat(new Http(app).postRaw("/api/events/import", AGENT_KEY, "application/x-ndjson",
        Buffer.buffer(ndjson.toString())).bodyAsJsonObject().getLong("imported")).isEqualTo(10);

    app.enriched();
    await(new RollupJob(app.vertx, app.pool).runOnce(true));

    assertThat(lines(app, """
        SELECT hour, kind, label, events FROM rollup_hourly
        WHERE kind IN ('open', 'click', 'page_view') AND events <> 0 ORDER BY 1, 2, 3"""))
        .isNotEmpty()
        .isEqualTo(lines(app, """
            SELECT * FROM (
              SELECT date_trunc('hour', occurred_at, 'UTC') AS hour, kind, label, count(*) AS events
              FROM email_events GROUP BY 1, 2, 3
              UNION ALL
              SELECT date_trunc('hour', "timestamp", 'UTC'), 'page_view', page_type, count(*)
              FROM page_views WHERE label = 'human' GROUP BY 1, 2, 3) x
            ORDER BY 1, 2, 3"""));
    assertThat(count(app, "SELECT count(*) FROM page_views WHERE label = 'scanner'")).isEqualTo(3);
  }

  /** The dashboard's hourly email and page counts, summed per kind and label (other tests' hours included). */
  private static Map<String, Long> hourlyTotals(TestApp app) {
    Map<String, Long> totals = new TreeMap<>();
    for (Row r : await(app.pool.query("SELECT kind, label, sum(events)::bigint FROM rollup_hourly "
        + "WHERE kind IN ('open', 'click', 'page_view') GROUP BY 1, 2").execute())) {
      totals.put(r.getString(0) + " " + r.getString(1), r.getLong(2));
    }
    return totals;
  }

  /** A browser's open of the debtor's email. */
  private static void open(TestApp app, Fixtures.Debtor d, UUID comm) {
    await(app.client.get("/t/o/" + d.token() + "/" + comm + ".gif").putHeader("User-Agent", BROWSER).send());
  }

  private static long dataVersion(TestApp app) {
    return raw(app, "SELECT coalesce((SELECT version FROM rollup_state), 0)");
  }

  @Test
  void aLiveBatch_addsItsEventsToTheDashboardsCountsAndFunnel_withoutARollupRun(TestApp app) {
    var ann = Fixtures.debtor(app, "Ann");
    var bob = Fixtures.debtor(app, "Bob");
    UUID annMail = Fixtures.email(app, ann, 3600);
    UUID bobMail = Fixtures.email(app, bob, 0);
    Map<String, Long> before = hourlyTotals(app);
    long version = dataVersion(app);
    long marks = count(app, "SELECT count(*) FROM rollup_dirty");

    // Ann opens and clicks (a person), and pays a visit; Bob's open comes on delivery (a machine); a scanner's
    // view of Bob's page is not a visit.
    open(app, ann, annMail);
    URI link = URI.create(TrackingIT.trackedUrl(app, ann, annMail, "https://pay.example.com/x"));
    assertThat(await(app.client.get(link.getRawPath() + "?" + link.getRawQuery()).putHeader("User-Agent", BROWSER)
        .putHeader("Accept", Fixtures.HTML).send()).statusCode()).isEqualTo(302);
    get(app, "/p/" + ann.token() + "/pay", BROWSER);
    open(app, bob, bobMail);
    get(app, "/p/" + bob.token(), HEADLESS);
    app.enriched();

    Map<String, Long> added = new TreeMap<>();
    hourlyTotals(app).forEach((k, v) -> {
      long d = v - before.getOrDefault(k, 0L);
      if (d != 0) {
        added.put(k, d);
      }
    });
    assertThat(added).containsExactlyInAnyOrderEntriesOf(Map.of(
        "open human", 1L, "click human", 1L, "open machine", 1L, "page_view payment", 1L));
    assertThat(count(app, "SELECT count(*) FROM rollup_dirty")).isEqualTo(marks);
    assertThat(count(app, "SELECT sum(events) FROM rollup_daily WHERE kind IN ('open', 'click', 'page_view')"))
        .isEqualTo(count(app, "SELECT sum(events) FROM rollup_hourly WHERE kind IN ('open', 'click', 'page_view')"));
    Row annFunnel = Fixtures.rows(app, "SELECT * FROM debtor_funnel WHERE debtor_id = '" + ann.id() + "'")
        .iterator().next();
    assertThat(annFunnel.getOffsetDateTime("opened_at")).isNotNull();
    assertThat(annFunnel.getOffsetDateTime("clicked_at")).isNotNull();
    assertThat(annFunnel.getOffsetDateTime("visited_at")).isNotNull();
    assertThat(annFunnel.getOffsetDateTime("machine_opened_at")).isNull();
    Row bobFunnel = Fixtures.rows(app, "SELECT * FROM debtor_funnel WHERE debtor_id = '" + bob.id() + "'")
        .iterator().next();
    assertThat(bobFunnel.getOffsetDateTime("machine_opened_at")).isNotNull();
    assertThat(bobFunnel.getOffsetDateTime("opened_at")).isNull();
    assertThat(bobFunnel.getOffsetDateTime("visited_at")).isNull();
    // Every debtor at a stage is in exactly one hour and one day of it.
    for (String stage : List.of("opened", "clicked", "visited", "machine_opened")) {
      String column = stage + "_at";
      long debtors = count(app, "SELECT count(*) FROM debtor_funnel WHERE " + column + " IS NOT NULL");
      assertThat(count(app, "SELECT coalesce(sum(debtors), 0) FROM funnel_hourly WHERE stage = $1", stage))
          .as(stage).isEqualTo(debtors);
      assertThat(count(app, "SELECT coalesce(sum(debtors), 0) FROM funnel_daily WHERE stage = $1", stage))
          .as(stage).isEqualTo(debtors);
    }
    assertThat(dataVersion(app)).isGreaterThan(version);

    // A second open of Ann's adds to the count but moves her funnel only forward: still one debtor opened.
    open(app, ann, annMail);
    app.enriched();
    assertThat(hourlyTotals(app).get("open human") - before.getOrDefault("open human", 0L)).isEqualTo(2);
    assertThat(count(app, "SELECT coalesce(sum(debtors), 0) FROM funnel_hourly WHERE stage = 'opened'"))
        .isEqualTo(count(app, "SELECT count(*) FROM debtor_funnel WHERE opened_at IS NOT NULL"));

    // As if Ann's latest open had been an hour earlier (her funnel time and its count moved back): her next open
    // moves her out of that hour (-1) into the new one (+1).
    String annOpened = "(SELECT opened_at FROM debtor_funnel WHERE debtor_id = '" + ann.id() + "')";
    String earlier = "date_trunc('hour', " + annOpened + ", 'UTC')";
    await(app.pool.query("UPDATE funnel_hourly SET debtors = debtors - 1 WHERE stage = 'opened' AND hour = "
        + earlier + "; UPDATE debtor_funnel SET opened_at = opened_at - interval '1 hour' WHERE debtor_id = '"
        + ann.id() + "'; INSERT INTO funnel_hourly (hour, stage, debtors) VALUES (" + earlier + ", 'opened', 1) "
        + "ON CONFLICT (hour, stage) DO UPDATE SET debtors = funnel_hourly.debtors + 1").execute());
    OffsetDateTime moved = Fixtures.rows(app, "SELECT " + earlier).iterator().next().getOffsetDateTime(0);
    long inEarlierHour = count(app, "SELECT debtors FROM funnel_hourly WHERE stage = 'opened' AND hour = $1", moved);
    open(app, ann, annMail);
    app.enriched();
    assertThat(count(app, "SELECT debtors FROM funnel_hourly WHERE stage = 'opened' AND hour = $1", moved))
        .isEqualTo(inEarlierHour - 1);
    assertThat(Fixtures.rows(app, "SELECT " + earlier).iterator().next().getOffsetDateTime(0)).isAfter(moved);
    assertThat(count(app, "SELECT coalesce(sum(debtors), 0) FROM funnel_hourly WHERE stage = 'opened'"))
        .isEqualTo(count(app, "SELECT count(*) FROM debtor_funnel WHERE opened_at IS NOT NULL"));
  }

  /** Email hours (which the enricher adds to) and any other (whose funnel rows and version a batch locks too). */
  @Test
  void aRecount_waitsForTheEnrichersBatchInFlight(TestApp app) {
    for (String source : List.of("email", "contact")) {
      SqlConnection held = await(app.pool.getConnection());
      try {
        await(held.query("BEGIN").execute());
        await(AdvisoryLock.inTransaction(held, AdvisoryLock.Key.ENRICHER));
        await(app.pool.preparedQuery("INSERT INTO rollup_dirty (hour, source) "
            + "VALUES (date_trunc('hour', now(), 'UTC'), $1)").execute(Tuple.of(source)));
        Future<RollupJob.Result> run = new RollupJob(app.vertx, app.pool).runOnce(false);
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> count(app,
            "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted") == 1);
        assertThat(run.isComplete()).as(source).isFalse();
        await(held.query("COMMIT").execute());
        assertThat(await(run).hours()).as(source).isEqualTo(1);
      } finally {
        await(held.close());
      }
    }
  }

  static List<String> lines(TestApp app, String sql) {
    List<String> out = new ArrayList<>();
    for (Row r : await(app.pool.query(sql).execute())) {
      out.add(r.getOffsetDateTime(0).toInstant() + " " + r.getString(1) + " " + r.getString(2) + " " + r.getLong(3));
    }
    return out;
  }

  @Test
  void backlogOverItsBound_shedsTheBeaconWith503_andReadinessFails_untilItDrains(TestApp shared) {
    var ann = Fixtures.debtor(shared, "Ann");
    JsonObject tracking = new JsonObject().put("journalBacklogMax", 3);
    try (TestApp tiny = TestApp.start(new JsonObject().put("tracking", tracking))) {
      // Holding the enricher's lock stops every enricher: the journal only grows.
      SqlConnection lock = await(shared.pool.getConnection());
      await(lock.query("SELECT pg_advisory_lock(" + AdvisoryLock.Key.ENRICHER.id() + ")").execute());
      JsonObject beacon = new JsonObject().put("token", ann.token()).put("pageType", "landing");
      for (int i = 0; i < 3; i++) {
        assertThat(await(tiny.client.post("/t/b").putHeader("Content-Type", "application/json")
            .sendBuffer(Buffer.buffer(beacon.encode()))).statusCode()).isEqualTo(204);
      }
      Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> await(tiny.client.get("/health/ready").send())
          .statusCode() == 503);
      assertThat(await(tiny.client.get("/health/ready").send()).bodyAsString()).contains("journal");
      long shedBefore = TrackingStats.current().snapshot().shed();

      HttpResponse<Buffer> shed = await(tiny.client.post("/t/b").putHeader("Content-Type", "application/json")
          .sendBuffer(Buffer.buffer(beacon.encode())));
      assertThat(shed.statusCode()).isEqualTo(503);
      assertThat(shed.getHeader("Retry-After")).isEqualTo("1");
      assertThat(shed.getHeader("Content-Type")).startsWith("application/problem+json");
      TrackingIT.assertGif(await(tiny.client.get("/t/o/" + ann.token() + ".gif").putHeader("User-Agent", BROWSER).send()));
      assertThat(TrackingStats.current().snapshot().shed() - shedBefore).isEqualTo(2);
      assertThat(raw(shared, "SELECT count(*) FROM tracking_journal")).isEqualTo(3);

      await(lock.query("SELECT pg_advisory_unlock(" + AdvisoryLock.Key.ENRICHER.id() + ")").execute());
      await(lock.close());
      Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> await(tiny.client.get("/health/ready").send())
          .statusCode() == 200);
      assertThat(await(tiny.client.post("/t/b").putHeader("Content-Type", "application/json")
          .sendBuffer(Buffer.buffer(beacon.encode()))).statusCode()).isEqualTo(204);
      assertThat(count(shared, "SELECT count(*) FROM page_views")).isEqualTo(4);
    }
  }

  @Test
  void aRowTheEventTablesRefuse_isSetAside_andTheRowsBeforeAndAfterItAreMoved(TestApp app) {
    var ann = Fixtures.debtor(app, "Ann");
    UUID comm = Fixtures.email(app, ann, 3600);
    app.stopEnricher();
    long rejectedBefore = TrackingStats.current().rejectedRows();
    WebClient client = JournalWriterIT.wide(app);
    try {
      for (int i = 0; i < 7; i++) {
        assertThat(await(client.get("/t/o/" + ann.token() + "/" + comm + ".gif").putHeader("User-Agent", BROWSER)
            .send()).statusCode()).isEqualTo(200);
      }
      // A row no hot path writes (an address that is not one): the event table's inet column refuses it.
      await(app.pool.query("INSERT INTO tracking_journal (kind, token, at, user_agent, ip) VALUES (1, '"
          + ann.token() + "', now(), 'poison', 'not-an-address')").execute());
      for (int i = 0; i < 5; i++) {
        assertThat(await(client.get("/t/o/" + ann.token() + "/" + comm + ".gif").putHeader("User-Agent", BROWSER)
            .send()).statusCode()).isEqualTo(200);
      }
    } finally {
      client.close();
    }
    assertThat(raw(app, "SELECT count(*) FROM tracking_journal")).isEqualTo(13);

    app.startEnricher();
    Awaitility.await().atMost(Duration.ofSeconds(30))
        .until(() -> raw(app, "SELECT count(*) FROM tracking_journal") == 0);
    assertThat(count(app, "SELECT count(*) FROM email_events")).isEqualTo(12);
    assertThat(raw(app, "SELECT count(*) FROM email_events WHERE user_agent = 'poison'")).isZero();
    var rejected = await(app.pool.query("SELECT user_agent, ip, sqlstate, error FROM tracking_journal_rejected")
        .execute());
    assertThat(rejected.size()).isEqualTo(1);
    var row = rejected.iterator().next();
    assertThat(row.getString("user_agent")).isEqualTo("poison");
    assertThat(row.getString("ip")).isEqualTo("not-an-address");
    assertThat(row.getString("sqlstate")).isEqualTo("22P02");
    assertThat(row.getString("error")).contains("inet");
    assertThat(TrackingStats.current().rejectedRows() - rejectedBefore).isEqualTo(1);
  }

  @Test
  void batchesRunWithoutJit_whilePoolConnectionsKeepTheServerDefault(TestApp app) {
    Fixtures.Debtor ann = Fixtures.debtor(app, "Ann");
    UUID comm = Fixtures.email(app, ann, 3600);
    app.stopEnricher();
    Pool own = app.database.pool(app.vertx, 1);
    try {
      assertThat(await(app.client.get("/t/o/" + ann.token() + "/" + comm + ".gif").putHeader("User-Agent", BROWSER)
          .send()).statusCode()).isEqualTo(200);
      Promise<String> seen = Promise.promise();
      Enricher.Hook look = conn -> conn.query("SELECT current_setting('jit')").execute()
          .map(r -> { seen.tryComplete(r.iterator().next().getString(0)); return null; });
      String id = await(app.vertx.deployVerticle(new Enricher(own, app.services.config().tracking(), look)));
      assertThat(await(seen.future())).isEqualTo("off");
      Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> raw(app, "SELECT count(*) FROM email_events") == 1);
      await(app.vertx.undeploy(id));
      // SET LOCAL: the setting ended with the batch's transaction.
      assertThat(await(own.query("SELECT current_setting('jit')").execute()).iterator().next().getString(0))
          .isEqualTo(await(app.pool.query("SELECT reset_val FROM pg_settings WHERE name = 'jit'").execute())
              .iterator().next().getString(0));
    } finally {
      app.startEnricher();
      await(own.close());
    }
  }

  /** {@code n} browser opens of {@code comm} written straight into the journal, as the hot path would. */
  private static void journalOpens(TestApp app, Fixtures.Debtor debtor, UUID comm, int n) {
    await(app.pool.preparedQuery("""
        INSERT INTO tracking_journal (kind, token, at, communication_id, user_agent, signals)
        SELECT 1, $1, now(), $2, $3, 0 FROM generate_series(1, $4)""")
        .execute(Tuple.of(debtor.token(), comm, BROWSER, n)));
  }

  @Test
  void batchesArePlannedForTheirOwnRows_neverByACachedGenericPlan(TestApp app) {
    // A generic plan cached while the journal was small scanned all of it for every batch's delete once a backlog
    // had grown (Enricher.SETTINGS): on the enricher's connection every journal statement must be planned anew.
    Fixtures.Debtor ann = Fixtures.debtor(app, "Ann");
    UUID comm = Fixtures.email(app, ann, 3600);
    app.stopEnricher();
    Pool own = app.database.pool(app.vertx, 1);
    try {
      journalOpens(app, ann, comm, 40);
      AtomicReference<long[]> plans = new AtomicReference<>(new long[2]);
      Enricher.Hook look = conn -> conn.query("""
          SELECT coalesce(sum(generic_plans), 0)::bigint, coalesce(sum(custom_plans), 0)::bigint
          FROM pg_prepared_statements WHERE statement LIKE '%tracking_journal%'""").execute()
          .map(r -> {
            var row = r.iterator().next();
            plans.set(new long[] {row.getLong(0), row.getLong(1)});
            return null;
          });
      // Batches of 5: eight executions of each statement on one connection, past the five after which PostgreSQL
      // would otherwise cache a generic plan.
      String id = await(app.vertx.deployVerticle(
          new Enricher(own, withBatch(app.services.config().tracking(), 5), look)));
      Awaitility.await().atMost(Duration.ofSeconds(20))
          .until(() -> raw(app, "SELECT count(*) FROM tracking_journal") == 0);
      await(app.vertx.undeploy(id));
      assertThat(raw(app, "SELECT count(*) FROM email_events")).isEqualTo(40);
      assertThat(plans.get()[0]).as("generic plans").isZero();
      assertThat(plans.get()[1]).as("custom plans").isGreaterThanOrEqualTo(7 * 2);
    } finally {
      app.startEnricher();
      await(own.close());
    }
  }

  @Test
  void theEnricherVacuumsTheJournal_afterEveryFourFullBatchesOfDeletedRows(TestApp app) {
    Fixtures.Debtor ann = Fixtures.debtor(app, "Ann");
    UUID comm = Fixtures.email(app, ann, 3600);
    app.stopEnricher();
    Pool own = app.database.pool(app.vertx, 2);
    String vacuums = "SELECT vacuum_count FROM pg_stat_user_tables WHERE relname = 'tracking_journal'";
    // An autovacuum of the journal running at the enricher's turn would make its VACUUM (SKIP_LOCKED) skip.
    await(app.pool.query("ALTER TABLE tracking_journal SET (autovacuum_enabled = false)").execute());
    try {
      long before = raw(app, vacuums);
      journalOpens(app, ann, comm, 30);
      // Batches of 5: a VACUUM once 20 rows are deleted, not before; autovacuum does not count in vacuum_count.
      String id = await(app.vertx.deployVerticle(new Enricher(own, withBatch(app.services.config().tracking(), 5))));
      Awaitility.await().atMost(Duration.ofSeconds(20))
          .until(() -> raw(app, vacuums) > before && raw(app, "SELECT count(*) FROM tracking_journal") == 0);
      await(app.vertx.undeploy(id));
      assertThat(raw(app, "SELECT count(*) FROM email_events")).isEqualTo(30);
      assertThat(raw(app, vacuums) - before).isEqualTo(1);
    } finally {
      await(app.pool.query("ALTER TABLE tracking_journal RESET (autovacuum_enabled)").execute());
      app.startEnricher();
      await(own.close());
    }
  }
}
