package dev.beacon.tracking;

import dev.beacon.support.BeaconExtension;
import dev.beacon.support.TestApp;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Transaction;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import static dev.beacon.support.TestApp.await;
import static dev.beacon.tracking.Fixtures.BROWSER;
import static dev.beacon.tracking.Fixtures.count;
import static org.assertj.core.api.Assertions.assertThat;

@ExtendWith(BeaconExtension.class)
@Timeout(90)
class JournalWriterIT {
  static final int N = 400;

  static WebClient wide(TestApp app) {
    return WebClient.create(app.vertx, new WebClientOptions().setDefaultHost("localhost").setDefaultPort(app.port),
        new PoolOptions().setHttp1MaxSize(64));
  }

  @Test
  void concurrentPixelsAndBeacons_writeExactlyOneRowEach(TestApp app) {
    var ann = Fixtures.debtor(app, "Ann");
    UUID comm = Fixtures.email(app, ann, 3600);
    UUID view = TrackingIT.insertView(app, ann.id());
    WebClient client = wide(app);
    TrackingStats.Snapshot before = TrackingStats.current().snapshot();
    List<Future<HttpResponse<Buffer>>> pixels = new ArrayList<>();
    List<Future<HttpResponse<Buffer>>> beacons = new ArrayList<>();
    for (int i = 0; i < N; i++) {
      pixels.add(client.get("/t/o/" + ann.token() + "/" + comm + ".gif").putHeader("User-Agent", BROWSER).send());
      beacons.add(client.post("/t/b").putHeader("Content-Type", "text/plain")
          .sendBuffer(Buffer.buffer(new JsonObject().put("token", ann.token()).put("pageType", "payment").encode())));
      beacons.add(client.post("/t/b").putHeader("Content-Type", "application/json").sendBuffer(Buffer.buffer(
          new JsonObject().put("token", ann.token()).put("pageViewId", view.toString()).put("pageType", "landing")
              .put("timeOnPage", i).put("actions", new JsonArray().add("a" + i)).encode())));
    }
    await(Future.all(pixels));
    await(Future.all(beacons));
    pixels.forEach(f -> TrackingIT.assertGif(f.result()));
    beacons.forEach(f -> assertThat(f.result().statusCode()).isEqualTo(204));
    TrackingStats.Snapshot after = TrackingStats.current().snapshot();
    // Every request was committed to the journal, in fewer statements than requests: requests were grouped.
    assertThat(after.committed() - before.committed()).isEqualTo(3L * N);
    assertThat(after.batches() - before.batches()).isPositive().isLessThan(3L * N);
    app.enriched();
    assertThat(count(app, "SELECT count(*) FROM email_events")).isEqualTo(N);
    assertThat(count(app, "SELECT count(*) FROM page_views WHERE page_type = 'payment'")).isEqualTo(N);
    assertThat(count(app, "SELECT count(*) FROM page_views WHERE page_type = 'landing'")).isEqualTo(1);
    assertThat(count(app, "SELECT jsonb_array_length(actions_taken) FROM page_views WHERE id = $1", view)).isEqualTo(N);
    assertThat(count(app, "SELECT count(DISTINCT a) FROM page_views, jsonb_array_elements_text(actions_taken) a "
        + "WHERE id = $1", view)).isEqualTo(N);
    assertThat(count(app, "SELECT time_on_page FROM page_views WHERE id = $1", view)).isEqualTo(N - 1);
    client.close();
  }

  /** Holds every insert into the journal until the transaction ends. */
  static Transaction lockTables(TestApp app, SqlConnection conn) {
    Transaction tx = await(conn.begin());
    await(conn.query("LOCK TABLE tracking_journal IN EXCLUSIVE MODE").execute());
    return tx;
  }

  /**
   * Ends the locking transaction however the test went (a rollback after its commit does nothing) and gives the
   * connection back: a lock left held would block every later test's reset on the shared database.
   */
  static void release(SqlConnection conn, Transaction tx) {
    try {
      tx.rollback().await(30, TimeUnit.SECONDS);
    } catch (Exception alreadyEnded) {
      // committed by the test
    }
    await(conn.close());
  }

  static void awaitBlockedWriter(TestApp app) {
    Awaitility.await().atMost(Duration.ofSeconds(20)).until(() ->
        count(app, "SELECT count(*) FROM pg_locks WHERE NOT granted") > 0);
  }

  @Test
  void fullQueue_shedsBeaconsWith503_andPixelsStillGetTheirGif(TestApp shared) {
    var ann = Fixtures.debtor(shared, "Ann");
    try (TestApp tiny = TestApp.start(new JsonObject().put("tracking", new JsonObject().put("queueCapacity", 1)))) {
      SqlConnection conn = await(shared.pool.getConnection());
      Transaction tx = lockTables(shared, conn);
      try {
        Future<HttpResponse<Buffer>> first = tiny.client.post("/t/b").putHeader("Content-Type", "application/json")
            .sendBuffer(Buffer.buffer(new JsonObject().put("token", ann.token()).put("pageType", "landing").encode()));
        awaitBlockedWriter(shared);
        long shedBefore = TrackingStats.current().snapshot().shed();

        HttpResponse<Buffer> second = await(tiny.client.post("/t/b").putHeader("Content-Type", "application/json")
            .sendBuffer(Buffer.buffer(new JsonObject().put("token", ann.token()).put("pageType", "landing").encode())));
        assertThat(second.statusCode()).isEqualTo(503);
        assertThat(second.getHeader("Retry-After")).isEqualTo("1");
        assertThat(second.getHeader("Content-Type")).startsWith("application/problem+json");

        HttpResponse<Buffer> pixel = await(tiny.client.get("/t/o/" + ann.token() + ".gif").putHeader("User-Agent", BROWSER).send());
        TrackingIT.assertGif(pixel);
        assertThat(TrackingStats.current().snapshot().shed() - shedBefore).isEqualTo(2);
        assertThat(first.isComplete()).isFalse();

        await(tx.commit());
        assertThat(await(first).statusCode()).isEqualTo(204);
        shared.enriched();
        assertThat(count(shared, "SELECT count(*) FROM page_views")).isEqualTo(1);
        assertThat(count(shared, "SELECT count(*) FROM email_events")).isZero();
      } finally {
        release(conn, tx);
      }
    }
  }

  static <T> Future<T> on(Context ctx, Supplier<Future<T>> work) {
    Promise<T> p = Promise.promise();
    ctx.runOnContext(v -> work.get().onComplete(p));
    return p.future();
  }

  @Test
  void stop_answersQueuedRequests503_andCommitsThoseInFlight(TestApp app) {
    var ann = Fixtures.debtor(app, "Ann");
    Context ctx = app.vertx.getOrCreateContext();
    JournalWriter writer = new JournalWriter(ctx, app.pool, 100, 500, TrackingStats.current(), new FlushGate(1, 0),
        () -> false);
    Supplier<Journal.Entry> view = () -> Journal.Entry.view(ann.token(), UUID.randomUUID(), OffsetDateTime.now(),
        null, null, 0, "info", null, null);
    SqlConnection conn = await(app.pool.getConnection());
    Transaction tx = lockTables(app, conn);
    try {
      Future<Void> inFlight = on(ctx, () -> writer.submit(view.get()));
      awaitBlockedWriter(app);
      Future<Void> queued1 = on(ctx, () -> writer.submit(view.get()));
      Future<Void> queued2 = on(ctx, () -> writer.submit(view.get()));
      Future<Void> stopped = on(ctx, writer::stop);

      Awaitility.await().until(() -> queued1.isComplete() && queued2.isComplete());
      assertThat(queued1.cause()).isSameAs(JournalWriter.OVERLOADED);
      assertThat(queued2.cause()).isSameAs(JournalWriter.OVERLOADED);
      assertThat(stopped.isComplete()).isFalse();
      Future<Void> afterStop = on(ctx, () -> writer.submit(view.get()));
      Awaitility.await().until(afterStop::isComplete);
      assertThat(afterStop.cause()).isSameAs(JournalWriter.OVERLOADED);

      await(tx.commit());
      await(inFlight);
      await(stopped);
      app.enriched();
      assertThat(count(app, "SELECT count(*) FROM page_views")).isEqualTo(1);
    } finally {
      release(conn, tx);
    }
  }

  /**
   * Two writers, one slot: while the first one's statement cannot commit, the second one's batch does not wait
   * for it past the hedge delay but runs on a spare slot, and a third batch (the spare lent) waits in line. All
   * three commit once the journal is free again, each row once.
   */
  @Test
  void aBatchWaitingPastTheHedge_runsOnASpareSlot_andEveryRowCommitsOnce(TestApp app) {
    var ann = Fixtures.debtor(app, "Ann");
    FlushGate gate = new FlushGate(1, 5);
    Context ctxA = app.vertx.getOrCreateContext();
    Context ctxB = app.vertx.getOrCreateContext();
    Context ctxC = app.vertx.getOrCreateContext();
    TrackingStats stats = TrackingStats.current();
    List<JournalWriter> writers = List.of(
        new JournalWriter(ctxA, app.pool, 100, 500, stats, gate, () -> false),
        new JournalWriter(ctxB, app.pool, 100, 500, stats, gate, () -> false),
        new JournalWriter(ctxC, app.pool, 100, 500, stats, gate, () -> false));
    Supplier<Journal.Entry> view = () -> Journal.Entry.view(ann.token(), UUID.randomUUID(), OffsetDateTime.now(),
        null, null, 0, "info", null, null);
    long hedgedBefore = stats.snapshot().hedged();
    SqlConnection conn = await(app.pool.getConnection());
    Transaction tx = lockTables(app, conn);
    try {
      Future<Void> a = on(ctxA, () -> writers.get(0).submit(view.get()));
      awaitBlockedWriter(app);
      Future<Void> b = on(ctxB, () -> writers.get(1).submit(view.get()));
      Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> blockedStatements(app) == 2);
      assertThat(stats.snapshot().hedged() - hedgedBefore).isEqualTo(1);
      Future<Void> c = on(ctxC, () -> writers.get(2).submit(view.get()));
      // Well past c's hedge delay, c's statement is still not sent: the one spare is b's.
      Awaitility.await().during(Duration.ofMillis(200)).atMost(Duration.ofSeconds(5)).until(() ->
          writers.get(2).outstanding() == 1 && blockedStatements(app) == 2);
      assertThat(a.isComplete() || b.isComplete() || c.isComplete()).isFalse();

      await(tx.commit());
      await(a);
      await(b);
      await(c);
      assertThat(stats.snapshot().hedged() - hedgedBefore).as("c got a's slot").isEqualTo(1);
      app.enriched();
      assertThat(count(app, "SELECT count(*) FROM page_views")).isEqualTo(3);
    } finally {
      release(conn, tx);
    }
  }

  /** Statements waiting for a table lock: writers the journal's lock holds up. */
  static long blockedStatements(TestApp app) {
    return count(app, "SELECT count(*) FROM pg_locks WHERE NOT granted AND locktype = 'relation'");
  }
}
