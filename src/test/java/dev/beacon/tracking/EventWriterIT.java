package dev.beacon.tracking;

import dev.beacon.support.BeaconExtension;
import dev.beacon.support.TestApp;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
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
import java.util.function.Supplier;

import static dev.beacon.support.TestApp.await;
import static dev.beacon.tracking.Fixtures.BROWSER;
import static dev.beacon.tracking.Fixtures.count;
import static org.assertj.core.api.Assertions.assertThat;

@ExtendWith(BeaconExtension.class)
@Timeout(90)
class EventWriterIT {
  static final int N = 400;

  static WebClient wide(TestApp app) {
    return WebClient.create(app.vertx, new WebClientOptions().setDefaultHost("localhost").setDefaultPort(app.port),
        new io.vertx.core.http.PoolOptions().setHttp1MaxSize(64));
  }

  @Test
  void concurrentPixelsAndBeacons_writeExactlyOneRowEach(TestApp app) {
    var ann = Fixtures.debtor(app, "Ann");
    UUID comm = Fixtures.email(app, ann, 3600);
    UUID view = TrackingIT.insertView(app, ann.id());
    WebClient client = wide(app);
    List<Future<HttpResponse<Buffer>>> all = new ArrayList<>();
    for (int i = 0; i < N; i++) {
      all.add(client.get("/t/o/" + ann.token() + "/" + comm + ".gif").putHeader("User-Agent", BROWSER).send());
      all.add(client.post("/t/b").putHeader("Content-Type", "text/plain")
          .sendBuffer(Buffer.buffer(new JsonObject().put("token", ann.token()).put("pageType", "payment").encode())));
      all.add(client.post("/t/b").putHeader("Content-Type", "application/json").sendBuffer(Buffer.buffer(
          new JsonObject().put("token", ann.token()).put("pageViewId", view.toString()).put("pageType", "landing")
              .put("timeOnPage", i).put("actions", new JsonArray().add("a" + i)).encode())));
    }
    await(Future.all(all));
    all.forEach(f -> assertThat(f.result().statusCode()).isIn(200, 204));
    assertThat(count(app, "SELECT count(*) FROM email_events")).isEqualTo(N);
    assertThat(count(app, "SELECT count(*) FROM page_views WHERE page_type = 'payment'")).isEqualTo(N);
    assertThat(count(app, "SELECT count(*) FROM page_views WHERE page_type = 'landing'")).isEqualTo(1);
    assertThat(count(app, "SELECT jsonb_array_length(actions_taken) FROM page_views WHERE id = $1", view)).isEqualTo(N);
    assertThat(count(app, "SELECT count(DISTINCT a) FROM page_views, jsonb_array_elements_text(actions_taken) a "
        + "WHERE id = $1", view)).isEqualTo(N);
    assertThat(count(app, "SELECT time_on_page FROM page_views WHERE id = $1", view)).isEqualTo(N - 1);
    // fewer statements than requests: requests were grouped
    client.close();
  }

  /** Holds every insert into page_views and email_events until the transaction ends. */
  static Transaction lockTables(TestApp app, SqlConnection conn) {
    Transaction tx = await(conn.begin());
    await(conn.query("LOCK TABLE page_views, email_events IN EXCLUSIVE MODE").execute());
    return tx;
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
      await(conn.close());
      assertThat(await(first).statusCode()).isEqualTo(204);
      assertThat(count(shared, "SELECT count(*) FROM page_views")).isEqualTo(1);
      assertThat(count(shared, "SELECT count(*) FROM email_events")).isZero();
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
    EventWriter writer = new EventWriter(ctx, app.pool, 100, 500, Duration.ofSeconds(5), TrackingStats.current(),
        new FlushGate(1));
    Supplier<EventSql.NewView> view = () -> new EventSql.NewView(UUID.randomUUID(), ann.token(), "info", null, null,
        null, null, OffsetDateTime.now());
    SqlConnection conn = await(app.pool.getConnection());
    Transaction tx = lockTables(app, conn);
    Future<Void> inFlight = on(ctx, () -> writer.submitView(view.get()));
    awaitBlockedWriter(app);
    Future<Void> queued1 = on(ctx, () -> writer.submitView(view.get()));
    Future<Void> queued2 = on(ctx, () -> writer.submitView(view.get()));
    Future<Void> stopped = on(ctx, writer::stop);

    Awaitility.await().until(() -> queued1.isComplete() && queued2.isComplete());
    assertThat(queued1.cause()).isSameAs(EventWriter.OVERLOADED);
    assertThat(queued2.cause()).isSameAs(EventWriter.OVERLOADED);
    assertThat(stopped.isComplete()).isFalse();
    Future<Void> afterStop = on(ctx, () -> writer.submitView(view.get()));
    Awaitility.await().until(afterStop::isComplete);
    assertThat(afterStop.cause()).isSameAs(EventWriter.OVERLOADED);

    await(tx.commit());
    await(conn.close());
    await(inFlight);
    await(stopped);
    assertThat(count(app, "SELECT count(*) FROM page_views")).isEqualTo(1);
  }

  @Test
  void settledBatches_insertOnly_andNewFactsStillReachMessagesAndDebtors(TestApp app) {
    var ann = Fixtures.debtor(app, "Ann");
    UUID comm = Fixtures.email(app, ann, 3600);
    UUID quiet = Fixtures.email(app, ann, 3600);
    Context ctx = app.vertx.getOrCreateContext();
    EventWriter writer = new EventWriter(ctx, app.pool, 100, 500, Duration.ofSeconds(5), TrackingStats.current(),
        new FlushGate(1));
    OffsetDateTime now = OffsetDateTime.now(java.time.ZoneOffset.UTC).truncatedTo(java.time.temporal.ChronoUnit.MICROS);
    var human = new Classifier.Verdict(Classifier.Label.HUMAN, "browser");
    var machine = new Classifier.Verdict(Classifier.Label.MACHINE, "proxy");
    java.util.function.BiFunction<Classifier.Kind, OffsetDateTime, EventSql.EmailEvent> event = (kind, at) ->
        new EventSql.EmailEvent(ann.token(), comm, kind, at, BROWSER, null, human,
            kind == Classifier.Kind.CLICK ? "https://example.com/a" : null);

    var s0 = TrackingStats.current().snapshot();
    await(on(ctx, () -> writer.submitEmail(event.apply(Classifier.Kind.OPEN, now))));
    var s1 = TrackingStats.current().snapshot();
    assertThat(s1.applying() - s0.applying()).isEqualTo(1);
    assertThat(count(app, "SELECT count(*) FROM communications WHERE id = $1 AND email_opened AND NOT email_clicked", comm))
        .isEqualTo(1);

    // The same person opening again within the minute changes nothing but the event table.
    await(on(ctx, () -> writer.submitEmail(event.apply(Classifier.Kind.OPEN, now.plusSeconds(30)))));
    var s2 = TrackingStats.current().snapshot();
    assertThat(s2.insertOnly() - s1.insertOnly()).isEqualTo(1);
    assertThat(count(app, "SELECT count(*) FROM email_events WHERE communication_id = $1", comm)).isEqualTo(2);

    // A machine open of another message needs no update either, and leaves that message unopened.
    await(on(ctx, () -> writer.submitEmail(new EventSql.EmailEvent(ann.token(), quiet, Classifier.Kind.OPEN,
        now.plusSeconds(31), "Mozilla/5.0", null, machine, null))));
    var s3 = TrackingStats.current().snapshot();
    assertThat(s3.insertOnly() - s2.insertOnly()).isEqualTo(1);
    assertThat(count(app, "SELECT count(*) FROM communications WHERE id = $1 AND NOT email_opened", quiet)).isEqualTo(1);

    // New facts are applied: a first click, then a response more than a minute later.
    await(on(ctx, () -> writer.submitEmail(event.apply(Classifier.Kind.CLICK, now.plusSeconds(40)))));
    assertThat(count(app, "SELECT count(*) FROM communications WHERE id = $1 AND email_clicked", comm)).isEqualTo(1);
    OffsetDateTime later = now.plusMinutes(3);
    await(on(ctx, () -> writer.submitEmail(event.apply(Classifier.Kind.OPEN, later))));
    var s4 = TrackingStats.current().snapshot();
    assertThat(s4.applying() - s3.applying()).isEqualTo(2);
    assertThat(await(app.pool.preparedQuery("SELECT last_response_date FROM debtors WHERE id = $1")
        .execute(io.vertx.sqlclient.Tuple.of(ann.id()))).iterator().next().getOffsetDateTime(0)).isEqualTo(later);

    // A page view within the minute of that response is settled too.
    await(on(ctx, () -> writer.submitView(new EventSql.NewView(UUID.randomUUID(), ann.token(), "landing", null,
        null, null, null, later.plusSeconds(10)))));
    assertThat(TrackingStats.current().snapshot().insertOnly() - s4.insertOnly()).isEqualTo(1);
    assertThat(count(app, "SELECT count(*) FROM page_views")).isEqualTo(1);
    assertThat(count(app, "SELECT count(*) FROM email_events")).isEqualTo(5);

    // The settled path still applies the send-time rule and never links another debtor's message.
    OffsetDateTime sent = await(app.pool.preparedQuery("SELECT \"timestamp\" FROM communications WHERE id = $1")
        .execute(io.vertx.sqlclient.Tuple.of(comm))).iterator().next().getOffsetDateTime(0);
    var bob = Fixtures.debtor(app, "Bob");
    UUID bobs = Fixtures.email(app, bob, 3600);
    await(on(ctx, () -> writer.submitEmail(new EventSql.EmailEvent(bob.token(), bobs, Classifier.Kind.OPEN, later,
        BROWSER, null, human, null))));
    var s5 = TrackingStats.current().snapshot();
    await(on(ctx, () -> writer.submitEmail(event.apply(Classifier.Kind.OPEN, sent.plusSeconds(1)))));
    await(on(ctx, () -> writer.submitEmail(new EventSql.EmailEvent(ann.token(), bobs, Classifier.Kind.OPEN,
        later.plusSeconds(5), BROWSER, null, human, null))));
    assertThat(TrackingStats.current().snapshot().insertOnly() - s5.insertOnly()).isEqualTo(2);
    assertThat(count(app, "SELECT count(*) FROM email_events WHERE occurred_at = $1 AND label = 'machine' "
        + "AND reason = 'within 5 s of the send'", sent.plusSeconds(1))).isEqualTo(1);
    assertThat(count(app, "SELECT count(*) FROM email_events WHERE debtor_id = $1 AND occurred_at = $2 "
        + "AND communication_id IS NULL", ann.id(), later.plusSeconds(5))).isEqualTo(1);
  }
}
