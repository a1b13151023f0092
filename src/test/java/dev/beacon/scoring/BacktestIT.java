package dev.beacon.scoring;

import dev.beacon.support.BeaconExtension;
import dev.beacon.support.Http;
import dev.beacon.support.TestApp;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Tuple;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;

import static dev.beacon.support.TestApp.AGENT_KEY;
import static dev.beacon.support.TestApp.await;
import static org.assertj.core.api.Assertions.assertThat;

/** Backtests and fits on synthetic histories written with set-based SQL. */
@ExtendWith(BeaconExtension.class)
@Timeout(120)
class BacktestIT {

  /** A SQL condition true for about {@code percent} % of debtors, fixed per debtor and salt. */
  static String flag(String salt, int percent) {
    return "(hashtext(id::text || '" + salt + "') & 1023) < " + (percent * 1024 / 100);
  }

  static OffsetDateTime daysAgo(int days) {
    return OffsetDateTime.now(ZoneOffset.UTC).minusDays(days).truncatedTo(ChronoUnit.SECONDS);
  }

  /**
   * {@code n} debtors with fixed ids: {@link #flag} hashes the id, so every run draws the same groups and the
   * AUC thresholds below are checked on the same data each time (random ids made them flaky).
   */
  static void debtors(TestApp app, int n) {
    await(app.pool.preparedQuery("""
        INSERT INTO debtors (id, first_name, last_name, unique_token, total_owed, created_at, updated_at)
        SELECT md5('backtest ' || g)::uuid, 'Back', 'Test', 'tok_' || md5(g::text || random()::text), 1000,
               now() - interval '300 days', now() - interval '300 days'
        FROM generate_series(1, $1) g""").execute(Tuple.of(n)));
  }

  /** Writes {@code n} debtors ({@link #debtors}) and answers the condition for the 30 % of them who pay. */
  static String debtorsOfWhomPay(TestApp app, int n) {
    debtors(app, n);
    return flag("payer", 30);
  }

  /** Human events of a kind for the debtors matching {@code where}, {@code count} of them in the days before asOf. */
  static void events(TestApp app, String kind, String where, int count, OffsetDateTime asOf, int sign) {
    await(app.pool.preparedQuery("""
        INSERT INTO email_events (debtor_id, kind, label, reason, occurred_at)
        SELECT id, $1, 'human', 'test', $2::timestamptz + make_interval(days => $3 * g)
        FROM debtors, generate_series(1, $4) g WHERE """ + "(" + where + ")")
        .execute(Tuple.of(kind, asOf, sign * 2, count)));
  }

  static void paymentPageVisits(TestApp app, String where, OffsetDateTime asOf) {
    await(app.pool.preparedQuery("""
        INSERT INTO page_views (debtor_id, page_type, time_on_page, "timestamp")
        SELECT id, 'payment', 120, $1::timestamptz - interval '3 days' FROM debtors WHERE """ + "(" + where + ")")
        .execute(Tuple.of(asOf)));
  }

  static void outbound(TestApp app, String where, int count, OffsetDateTime asOf) {
    await(app.pool.preparedQuery("""
        INSERT INTO communications (debtor_id, type, direction, "timestamp", created_at)
        SELECT id, 'email', 'outbound', $1::timestamptz - make_interval(days => 2 * g),
               $1::timestamptz - make_interval(days => 2 * g)
        FROM debtors, generate_series(1, $2) g WHERE """ + "(" + where + ")")
        .execute(Tuple.of(asOf, count)));
  }

  /** Completed payments {@code days} after asOf for the debtors matching {@code where}. */
  static void payments(TestApp app, String where, OffsetDateTime asOf, int days) {
    await(app.pool.preparedQuery("""
        INSERT INTO payments (debtor_id, amount, payment_type, status, created_at, completed_at, updated_at)
        SELECT id, 50, 'partial', 'completed', $1::timestamptz + make_interval(days => $2),
               $1::timestamptz + make_interval(days => $2), $1::timestamptz + make_interval(days => $2)
        FROM debtors WHERE """ + "(" + where + ")")
        .execute(Tuple.of(asOf, days)));
  }

  static JsonObject backtest(TestApp app, OffsetDateTime asOf, String version) {
    var r = new Http(app).get("/api/scoring/backtest?asOf=" + asOf.toInstant() + "&horizonDays=30"
        + (version == null ? "" : "&version=" + version), AGENT_KEY);
    assertThat(r.statusCode()).as(r.bodyAsString()).isEqualTo(200);
    return r.bodyAsJsonObject();
  }

  @Test
  @DisplayName("a history in which payers engaged more gives a backtest AUC above 0.75, with lift in the top deciles")
  void payersEngageMore_aucAboveThreeQuarters(TestApp app) {
    OffsetDateTime asOf = daysAgo(60);
    String payer = debtorsOfWhomPay(app, 600);
    events(app, "open", payer, 3, asOf, -1);
    events(app, "click", payer + " AND " + flag("click", 70), 1, asOf, -1);
    paymentPageVisits(app, payer + " AND " + flag("visit", 60), asOf);
    events(app, "open", "NOT " + payer + " AND " + flag("noise", 20), 1, asOf, -1);
    payments(app, payer, asOf, 10);
    payments(app, payer, asOf, 40); // after the horizon: not a label

    JsonObject b = backtest(app, asOf, null);
    assertThat(b.getDouble("auc")).isGreaterThan(0.75);
    assertThat(b.getLong("debtors")).isEqualTo(600);
    assertThat(b.getLong("payers")).isBetween(120L, 240L);
    assertThat(b.getString("modelVersion")).isEqualTo("v1");
    var lift = b.getJsonArray("lift");
    assertThat(lift).hasSize(10);
    assertThat(lift.getJsonObject(0).getInteger("decile")).isEqualTo(1);
    assertThat(lift.getJsonObject(0).getDouble("payRate")).isGreaterThan(lift.getJsonObject(9).getDouble("payRate"));
  }

  @Test
  @DisplayName("a history without signal gives about 0.5, even when payers engage heavily after asOf (no leakage)")
  void noSignal_aucAboutOneHalf_andNoLeakage(TestApp app) {
    OffsetDateTime asOf = daysAgo(60);
    String payer = debtorsOfWhomPay(app, 1500);
    events(app, "open", flag("engaged", 50), 2, asOf, -1);
    events(app, "click", payer, 5, asOf, 1); // after asOf: must not count
    paymentPageVisits(app, payer, asOf.plusDays(5));
    payments(app, payer, asOf, 10);

    JsonObject b = backtest(app, asOf, null);
    assertThat(b.getDouble("auc")).isBetween(0.42, 0.58);
    assertThat(b.getLong("debtors")).isEqualTo(1500);
  }

  @Test
  @DisplayName("a model fitted on one period backtests better than v1 on the next")
  void fitOnOnePeriod_improvesTheBacktestOnTheNext(TestApp app) {
    OffsetDateTime first = daysAgo(140);
    OffsetDateTime second = daysAgo(60);
    debtors(app, 800);
    // In this portfolio, debtors chased hardest (many unanswered contacts) are the ones who pay: v1 assumes the
    // opposite.
    for (var period : new Object[][] {{first, "1"}, {second, "2"}}) {
      OffsetDateTime asOf = (OffsetDateTime) period[0];
      String k = (String) period[1];
      String chased = flag("chased" + k, 40);
      outbound(app, chased, 6, asOf);
      payments(app, "(" + chased + " AND " + flag("pays" + k, 65) + ") OR (NOT " + chased + " AND "
          + flag("pays" + k, 8) + ")", asOf, 10);
    }
    double before = backtest(app, second, "v1").getDouble("auc");

    var fit = new Http(app).post("/api/scoring/fit?asOf=" + first.toInstant() + "&horizonDays=30", AGENT_KEY,
        new JsonObject());
    assertThat(fit.statusCode()).as(fit.bodyAsString()).isEqualTo(201);
    JsonObject fitted = fit.bodyAsJsonObject();
    assertThat(fitted.getString("version")).isEqualTo("v2");
    assertThat(fitted.getLong("trainingDebtors")).isEqualTo(800);
    assertThat(fitted.getJsonObject("backtest").getDouble("auc")).isGreaterThan(0.7);
    JsonObject unanswered = fitted.getJsonObject("model").getJsonArray("features").stream()
        .map(o -> (JsonObject) o).filter(f -> f.getString("name").equals("unanswered_contacts")).findFirst()
        .orElseThrow();
    assertThat(unanswered.getDouble("coefficient")).isPositive();

    double after = backtest(app, second, "v2").getDouble("auc");
    assertThat(after).isGreaterThan(0.7).isGreaterThan(before + 0.15);

    // The fitted version can be made the active one; the next run scores with it.
    var put = await(app.client.put("/api/scoring/model").bearerTokenAuthentication(AGENT_KEY)
        .sendJsonObject(new JsonObject().put("version", "v2")));
    assertThat(put.statusCode()).isEqualTo(200);
    var run = new Http(app).post("/api/scoring/run", AGENT_KEY, new JsonObject()).bodyAsJsonObject();
    assertThat(run.getString("modelVersion")).isEqualTo("v2");
    assertThat(new ScoringKit(app).count("SELECT count(*) FROM score_history WHERE model_version = 'v2'"))
        .isEqualTo(800);
  }

  @Test
  void fit_withoutPayersInTheHorizon_is400(TestApp app) {
    debtors(app, 20);
    var r = new Http(app).post("/api/scoring/fit?asOf=" + daysAgo(60).toInstant(), AGENT_KEY, new JsonObject());
    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(r.bodyAsString()).contains("asOf");
  }
}
