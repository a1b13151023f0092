package dev.beacon.ops;

import dev.beacon.db.Database;
import dev.beacon.db.Migrations;
import dev.beacon.support.BeaconExtension;
import dev.beacon.support.TestApp;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static dev.beacon.support.TestApp.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@Timeout(120)
@ExtendWith(BeaconExtension.class)
class BackupIT {

  @Test
  void backup_restoredIntoAFreshDatabase_holdsTheSameRows(TestApp app, @TempDir Path dir) throws Exception {
    UUID debtor = await(app.pool.query("""
        INSERT INTO debtors (first_name, last_name, email, state, unique_token, total_owed)
        VALUES ('Ada', 'Doe', 'ada@example.com', 'TX', 'tok-backup-0123456789abcdef', 125.50) RETURNING id""")
        .execute()).iterator().next().getUUID(0);
    UUID comm = await(app.pool.preparedQuery("""
        INSERT INTO communications (debtor_id, type, direction, subject, "timestamp")
        VALUES ($1, 'email', 'outbound', 'Your balance', now() - interval '1 day') RETURNING id""")
        .execute(Tuple.of(debtor))).iterator().next().getUUID(0);
    await(app.pool.preparedQuery("""
        INSERT INTO email_events (debtor_id, communication_id, kind, occurred_at, ip_address, label, reason)
        VALUES ($1, $2, 'open', now() - interval '2 months', '198.51.100.7', 'machine', 'proxy')""")
        .execute(Tuple.of(debtor, comm)));
    await(app.pool.preparedQuery("""
        INSERT INTO page_views (debtor_id, page_type, actions_taken) VALUES ($1, 'landing', '[{"x": 2.50}]')""")
        .execute(Tuple.of(debtor)));
    // The dashboard's data version comes from a sequence: a restored database must not hand out versions again.
    await(app.pool.query("SELECT nextval('rollup_version_seq') FROM generate_series(1, 41)").execute());
    // (The tracking enricher bumps it too, as other tests' events are moved.)
    long lastVersion = await(app.pool.query("SELECT last_value FROM rollup_version_seq").execute()).iterator().next()
        .getLong(0);
    String version = Migrations.currentVersion(app.database);
    Map<String, List<String>> before = snapshot(app.pool);

    JsonObject manifest = await(new Backup(app.vertx, app.pool).backup(dir, version));
    Path backupDir = Path.of(manifest.getString("dir"));
    assertThat(Files.exists(backupDir.resolve("manifest.json"))).isTrue();
    assertThat(manifest.getJsonArray("tables").stream().map(o -> ((JsonObject) o).getString("table")))
        .contains("debtors", "communications", "email_events", "page_views")
        .doesNotContain("flyway_schema_history");

    FreshDatabase fresh = FreshDatabase.create(app);
    Pool freshPool = fresh.pool();
    try {
      long rows = await(new Backup(app.vertx, freshPool).restore(backupDir, version));
      assertThat(rows).isEqualTo(before.values().stream().mapToLong(List::size).sum());
      assertThat(snapshot(freshPool)).isEqualTo(before);
      assertThat(await(freshPool.query("SELECT nextval('rollup_version_seq')").execute()).iterator().next().getLong(0))
          .isEqualTo(lastVersion + 1);
      // A database that already holds debtors is refused.
      assertThatThrownBy(() -> await(new Backup(app.vertx, freshPool).restore(backupDir, version)))
          .hasMessageContaining("fresh database");
    } finally {
      fresh.close();
    }
  }

  @Test
  void aPartitionLeftDetachedByAnInterruptedArchive_isBackedUp_andRestoredIntoItsTable(TestApp app, @TempDir Path dir) {
    UUID debtor = await(app.pool.query("""
        INSERT INTO debtors (first_name, last_name, unique_token) VALUES ('Ada', 'Doe', 'tok-backup-0123456789abcdef')
        RETURNING id""").execute()).iterator().next().getUUID(0);
    YearMonth month = YearMonth.now(ZoneOffset.UTC).minusMonths(30);
    String part = Archive.Table.EMAIL_EVENTS.partition(month);
    await(app.pool.preparedQuery("SELECT beacon_ensure_month_partition('email_events', 'occurred_at', $1)")
        .execute(Tuple.of(month.atDay(1))));
    await(app.pool.preparedQuery("""
        INSERT INTO email_events (debtor_id, kind, occurred_at, label, reason) VALUES ($1, 'open', $2, 'human', 'b')""")
        .execute(Tuple.of(debtor, month.atDay(3).atStartOfDay().atOffset(ZoneOffset.UTC))));
    await(app.pool.query("ALTER TABLE email_events DETACH PARTITION " + part).execute());
    String version = Migrations.currentVersion(app.database);
    Path backupDir = Path.of(await(new Backup(app.vertx, app.pool).backup(dir, version)).getString("dir"));

    FreshDatabase fresh = FreshDatabase.create(app);
    Pool freshPool = fresh.pool();
    try {
      await(new Backup(app.vertx, freshPool).restore(backupDir, version));
      assertThat(await(freshPool.query("SELECT count(*) FROM email_events").execute()).iterator().next().getLong(0))
          .isEqualTo(1);
    } finally {
      fresh.close();
      await(app.pool.query("DROP TABLE " + part).execute());
    }
  }

  @Test
  void restore_refusesABackupOfAnotherSchemaVersion(TestApp app, @TempDir Path dir) {
    JsonObject manifest = await(new Backup(app.vertx, app.pool).backup(dir, "1"));
    assertThatThrownBy(() -> await(new Backup(app.vertx, app.pool).restore(Path.of(manifest.getString("dir")),
        Migrations.currentVersion(app.database)))).hasMessageContaining("schema version");
  }

  /** Every row of every application table, as PostgreSQL prints it, sorted. */
  private static Map<String, List<String>> snapshot(Pool pool) {
    Map<String, List<String>> out = new LinkedHashMap<>();
    for (Row t : await(pool.query(Backup.TABLES).execute())) {
      String table = t.getString("relname");
      List<String> rows = new ArrayList<>();
      for (Row r : await(pool.query("SELECT x::text FROM \"" + table + "\" x ORDER BY 1").execute())) {
        rows.add(r.getString(0));
      }
      out.put(table, rows);
    }
    return out;
  }

  /** A new database beside the test's own, migrated and empty; {@link #close} drops it. */
  private record FreshDatabase(TestApp app, String name, Pool pool) implements AutoCloseable {
    static FreshDatabase create(TestApp app) {
      String name = "restore_" + UUID.randomUUID().toString().replace("-", "");
      await(app.pool.query("CREATE DATABASE " + name).execute());
      Database db = new Database(new PgConnectOptions(app.database.connect()).setDatabase(name));
      Migrations.migrate(db);
      return new FreshDatabase(app, name, db.pool(app.vertx, 2));
    }

    @Override
    public void close() {
      await(pool.close());
      await(app.pool.query("DROP DATABASE " + name + " WITH (FORCE)").execute());
    }
  }
}
