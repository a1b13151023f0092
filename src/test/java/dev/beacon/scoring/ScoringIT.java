package dev.beacon.scoring;

import dev.beacon.support.BeaconExtension;
import dev.beacon.support.Http;
import dev.beacon.support.TestApp;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Tuple;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.Set;
import java.util.UUID;

import static dev.beacon.db.AdvisoryLock.Key.SCORING_JOB;
import static dev.beacon.support.TestApp.AGENT_KEY;
import static dev.beacon.support.TestApp.VIEWER_KEY;
import static dev.beacon.support.TestApp.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

@ExtendWith(BeaconExtension.class)
@Timeout(60)
class ScoringIT {
  static final String BROWSER = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
      + "Chrome/131.0 Safari/537.36";

  static ScoringJob job(TestApp app) {
    return new ScoringJob(app.pool, "v1", 5000);
  }

  static ScoringJob.Run run(TestApp app) {
    return await(job(app).runOnce(false));
  }

  @Test
  @DisplayName("POST /api/scoring/run scores every debtor; the explanation sums to the stored score, largest first")
  void runNow_scoresEveryone_andExplainSumsToTheScore(TestApp app) {
    ScoringKit kit = new ScoringKit(app);
    UUID engaged = kit.debtor();
    kit.emailEvents(engaged, "open", "human", 4, 2);
    kit.emailEvents(engaged, "click", "human", 2, 3);
    kit.pageView(engaged, "payment", 240, 1);
    kit.contact(engaged, "inbound", 4);
    UUID quiet = kit.debtor();
    kit.contact(quiet, "outbound", 20);
    kit.contact(quiet, "outbound", 10);

    Http http = new Http(app);
    var r = http.post("/api/scoring/run", AGENT_KEY, new JsonObject());
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.bodyAsJsonObject().getInteger("scored")).isEqualTo(2);
    assertThat(r.bodyAsJsonObject().getLong("tookMs")).isNotNegative();

    assertThat(kit.score(engaged)).isGreaterThan(kit.score(quiet) + 20);
    for (UUID id : new UUID[] {engaged, quiet}) {
      JsonObject e = http.get("/api/debtors/" + id + "/score", VIEWER_KEY).bodyAsJsonObject();
      assertThat(e.getInteger("score")).isEqualTo(kit.score(id));
      assertThat(e.getString("modelVersion")).isEqualTo("v1");
      assertThat(e.getString("scoredAt")).isNotNull();
      JsonArray factors = e.getJsonArray("factors");
      assertThat(factors).hasSize(Feature.COUNT + 1);
      double sum = 0;
      double previous = Double.MAX_VALUE;
      for (int i = 0; i < factors.size(); i++) {
        JsonObject f = factors.getJsonObject(i);
        assertThat(f.getString("name")).isNotBlank();
        assertThat(f.containsKey("value")).isTrue();
        double c = f.getDouble("contribution");
        assertThat(Math.abs(c)).isLessThanOrEqualTo(previous);
        previous = Math.abs(c);
        sum += c;
      }
      assertThat(sum).isCloseTo(e.getInteger("score"), within(1e-6));
    }
    JsonObject e = http.get("/api/debtors/" + engaged + "/score", AGENT_KEY).bodyAsJsonObject();
    assertThat(e.getJsonArray("factors").stream().map(o -> (JsonObject) o)
        .filter(f -> f.getString("name").equals("human_clicks")).findFirst().orElseThrow().getDouble("value"))
        .isEqualTo(2.0);
  }

  @Test
  void explain_unknownDebtor_is404_andUnscoredDebtorHasNoFactors(TestApp app) {
    Http http = new Http(app);
    assertThat(http.get("/api/debtors/" + UUID.randomUUID() + "/score", AGENT_KEY).statusCode()).isEqualTo(404);
    assertThat(http.get("/api/debtors/nope/score", AGENT_KEY).statusCode()).isEqualTo(400);
    UUID id = new ScoringKit(app).debtor();
    JsonObject e = http.get("/api/debtors/" + id + "/score", AGENT_KEY).bodyAsJsonObject();
    assertThat(e.getInteger("score")).isZero();
    assertThat(e.getValue("scoredAt")).isNull();
    assertThat(e.getJsonArray("factors")).isEmpty();
  }

  @Test
  @DisplayName("machine and scanner opens and clicks change nothing; human ones raise the score")
  void machineOpens_changeNothing(TestApp app) {
    ScoringKit kit = new ScoringKit(app);
    UUID plain = kit.debtor();
    UUID machine = kit.debtor();
    kit.emailEvents(machine, "open", "machine", 30, 1);
    kit.emailEvents(machine, "click", "scanner", 10, 1);
    UUID human = kit.debtor();
    kit.emailEvents(human, "open", "human", 3, 1);
    run(app);
    assertThat(kit.score(machine)).isEqualTo(kit.score(plain));
    assertThat(kit.score(human)).isGreaterThan(kit.score(plain));
  }

  @Test
  void disputeAndResolved_scoreZero_withTheReason(TestApp app) {
    ScoringKit kit = new ScoringKit(app);
    UUID dispute = kit.debtor("dispute", "500.00", 100);
    kit.emailEvents(dispute, "click", "human", 10, 1);
    UUID resolved = kit.debtor("resolved", "500.00", 100);
    kit.emailEvents(resolved, "click", "human", 10, 1);
    run(app);
    Http http = new Http(app);
    for (UUID id : new UUID[] {dispute, resolved}) {
      JsonObject e = http.get("/api/debtors/" + id + "/score", AGENT_KEY).bodyAsJsonObject();
      assertThat(e.getInteger("score")).isZero();
      assertThat(e.getString("reason")).contains("not scored");
      assertThat(e.getJsonArray("factors")).hasSize(1);
      assertThat(e.getJsonArray("factors").getJsonObject(0).getString("name")).isEqualTo("status");
    }
  }

  @Test
  @DisplayName("an incremental run rescores exactly the debtors with new activity since the last run")
  void incremental_picksExactlyTheChangedDebtors(TestApp app) {
    ScoringKit kit = new ScoringKit(app);
    UUID[] ids = new UUID[10];
    for (int i = 0; i < ids.length; i++) {
      ids[i] = kit.debtor();
      kit.contact(ids[i], "outbound", 30);
    }
    ScoringJob.Run first = run(app);
    assertThat(first.full()).isTrue();
    assertThat(first.scored()).isEqualTo(10);

    ScoringJob.Run idle = run(app);
    assertThat(idle.full()).isFalse();
    assertThat(idle.scored()).isZero();

    kit.emailEvents(ids[0], "open", "human", 1, 0);
    kit.pageView(ids[1], "landing", 30, 0);
    kit.payment(ids[2], "50.00", 0);
    kit.sql("INSERT INTO communications (debtor_id, type, direction) VALUES ('" + ids[3] + "', 'sms', 'inbound')");
    kit.sql("UPDATE debtors SET total_owed = 2000, updated_at = now() WHERE id = '" + ids[4] + "'");
    kit.emailEvents(ids[5], "open", "machine", 5, 0); // not human: no new activity
    long before = kit.count("SELECT count(*) FROM score_history");
    ScoringJob.Run second = run(app);
    assertThat(second.full()).isFalse();
    assertThat(second.scored()).isEqualTo(5);
    assertThat(kit.count("SELECT count(*) FROM score_history WHERE scored_at > now() - interval '1 hour'"
        + " AND debtor_id IN ('" + ids[0] + "', '" + ids[1] + "', '" + ids[2] + "', '" + ids[4] + "')"))
        .isGreaterThanOrEqualTo(4 + 4); // first-run rows plus a changed score for each
    assertThat(kit.count("SELECT count(*) FROM score_history")).isGreaterThan(before);
  }

  /** Two debtors scored by a first (full) run: the one the test changes, the other, and the score both have. */
  record Scored(UUID changed, UUID other, int before) {}

  static Scored scoredPair(TestApp app, ScoringKit kit) {
    UUID changed = kit.debtor();
    UUID other = kit.debtor();
    assertThat(run(app).full()).isTrue();
    return new Scored(changed, other, kit.score(changed));
  }

  /** The next run is incremental and rescores only the changed debtor, whose score rose. */
  static void assertNextRunRescoresOnlyTheChanged(TestApp app, ScoringKit kit, Scored s) {
    ScoringJob.Run next = run(app);
    assertThat(next.full()).isFalse();
    assertThat(next.scored()).isEqualTo(1);
    assertThat(kit.score(s.changed())).isGreaterThan(s.before());
    assertThat(kit.score(s.other())).isEqualTo(s.before());
  }

  @Test
  @DisplayName("an open that waited in the tracking journal past a run (an enricher backlog) is scored by the next run")
  void incremental_picksEventsEnrichedAfterTheLastRun(TestApp app) {
    ScoringKit kit = new ScoringKit(app);
    Scored s = scoredPair(app, kit);

    app.stopEnricher();
    try {
      var pixel = await(app.client.get("/t/o/tok_" + s.changed().toString().replace("-", "") + ".gif")
          .putHeader("User-Agent", BROWSER).send());
      assertThat(pixel.statusCode()).isEqualTo(200);
      // The request came a minute ago and has waited in the journal since: older than the run below by far more
      // than the late-commit allowance.
      kit.sql("UPDATE tracking_journal SET at = now() - interval '1 minute'");
      assertThat(kit.count("SELECT count(*) FROM tracking_journal")).isEqualTo(1);
      ScoringJob.Run during = run(app);
      assertThat(during.full()).isFalse();
      assertThat(during.scored()).isZero();
    } finally {
      app.startEnricher();
    }
    app.enriched();
    assertThat(kit.count("SELECT count(*) FROM email_events WHERE label = 'human' AND debtor_id = '" + s.changed() + "'"
        + " AND occurred_at < now() - interval '50 seconds'")).isEqualTo(1);

    assertNextRunRescoresOnlyTheChanged(app, kit, s);
    assertThat(run(app).scored()).isZero(); // once enriched, the watermark moves on
  }

  /** A factor's value in the debtor's explanation. */
  static double factor(Http http, UUID debtor, String name) {
    JsonObject e = http.get("/api/debtors/" + debtor + "/score", VIEWER_KEY).bodyAsJsonObject();
    return e.getJsonArray("factors").stream().map(o -> (JsonObject) o)
        .filter(f -> f.getString("name").equals(name)).findFirst().orElseThrow().getDouble("value");
  }

  @Test
  @DisplayName("an incremental run rescores a debtor whose events were imported with old timestamps")
  void incremental_picksDebtorsOfImportedEvents(TestApp app) {
    ScoringKit kit = new ScoringKit(app);
    Scored s = scoredPair(app, kit);

    String twoDaysAgo = Instant.now().minus(Duration.ofDays(2)).toString();
    String body = new JsonObject().put("debtorId", s.changed().toString()).put("kind", "page_view")
        .put("at", twoDaysAgo).put("pageType", "payment").put("timeOnPage", 600).encode() + "\n";
    Http http = new Http(app);
    var r = http.postRaw("/api/events/import", AGENT_KEY, "application/x-ndjson", Buffer.buffer(body));
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.bodyAsJsonObject().getInteger("imported")).isEqualTo(1);

    assertNextRunRescoresOnlyTheChanged(app, kit, s);
    assertThat(factor(http, s.changed(), "payment_page_minutes")).isEqualTo(10.0);
  }

  @Test
  @DisplayName("a disputed payment still counts as paid in the features, net of a lost dispute, as amount_paid counts it")
  void disputedPayment_countsAsPaid_netOfALostDispute(TestApp app) {
    ScoringKit kit = new ScoringKit(app);
    UUID d = kit.debtor();
    kit.payment(d, "400.00", 3);
    run(app);
    Http http = new Http(app);
    assertThat(factor(http, d, "balance_owed")).isEqualTo(600.0);
    assertThat(factor(http, d, "share_paid")).isEqualTo(0.4);

    // What the webhook does on charge.dispute.created: the payment stays credited.
    kit.sql("UPDATE payments SET status = 'disputed', updated_at = now() WHERE debtor_id = '" + d + "'");
    run(app);
    assertThat(factor(http, d, "balance_owed")).isEqualTo(600.0);
    assertThat(factor(http, d, "share_paid")).isEqualTo(0.4);
    assertThat(factor(http, d, "partial_payments")).isEqualTo(1.0);

    // charge.dispute.closed, lost for 100.00: the payment stays disputed, 100.00 counts as returned.
    kit.sql("UPDATE payments SET amount_refunded = 100, refunded_at = now(), updated_at = now() WHERE debtor_id = '"
        + d + "'");
    run(app);
    assertThat(factor(http, d, "balance_owed")).isEqualTo(700.0);
    assertThat(factor(http, d, "share_paid")).isEqualTo(0.3);
  }

  @Test
  @DisplayName("an incremental run in many small chunks (two pipelines on one cursor) rescores each changed debtor once")
  void incremental_manyChunks_eachChangedDebtorScoredOnce(TestApp app) {
    ScoringKit kit = new ScoringKit(app);
    UUID[] ids = kit.debtors(23);
    ScoringJob job = new ScoringJob(app.pool, "v1", 3);
    assertThat(await(job.runOnce(false)).scored()).isEqualTo(23);

    Set<UUID> active = new HashSet<>();
    for (int i = 0; i < ids.length; i += 2) { // 12 debtors: four chunks of 3
      kit.emailEvents(ids[i], "click", "human", 3, 0);
      active.add(ids[i]);
    }
    kit.emailEvents(ids[1], "open", "scanner", 3, 0); // not human: no new activity
    ScoringJob.Run second = await(job.runOnce(false));
    assertThat(second.full()).isFalse();
    assertThat(second.scored()).isEqualTo(12);
    assertThat(second.changed()).isEqualTo(12); // first human clicks raise every score
    for (UUID id : ids) {
      assertThat(kit.count("SELECT count(*) FROM score_history WHERE debtor_id = '" + id + "'"))
          .as("history rows of %s", id).isEqualTo(active.contains(id) ? 2 : 1);
    }
  }

  @Test
  void history_isWrittenOnlyWhenTheScoreChanges_andShowsInTheTimeline(TestApp app) {
    ScoringKit kit = new ScoringKit(app);
    UUID id = kit.debtor();
    assertThat(await(job(app).runOnce(true)).scored()).isEqualTo(1);
    assertThat(kit.count("SELECT count(*) FROM score_history")).isEqualTo(1);
    assertThat(await(job(app).runOnce(true)).full()).isTrue();
    assertThat(kit.count("SELECT count(*) FROM score_history")).isEqualTo(1);

    kit.emailEvents(id, "click", "human", 3, 0);
    run(app);
    assertThat(kit.count("SELECT count(*) FROM score_history")).isEqualTo(2);
    JsonArray items = new Http(app).get("/api/debtors/" + id + "/timeline", AGENT_KEY).bodyAsJsonObject()
        .getJsonArray("items");
    JsonObject change = items.stream().map(o -> (JsonObject) o).filter(i -> i.getString("kind").equals("score_change"))
        .findFirst().orElseThrow();
    assertThat(change.getInteger("score")).isEqualTo(kit.score(id));
    assertThat(change.getInteger("previousScore")).isLessThan(change.getInteger("score"));
    assertThat(change.getString("modelVersion")).isEqualTo("v1");
  }

  @Test
  void onceADay_everyoneIsRescored(TestApp app) {
    ScoringKit kit = new ScoringKit(app);
    kit.debtor();
    kit.debtor();
    assertThat(run(app).full()).isTrue();
    assertThat(run(app).scored()).isZero();
    kit.sql("UPDATE scoring_state SET last_full_at = now() - interval '25 hours'");
    ScoringJob.Run daily = run(app);
    assertThat(daily.full()).isTrue();
    assertThat(daily.scored()).isEqualTo(2);
  }

  @Test
  @DisplayName("while another process holds the scoring lock, a run does nothing and POST /run answers 409")
  void advisoryLock_heldElsewhere_runDoesNothing(TestApp app) {
    ScoringKit kit = new ScoringKit(app);
    kit.debtor();
    var conn = await(app.pool.getConnection());
    try {
      await(conn.preparedQuery("SELECT pg_advisory_lock($1)").execute(Tuple.of(SCORING_JOB.id())));
      assertThat(run(app).ran()).isFalse();
      assertThat(new Http(app).post("/api/scoring/run", AGENT_KEY, new JsonObject()).statusCode()).isEqualTo(409);
      assertThat(kit.count("SELECT count(*) FROM score_history")).isZero();
      await(conn.preparedQuery("SELECT pg_advisory_unlock($1)").execute(Tuple.of(SCORING_JOB.id())));
    } finally {
      await(conn.close());
    }
    assertThat(run(app).scored()).isEqualTo(1);
  }

  @Test
  void viewer_mayReadScores_butNotRunOrFit(TestApp app) {
    Http http = new Http(app);
    assertThat(http.post("/api/scoring/run", VIEWER_KEY, new JsonObject()).statusCode()).isEqualTo(403);
    assertThat(http.post("/api/scoring/fit", VIEWER_KEY, new JsonObject()).statusCode()).isEqualTo(403);
    assertThat(http.post("/api/scoring/run", null, new JsonObject()).statusCode()).isEqualTo(401);
  }

  @Test
  void model_isChosenInConfigOrThroughTheApi(TestApp app) {
    Http http = new Http(app);
    JsonObject current = http.get("/api/scoring/model", AGENT_KEY).bodyAsJsonObject();
    assertThat(current.getString("version")).isEqualTo("v1");
    assertThat(current.getString("chosenBy")).isEqualTo("config");
    var put = await(app.client.put("/api/scoring/model").bearerTokenAuthentication(AGENT_KEY)
        .sendJsonObject(new JsonObject().put("version", "v9")));
    assertThat(put.statusCode()).isEqualTo(404);
    var bad = await(app.client.put("/api/scoring/model").bearerTokenAuthentication(AGENT_KEY)
        .sendJsonObject(new JsonObject()));
    assertThat(bad.statusCode()).isEqualTo(400);
    var ok = await(app.client.put("/api/scoring/model").bearerTokenAuthentication(AGENT_KEY)
        .sendJsonObject(new JsonObject().put("version", "v1")));
    assertThat(ok.statusCode()).isEqualTo(200);
    assertThat(http.get("/api/scoring/model", AGENT_KEY).bodyAsJsonObject().getString("chosenBy")).isEqualTo("api");
  }

  @Test
  void backtest_rejectsAHorizonThatHasNotEndedYet(TestApp app) {
    Http http = new Http(app);
    var r = http.get("/api/scoring/backtest?asOf=" + Instant.now().minusSeconds(86400) + "&horizonDays=30",
        AGENT_KEY);
    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(http.get("/api/scoring/backtest?horizonDays=0", AGENT_KEY).statusCode()).isEqualTo(400);
    assertThat(http.get("/api/scoring/backtest?asOf=yesterday", AGENT_KEY).statusCode()).isEqualTo(400);
  }
}
