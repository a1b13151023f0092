package dev.beacon.db;

import dev.beacon.support.BeaconExtension;
import dev.beacon.support.TestApp;
import io.vertx.pgclient.PgException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import static dev.beacon.support.TestApp.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@ExtendWith(BeaconExtension.class)
@Timeout(60)
class SchemaIT {
  private static final String DEBTOR = """
      INSERT INTO debtors (first_name, last_name, unique_token, email)
      VALUES ('A', 'B', 'tok_aaaaaaaaaaaaaaaaaaaaaaaaaaaaa', 'a@example.com') RETURNING id""";

  @Test
  void theSeedsTablesAndIndexes_existWithTheSeedsNames(TestApp app) {
    var tables = await(app.pool.query("SELECT tablename FROM pg_tables WHERE schemaname = current_schema()").execute());
    List<String> names = new ArrayList<>();
    tables.forEach(r -> names.add(r.getString(0)));
    assertThat(names).contains("debtors", "communications", "payments", "page_views");
    var indexes = await(app.pool.query("SELECT indexname FROM pg_indexes WHERE schemaname = current_schema()").execute());
    List<String> idx = new ArrayList<>();
    indexes.forEach(r -> idx.add(r.getString(0)));
    assertThat(idx).contains("idx_debtors_token", "idx_debtors_email", "idx_debtors_phone", "idx_debtors_status",
        "idx_communications_debtor", "idx_communications_timestamp", "idx_communications_type",
        "idx_payments_debtor", "idx_payments_status", "idx_payments_stripe",
        "idx_page_views_debtor", "idx_page_views_timestamp");
  }

  @Test
  void timestampsAreTimestamptz(TestApp app) {
    var rows = await(app.pool.query("""
        SELECT count(*) FROM information_schema.columns
        WHERE table_schema = current_schema() AND data_type = 'timestamp without time zone'
          AND table_name <> 'flyway_schema_history'""").execute());
    assertThat(rows.iterator().next().getLong(0)).isZero();
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "UPDATE debtors SET payment_propensity_score = 101",
      "UPDATE debtors SET payment_propensity_score = -1",
      "UPDATE debtors SET total_owed = -0.01",
      "UPDATE debtors SET amount_paid = -5",
      "UPDATE debtors SET status = 'unknown'",
      "UPDATE debtors SET state = 'tx'",
      "UPDATE debtors SET email = 'UPPER@example.com'",
      "INSERT INTO communications (debtor_id, type, direction) SELECT id, 'fax', 'outbound' FROM debtors",
      "INSERT INTO communications (debtor_id, type, direction) SELECT id, 'email', 'sideways' FROM debtors",
      "INSERT INTO communications (debtor_id, type, direction, call_outcome) SELECT id, 'phone', 'outbound', 'maybe' FROM debtors",
      "INSERT INTO communications (debtor_id, type, direction, call_duration) SELECT id, 'email', 'outbound', 5 FROM debtors",
      "INSERT INTO page_views (debtor_id, page_type) SELECT id, 'checkout' FROM debtors",
      "INSERT INTO payments (debtor_id, amount, payment_type) SELECT id, 10, 'barter' FROM debtors",
      "INSERT INTO payments (debtor_id, amount) SELECT id, -1 FROM debtors"})
  void constraintsRefuseBadData(String sql, TestApp app) {
    await(app.pool.query(DEBTOR).execute());
    assertThatThrownBy(() -> await(app.pool.query(sql).execute()))
        .rootCause().isInstanceOf(PgException.class)
        .satisfies(e -> assertThat(((PgException) e).getSqlState()).isEqualTo(PgErrors.CHECK_VIOLATION));
  }

  @Test
  void debtors_areNeverDeleted_andEventIdsAreTimeOrdered(TestApp app) {
    await(app.pool.query(DEBTOR).execute());
    assertThatThrownBy(() -> await(app.pool.query("DELETE FROM debtors").execute()))
        .rootCause().isInstanceOf(PgException.class)
        .satisfies(e -> assertThat(((PgException) e).getSqlState()).isEqualTo("23001"));
    await(app.pool.query("""
        INSERT INTO email_events (debtor_id, kind, occurred_at, label, reason)
        SELECT id, 'open', now(), 'human', 'browser' FROM debtors""").execute());
    await(app.pool.query("INSERT INTO page_views (debtor_id, page_type) SELECT id, 'landing' FROM debtors").execute());
    var ids = await(app.pool.query("""
        SELECT (SELECT id FROM email_events) AS e, (SELECT id FROM page_views) AS p,
               floor(extract(epoch FROM clock_timestamp()) * 1000)::bigint AS ms""").execute()).iterator().next();
    for (String column : List.of("e", "p")) {
      UUID id = ids.getUUID(column);
      assertThat(id.version()).isEqualTo(7);
      assertThat(ids.getLong("ms") - (id.getMostSignificantBits() >>> 16)).isBetween(0L, 60_000L);
    }
  }

  @Test
  void pageViews_landInTheirMonthlyPartition(TestApp app) {
    await(app.pool.query(DEBTOR).execute());
    await(app.pool.query("INSERT INTO page_views (debtor_id, page_type) SELECT id, 'landing' FROM debtors").execute());
    var where = await(app.pool.query("SELECT tableoid::regclass::text FROM page_views").execute()).iterator().next().getString(0);
    assertThat(where).matches("page_views_\\d{6}");
  }

  @Test
  void ensurePartition_movesRowsOutOfTheDefaultPartition(TestApp app) {
    await(app.pool.query(DEBTOR).execute());
    await(app.pool.query("""
        INSERT INTO page_views (debtor_id, page_type, "timestamp")
        SELECT id, 'landing', timestamptz '2031-05-17 12:00:00Z' FROM debtors""").execute());
    assertThat(await(app.pool.query("SELECT tableoid::regclass::text FROM page_views").execute()).iterator().next().getString(0))
        .isEqualTo("page_views_default");
    try {
      await(app.pool.query("SELECT beacon_ensure_month_partition('page_views', 'timestamp', date '2031-05-01')").execute());
      assertThat(await(app.pool.query("SELECT tableoid::regclass::text, count(*) OVER () FROM page_views").execute())
          .iterator().next().getString(0)).isEqualTo("page_views_203105");
    } finally {
      await(app.pool.query("DROP TABLE IF EXISTS page_views_203105").execute());
    }
  }

  @Test
  void aDatabaseMigratedByANewerBeacon_isRefused(TestApp app) {
    await(app.pool.query("""
        INSERT INTO flyway_schema_history (installed_rank, version, description, type, script, checksum,
                                           installed_by, execution_time, success)
        VALUES (9999, '9999', 'from the future', 'SQL', 'V9999__future.sql', 1, 'test', 1, true)""").execute());
    try {
      assertThatThrownBy(() -> Migrations.migrate(app.database)).hasMessageContaining("9999");
    } finally {
      await(app.pool.query("DELETE FROM flyway_schema_history WHERE installed_rank = 9999").execute());
    }
    Migrations.migrate(app.database);
  }
}
