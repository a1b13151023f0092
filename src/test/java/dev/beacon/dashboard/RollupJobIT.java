package dev.beacon.dashboard;

import dev.beacon.db.AdvisoryLock;
import dev.beacon.support.BeaconExtension;
import dev.beacon.support.TestApp;
import io.vertx.core.Future;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;

import static dev.beacon.support.TestApp.await;
import static org.assertj.core.api.Assertions.assertThat;

@ExtendWith(BeaconExtension.class)
@Timeout(90)
class RollupJobIT {
  static final OffsetDateTime T0 = OffsetDateTime.parse("2026-11-10T00:00:00Z");
  private DashKit kit;

  @BeforeEach
  void kit(TestApp app) {
    kit = new DashKit(app);
  }

  /** The rollups as text, for comparing runs. */
  static List<String> rollups(TestApp app) {
    List<String> out = new ArrayList<>();
    for (String sql : List.of(
        "SELECT hour, kind, label, events, amount FROM rollup_hourly WHERE events <> 0 ORDER BY 1, 2, 3",
        "SELECT hour, stage, debtors FROM funnel_hourly WHERE debtors <> 0 ORDER BY 1, 2",
        "SELECT day, kind, label, events, amount FROM rollup_daily WHERE events <> 0 ORDER BY 1, 2, 3",
        "SELECT day, stage, debtors FROM funnel_daily WHERE debtors <> 0 ORDER BY 1, 2",
        "SELECT * FROM debtor_funnel ORDER BY debtor_id")) {
      await(app.pool.query(sql).execute()).forEach(r -> out.add(r.deepToString()));
    }
    return out;
  }

  /** The same numbers computed from the raw rows (what the rollups must equal). */
  static List<String> truth(TestApp app) {
    List<String> out = new ArrayList<>();
    await(app.pool.query("""
        SELECT date_trunc('hour', occurred_at, 'UTC') AS hour, kind, label, count(*) AS events FROM email_events
        GROUP BY 1, 2, 3 ORDER BY 1, 2, 3""").execute()).forEach(r -> out.add(r.deepToString()));
    return out;
  }

  static List<String> rolledEmail(TestApp app) {
    List<String> out = new ArrayList<>();
    await(app.pool.query("""
        SELECT hour, kind, label, events FROM rollup_hourly WHERE kind IN ('open', 'click') AND events <> 0
        ORDER BY 1, 2, 3""").execute()).forEach(r -> out.add(r.deepToString()));
    return out;
  }

  /** Days whose daily rollup row differs from the sum of that day's hourly rows (must be none). */
  static long dailyMismatches(DashKit kit) {
    return kit.scalar("""
        SELECT count(*) FROM (
          SELECT date_trunc('day', hour, 'UTC') AS day, kind, label, sum(events) AS events, sum(amount) AS amount
          FROM rollup_hourly GROUP BY 1, 2, 3 HAVING sum(events) <> 0) h
        FULL JOIN (SELECT * FROM rollup_daily WHERE events <> 0) d USING (day, kind, label)
        WHERE h.events IS DISTINCT FROM d.events OR h.amount IS DISTINCT FROM d.amount""")
        + kit.scalar("""
        SELECT count(*) FROM (
          SELECT date_trunc('day', hour, 'UTC') AS day, stage, sum(debtors) AS debtors FROM funnel_hourly
          GROUP BY 1, 2 HAVING sum(debtors) <> 0) h
        FULL JOIN (SELECT * FROM funnel_daily WHERE debtors <> 0) d USING (day, stage)
        WHERE h.debtors IS DISTINCT FROM d.debtors""");
  }

  /** The delivery stages and the delivery_events rows each counts (matched events only). */
  static final Map<String, String> DELIVERY_STAGES = Map.of(
      "delivered", "kind = 'delivered'",
      "bounced", "((kind = 'bounced' AND severity = 'hard') OR kind = 'failed')",
      "complained", "kind = 'complained'");

  /**
   * Where a delivery stage differs from a recount of the raw events (must be none): each debtor's latest time at
   * the stage, and the debtors per hour and per day.
   */
  static long deliveryStageMismatches(DashKit kit) {
    long n = 0;
    for (var stage : DELIVERY_STAGES.entrySet()) {
      String latest = """
          (SELECT debtor_id, max(occurred_at) AS at FROM delivery_events
           WHERE debtor_id IS NOT NULL AND %s GROUP BY 1)""".formatted(stage.getValue());
      n += kit.scalar("""
          SELECT count(*) FROM (SELECT debtor_id, %1$s_at AS at FROM debtor_funnel WHERE %1$s_at IS NOT NULL) f
          FULL JOIN %2$s e USING (debtor_id) WHERE f.at IS DISTINCT FROM e.at""".formatted(stage.getKey(), latest));
      for (String grain : List.of("hour", "day")) {
        n += kit.scalar("""
            SELECT count(*) FROM (SELECT date_trunc('%1$s', at, 'UTC') AS t, count(*) AS n FROM %2$s e GROUP BY 1) e
            FULL JOIN (SELECT %1$s AS t, debtors FROM funnel_%3$s WHERE stage = '%4$s' AND debtors <> 0) f USING (t)
            WHERE e.n IS DISTINCT FROM f.debtors""".formatted(grain, latest, grain.equals("hour") ? "hourly" : "daily",
            stage.getKey()));
      }
    }
    return n;
  }

  @Test
  @DisplayName("re-running the job, and recomputing every hour again, changes nothing")
  void reruns(TestApp app) {
    DashboardApiIT.seed(kit);
    var first = kit.rollup();
    assertThat(first.hours()).isPositive();
    List<String> once = rollups(app);
    var idle = kit.rollup();
    assertThat(idle.hours()).isZero();
    assertThat(idle.version()).isEqualTo(first.version());
    await(app.pool.query("""
        INSERT INTO rollup_dirty (hour, source)
        SELECT DISTINCT date_trunc('hour', occurred_at, 'UTC'), 'email' FROM email_events
        UNION ALL SELECT DISTINCT date_trunc('hour', "timestamp", 'UTC'), 'page' FROM page_views
        UNION ALL SELECT DISTINCT date_trunc('hour', "timestamp", 'UTC'), 'contact' FROM communications
        UNION ALL SELECT DISTINCT date_trunc('hour', completed_at, 'UTC'), 'payment' FROM payments
        UNION ALL SELECT DISTINCT date_trunc('hour', occurred_at, 'UTC'), 'delivery' FROM delivery_events""").execute());
    kit.rollup();
    kit.rollup();
    assertThat(rollups(app)).isEqualTo(once);
    assertThat(kit.scalar("SELECT count(*) FROM debtor_funnel WHERE delivered_at IS NOT NULL")).isEqualTo(2);
    assertThat(deliveryStageMismatches(kit)).isZero();
    assertThat(rolledEmail(app)).isEqualTo(truth(app));
    assertThat(kit.scalar("SELECT count(*) FROM rollup_daily")).isPositive();
    assertThat(dailyMismatches(kit)).isZero();
  }

  @Test
  @DisplayName("events inserted concurrently with rollup runs all end up counted exactly once")
  void concurrentInserts(TestApp app) {
    List<UUID> debtors = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      debtors.add(kit.debtor("active", i * 5, "100.00", "0.00"));
    }
    // Writers mark the hours they touch in the same statement (V16), as the tracking enricher does.
    String insert = """
        WITH ins AS (
          INSERT INTO email_events (debtor_id, kind, label, reason, occurred_at)
          SELECT d, k, l, 'test', t FROM unnest($1::uuid[], $2::text[], $3::text[], $4::timestamptz[]) AS i(d, k, l, t)
          RETURNING occurred_at
        )
        INSERT INTO rollup_dirty (hour, source) SELECT DISTINCT date_trunc('hour', occurred_at, 'UTC'), 'email' FROM ins""";
    AtomicBoolean writing = new AtomicBoolean(true);
    RollupJob job = new RollupJob(app.vertx, app.pool);
    List<Future<?>> writers = new ArrayList<>();
    for (int w = 0; w < 6; w++) {
      Random rnd = new Random(w);
      Future<?> chain = Future.succeededFuture();
      for (int b = 0; b < 15; b++) {
        int n = 40;
        UUID[] d = new UUID[n];
        String[] k = new String[n];
        String[] l = new String[n];
        OffsetDateTime[] t = new OffsetDateTime[n];
        for (int i = 0; i < n; i++) {
          d[i] = debtors.get(rnd.nextInt(debtors.size()));
          k[i] = rnd.nextBoolean() ? "open" : "click";
          l[i] = rnd.nextInt(3) == 0 ? "machine" : "human";
          t[i] = T0.plusMinutes(rnd.nextInt(6 * 60));
        }
        chain = chain.compose(v -> app.pool.preparedQuery(insert).execute(Tuple.of(d, k, l, t)));
      }
      writers.add(chain);
    }
    Future<?> all = Future.all(writers).onComplete(x -> writing.set(false));
    int runs = 0;
    while (writing.get()) {
      await(job.runOnce(runs % 2 == 0));
      runs++;
    }
    await(all);
    kit.rollup();
    assertThat(runs).isPositive();
    assertThat(kit.scalar("SELECT count(*) FROM email_events")).isEqualTo(6 * 15 * 40);
    assertThat(rolledEmail(app)).isEqualTo(truth(app));
    assertThat(kit.scalar("SELECT count(*) FROM rollup_dirty")).isZero();
    // the funnel: every debtor with a human event counts once, at the hour of their latest one
    assertThat(kit.scalar("SELECT coalesce(sum(debtors), 0) FROM funnel_hourly WHERE stage = 'opened'"))
        .isEqualTo(kit.scalar("SELECT count(DISTINCT debtor_id) FROM email_events WHERE label = 'human'"));
    List<Row> mismatched = new ArrayList<>();
    await(app.pool.query("""
        SELECT f.debtor_id FROM debtor_funnel f
        JOIN (SELECT debtor_id, max(occurred_at) AS at FROM email_events WHERE label = 'human' GROUP BY 1) e
          ON e.debtor_id = f.debtor_id
        WHERE f.opened_at IS DISTINCT FROM e.at""").execute()).forEach(mismatched::add);
    assertThat(mismatched).isEmpty();
    assertThat(kit.scalar("""
        SELECT count(*) FROM (
          SELECT date_trunc('hour', opened_at, 'UTC') AS hour, count(*) AS n FROM debtor_funnel
          WHERE opened_at IS NOT NULL GROUP BY 1) t
        FULL JOIN (SELECT hour, debtors FROM funnel_hourly WHERE stage = 'opened' AND debtors <> 0) f USING (hour)
        WHERE t.n IS DISTINCT FROM f.debtors""")).isZero();
    assertThat(dailyMismatches(kit)).isZero();
  }

  /** The debtors the daily funnel counts as opened on {@code day} (midnight UTC). */
  static long openedOn(DashKit kit, String day) {
    return kit.scalar("SELECT debtors FROM funnel_daily WHERE stage = 'opened' AND day = '" + day + "'");
  }

  @Test
  @DisplayName("the daily rollups follow the hourly ones when a debtor's latest event moves to another day")
  void dailyFollowsHourly(TestApp app) {
    UUID d = kit.debtor("active", 50, "100.00", "0.00");
    UUID c = kit.contact(d, "email", T0.plusHours(20));
    kit.email(d, c, "open", "human", T0.plusHours(23).plusMinutes(30));
    kit.rollup();
    assertThat(openedOn(kit, "2026-11-10T00:00:00Z")).isEqualTo(1);
    kit.email(d, c, "open", "human", T0.plusDays(1).plusHours(2));
    kit.contact(d, "sms", T0.plusDays(2).plusHours(5));
    kit.rollup();
    assertThat(openedOn(kit, "2026-11-10T00:00:00Z")).isZero();
    assertThat(openedOn(kit, "2026-11-11T00:00:00Z")).isEqualTo(1);
    assertThat(kit.scalar("""
        SELECT events FROM rollup_daily WHERE kind = 'open' AND label = 'human' AND day = '2026-11-10T00:00:00Z'""")).isEqualTo(1);
    assertThat(dailyMismatches(kit)).isZero();
  }

  @Test
  @DisplayName("delivery stages: an unmatched event joins the funnel when it is matched; later events move the debtor")
  void deliveryStages_matchedLater_andMoving(TestApp app) {
    UUID d = kit.debtor("active", 50, "100.00", "0.00");
    UUID e = kit.debtor("active", 40, "100.00", "0.00");
    UUID c = kit.contact(d, "email", T0.plusHours(1));
    UUID s = kit.contact(e, "sms", T0.plusHours(1));
    UUID unmatched = kit.delivery(d, null, "email", "bounced", "hard", T0.plusHours(2));
    kit.delivery(e, s, "sms", "failed", "hard", T0.plusHours(2));
    kit.delivery(d, c, "email", "delivered", null, T0.plusHours(3));
    kit.rollup();
    assertThat(kit.scalar("SELECT coalesce(sum(debtors), 0) FROM funnel_hourly WHERE stage = 'bounced'"))
        .as("the SMS failure only; the unmatched bounce has no debtor yet").isEqualTo(1);
    assertThat(deliveryStageMismatches(kit)).isZero();

    // matched as the ledger matches it: the UPDATE marks the event's hour again
    await(app.pool.preparedQuery("""
        UPDATE delivery_events SET communication_id = $2, debtor_id = $3, matched_at = now() WHERE id = $1""")
        .execute(Tuple.of(unmatched, c, d)));
    kit.delivery(e, s, "sms", "delivered", null, T0.plusDays(1).plusHours(4));
    kit.delivery(d, c, "email", "complained", null, T0.plusDays(1).plusHours(5));
    kit.rollup();
    assertThat(kit.scalar("SELECT coalesce(sum(debtors), 0) FROM funnel_hourly WHERE stage = 'bounced'")).isEqualTo(2);
    assertThat(kit.scalar("""
        SELECT debtors FROM funnel_daily WHERE stage = 'delivered' AND day = '2026-11-11T00:00:00Z'""")).isEqualTo(1);
    assertThat(kit.scalar("""
        SELECT debtors FROM funnel_daily WHERE stage = 'delivered' AND day = '2026-11-10T00:00:00Z'""")).isEqualTo(1);
    assertThat(kit.scalar("SELECT coalesce(sum(debtors), 0) FROM funnel_hourly WHERE stage = 'complained'")).isEqualTo(1);
    assertThat(deliveryStageMismatches(kit)).isZero();
    assertThat(dailyMismatches(kit)).isZero();
  }

  @Test
  @DisplayName("a second process skips while one holds the rollup lock")
  void advisoryLock(TestApp app) {
    kit.debtor("active", 1, "1.00", "0.00");
    var held = await(app.pool.getConnection());
    try {
      await(held.query("BEGIN").execute());
      assertThat(await(AdvisoryLock.tryInTransaction(held, AdvisoryLock.Key.ROLLUP_JOB))).isTrue();
      var skipped = await(new RollupJob(app.vertx, app.pool).runOnce(true));
      assertThat(skipped.ran()).isFalse();
      await(held.query("ROLLBACK").execute());
    } finally {
      await(held.close());
    }
    assertThat(kit.rollup().ran()).isTrue();
  }

  @Test
  @DisplayName("a refund recomputes its payment hour: the collected amount drops")
  void refund(TestApp app) {
    UUID d = kit.debtor("active", 1, "500.00", "0.00");
    UUID p = kit.payment(d, "200.00", "completed", T0.plusHours(3));
    kit.payment(d, "50.00", "completed", T0.plusHours(3).plusMinutes(30));
    kit.rollup();
    assertThat(kit.scalar("SELECT (sum(amount) * 100)::bigint FROM rollup_hourly WHERE kind = 'payment'"))
        .isEqualTo(25000);
    await(app.pool.preparedQuery("UPDATE payments SET status = 'refunded', amount_refunded = amount WHERE id = $1")
        .execute(Tuple.of(p)));
    kit.rollup();
    assertThat(kit.scalar("SELECT (sum(amount) * 100)::bigint FROM rollup_hourly WHERE kind = 'payment'"))
        .isEqualTo(5000);
    assertThat(kit.scalar("SELECT sum(events) FROM rollup_hourly WHERE kind = 'payment'")).isEqualTo(1);
    assertThat(kit.scalar("SELECT (sum(amount) * 100)::bigint FROM rollup_daily WHERE kind = 'payment'"))
        .isEqualTo(5000);
    assertThat(dailyMismatches(kit)).isZero();
  }
}
