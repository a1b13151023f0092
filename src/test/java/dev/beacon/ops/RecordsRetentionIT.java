package dev.beacon.ops;

import dev.beacon.config.BeaconConfig;
import dev.beacon.support.BeaconExtension;
import dev.beacon.support.TestApp;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Tuple;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.UUID;

import static dev.beacon.support.TestApp.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@Timeout(60)
@ExtendWith(BeaconExtension.class)
class RecordsRetentionIT {

  @Test
  void communicationsAndPayments_ofDebtorsInactiveForThreeYears_areDeleted_othersKept(TestApp app, @TempDir Path dir) {
    UUID gone = debtor(app, "tok-gone-0123456789abcdefgh", "4 years");
    UUID gonePayment = payment(app, gone, "4 years");
    UUID goneComm = communication(app, gone, "4 years");
    await(app.pool.preparedQuery("""
        INSERT INTO debtor_opt_outs (debtor_id, channel, source, communication_id, created_at)
        VALUES ($1, 'email', 'one_click', $2, now() - interval '4 years')""").execute(Tuple.of(gone, goneComm)));
    UUID goneEvent = await(app.pool.preparedQuery("""
        INSERT INTO delivery_events (provider, provider_event_id, communication_id, debtor_id, channel, kind, severity,
                                     recipient, occurred_at)
        VALUES ('sendgrid', 'sg-old', $2, $1, 'email', 'bounced', 'hard', 'old@example.com', now() - interval '4 years')
        RETURNING id""").execute(Tuple.of(gone, goneComm))).iterator().next().getUUID(0);
    await(app.pool.preparedQuery("""
        INSERT INTO email_undeliverable (debtor_id, email, reason, delivery_event_id)
        VALUES ($1, 'old@example.com', 'hard_bounce', $2)""").execute(Tuple.of(gone, goneEvent)));

    UUID recent = debtor(app, "tok-keep-0123456789abcdefgh", "4 years");
    communication(app, recent, "4 years");
    payment(app, recent, "1 year"); // a payment a year ago: the debtor was active then

    RetentionJob.Run run = await(new RetentionJob(app.vertx, app.pool, BeaconConfig.of(new JsonObject()
        .put("retention", new JsonObject().put("archiveDir", dir.toString()))).retention()).runOnce());

    assertThat(run.communicationsDeleted()).isEqualTo(1);
    assertThat(run.paymentsDeleted()).isEqualTo(1);
    assertThat(count(app, "SELECT count(*) FROM communications WHERE debtor_id = $1", gone)).isZero();
    assertThat(count(app, "SELECT count(*) FROM payments WHERE id = $1", gonePayment)).isZero();
    assertThat(count(app, "SELECT count(*) FROM communications WHERE debtor_id = $1", recent)).isEqualTo(1);
    assertThat(count(app, "SELECT count(*) FROM payments WHERE debtor_id = $1", recent)).isEqualTo(1);
    // The opt-out is a consent record: kept, without its link to the deleted message.
    assertThat(count(app, "SELECT count(*) FROM debtor_opt_outs WHERE debtor_id = $1 AND communication_id IS NULL", gone))
        .isEqualTo(1);
    assertThat(count(app, "SELECT count(*) FROM debtors WHERE id = $1", gone)).isEqualTo(1);
    // Provider events go with their communication; the address stays undeliverable.
    assertThat(count(app, "SELECT count(*) FROM delivery_events WHERE debtor_id = $1", gone)).isZero();
    assertThat(count(app, "SELECT count(*) FROM email_undeliverable WHERE debtor_id = $1 AND delivery_event_id IS NULL",
        gone)).isEqualTo(1);
  }

  @Test
  void moreInactiveDebtorsThanOneRunTakes_areAllPurgedByTheFollowingRuns(TestApp app, @TempDir Path dir) {
    await(app.pool.preparedQuery("""
        INSERT INTO debtors (first_name, last_name, unique_token, created_at)
        SELECT 'Old', 'Doe', 'tok-bulk-' || lpad(g::text, 20, '0'), now() - interval '6 years' - make_interval(days => g)
        FROM generate_series(1, $1) g""").execute(Tuple.of(RetentionJob.RECORDS_BATCH)));
    // The last one is the least old, so it is not among the first run's batch.
    debtor(app, "tok-last-0123456789abcdefgh", "4 years");
    await(app.pool.query("""
        INSERT INTO communications (debtor_id, type, direction, subject, "timestamp", created_at)
        SELECT id, 'email', 'outbound', 'Balance', created_at, created_at FROM debtors""").execute());
    RetentionJob job = new RetentionJob(app.vertx, app.pool, retention(dir, 3, 3));

    await(job.runOnce());
    await(job.runOnce());

    assertThat(await(app.pool.query("SELECT count(*) FROM communications").execute()).iterator().next().getLong(0))
        .isZero();
  }

  @Test
  void withLongerCommunicationRetention_communicationsOutliveTheDeletionOfTheLaterPayments(TestApp app,
      @TempDir Path dir) {
    UUID d = debtor(app, "tok-split-0123456789abcdefg", "10 years");
    UUID comm = communication(app, d, "9 years");
    payment(app, d, "4 years"); // the last activity: four years ago
    RetentionJob job = new RetentionJob(app.vertx, app.pool, retention(dir, 7, 3));

    await(job.runOnce());
    await(job.runOnce());

    // Seven years after the last activity (a payment four years ago) have not passed.
    assertThat(count(app, "SELECT count(*) FROM communications WHERE id = $1", comm)).isEqualTo(1);
  }

  private static BeaconConfig.Retention retention(Path dir, int communicationsYears, int paymentsYears) {
    return BeaconConfig.of(new JsonObject().put("retention", new JsonObject().put("archiveDir", dir.toString())
        .put("communicationsYears", communicationsYears).put("paymentsYears", paymentsYears))).retention();
  }

  @Test
  void outsideTheRetentionJob_communicationsStillRefuseDelete(TestApp app) {
    UUID d = debtor(app, "tok-audit-0123456789abcdefg", "4 years");
    communication(app, d, "4 years");
    assertThatThrownBy(() -> await(app.pool.preparedQuery("DELETE FROM communications WHERE debtor_id = $1")
        .execute(Tuple.of(d)))).hasMessageContaining("append-only");
    assertThat(count(app, "SELECT count(*) FROM communications WHERE debtor_id = $1", d)).isEqualTo(1);
    await(app.pool.preparedQuery("""
        INSERT INTO delivery_events (provider, provider_event_id, channel, kind, occurred_at)
        VALUES ('twilio', 'SMx:sent', 'sms', 'accepted', now())""").execute());
    assertThatThrownBy(() -> await(app.pool.query("DELETE FROM delivery_events").execute()))
        .hasMessageContaining("append-only");
  }

  private static UUID debtor(TestApp app, String token, String age) {
    return await(app.pool.preparedQuery("""
        INSERT INTO debtors (first_name, last_name, unique_token, created_at) VALUES ('Old', 'Doe', $1, now() - $2::text::interval)
        RETURNING id""").execute(Tuple.of(token, age))).iterator().next().getUUID(0);
  }

  private static UUID communication(TestApp app, UUID debtor, String age) {
    return await(app.pool.preparedQuery("""
        INSERT INTO communications (debtor_id, type, direction, subject, "timestamp", created_at)
        VALUES ($1, 'email', 'outbound', 'Balance', now() - $2::text::interval, now() - $2::text::interval) RETURNING id""")
        .execute(Tuple.of(debtor, age))).iterator().next().getUUID(0);
  }

  private static UUID payment(TestApp app, UUID debtor, String age) {
    return await(app.pool.preparedQuery("""
        INSERT INTO payments (debtor_id, amount, status, payment_type, created_at, updated_at)
        VALUES ($1, 50.00, 'failed', 'partial', now() - $2::text::interval, now() - $2::text::interval) RETURNING id""")
        .execute(Tuple.of(debtor, age))).iterator().next().getUUID(0);
  }

  private static long count(TestApp app, String sql, UUID id) {
    return await(app.pool.preparedQuery(sql).execute(Tuple.of(id))).iterator().next().getLong(0);
  }
}
