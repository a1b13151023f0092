package dev.beacon.dashboard;

import dev.beacon.core.Tokens;
import dev.beacon.support.TestApp;
import io.vertx.sqlclient.Tuple;

import java.math.BigDecimal;
import java.time.OffsetDateTime;
import java.util.UUID;

import static dev.beacon.support.TestApp.await;

/** Inserts dashboard test data straight into the tables and runs the rollup job. */
final class DashKit {
  private final TestApp app;
  private int n;

  DashKit(TestApp app) {
    this.app = app;
  }

  UUID debtor(String status, int score, String owed, String paid) {
    n++;
    return await(app.pool.preparedQuery("""
            INSERT INTO debtors (first_name, last_name, email, unique_token, status, payment_propensity_score,
                                 total_owed, amount_paid)
            VALUES ($1, 'Test', $2, $3, $4, $5, $6, $7) RETURNING id""")
        .execute(Tuple.of("D" + n, "d" + n + "." + UUID.randomUUID() + "@example.com", Tokens.newToken(), status, score,
            new BigDecimal(owed), new BigDecimal(paid))))
        .iterator().next().getUUID("id");
  }

  UUID contact(UUID debtor, String type, OffsetDateTime at) {
    return await(app.pool.preparedQuery("""
            INSERT INTO communications (debtor_id, type, direction, "timestamp") VALUES ($1, $2, 'outbound', $3)
            RETURNING id""").execute(Tuple.of(debtor, type, at))).iterator().next().getUUID("id");
  }

  void inbound(UUID debtor, OffsetDateTime at) {
    await(app.pool.preparedQuery("""
        INSERT INTO communications (debtor_id, type, direction, "timestamp") VALUES ($1, 'email', 'inbound', $2)""")
        .execute(Tuple.of(debtor, at)));
  }

  /* Writers of the event tables mark the hours they touch (V16), as the tracking enricher does. */
  void email(UUID debtor, UUID communication, String kind, String label, OffsetDateTime at) {
    await(app.pool.preparedQuery("""
        WITH ins AS (
          INSERT INTO email_events (debtor_id, communication_id, kind, label, reason, occurred_at, url)
          VALUES ($1, $2, $3, $4, 'test', $5, $6) RETURNING occurred_at
        )
        INSERT INTO rollup_dirty (hour, source) SELECT date_trunc('hour', occurred_at, 'UTC'), 'email' FROM ins""")
        .execute(Tuple.of(debtor, communication, kind, label, at, kind.equals("click") ? "https://example.com/x" : null)));
  }

  void page(UUID debtor, String type, OffsetDateTime at) {
    await(app.pool.preparedQuery("""
        WITH ins AS (
          INSERT INTO page_views (debtor_id, page_type, "timestamp") VALUES ($1, $2, $3) RETURNING "timestamp"
        )
        INSERT INTO rollup_dirty (hour, source) SELECT date_trunc('hour', "timestamp", 'UTC'), 'page' FROM ins""")
        .execute(Tuple.of(debtor, type, at)));
  }

  UUID payment(UUID debtor, String amount, String status, OffsetDateTime completedAt) {
    return await(app.pool.preparedQuery("""
            INSERT INTO payments (debtor_id, amount, status, created_at, completed_at) VALUES ($1, $2, $3, $4, $4)
            RETURNING id""").execute(Tuple.of(debtor, new BigDecimal(amount), status, completedAt)))
        .iterator().next().getUUID("id");
  }

  /**
   * A provider's delivery event for a communication (the table's trigger marks its hour); {@code communication}
   * null keeps it unmatched, under provider message id {@code "msg-" + id}.
   */
  UUID delivery(UUID debtor, UUID communication, String channel, String kind, String severity, OffsetDateTime at) {
    return await(app.pool.preparedQuery("""
            INSERT INTO delivery_events (provider, provider_event_id, provider_message_id, communication_id, debtor_id,
                                         channel, kind, severity, occurred_at)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id""")
        .execute(Tuple.tuple().addValue(channel.equals("sms") ? "twilio" : "sendgrid")
            .addValue("ev-" + UUID.randomUUID()).addValue("msg-" + communication).addValue(communication)
            .addValue(communication == null ? null : debtor).addValue(channel).addValue(kind).addValue(severity)
            .addValue(at)))
        .iterator().next().getUUID("id");
  }

  /** Runs the rollup job and waits until the HTTP verticle answers with the version it produced. */
  RollupJob.Result rollup() {
    RollupJob.Result r = await(new RollupJob(app.vertx, app.pool).runOnce(true));
    DashboardApiIT.awaitVersion(app, r.version());
    return r;
  }

  long scalar(String sql) {
    return await(app.pool.query(sql).execute()).iterator().next().getLong(0);
  }
}
