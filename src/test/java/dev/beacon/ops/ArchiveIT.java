package dev.beacon.ops;

import dev.beacon.config.BeaconConfig;
import dev.beacon.support.BeaconExtension;
import dev.beacon.support.TestApp;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.zip.Deflater;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;

import static dev.beacon.db.AdvisoryLock.Key.RETENTION_JOB;
import static dev.beacon.support.TestApp.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@Timeout(60)
@ExtendWith(BeaconExtension.class)
class ArchiveIT {
  private static final YearMonth NOW = YearMonth.now(ZoneOffset.UTC);
  /** Well past the default 25 months. */
  private static final YearMonth OLD = NOW.minusMonths(30);

  @Test
  void expiredPartitions_areExported_verified_dropped_andRestoredIdentically(TestApp app, @TempDir Path dir)
      throws Exception {
    UUID debtor = debtor(app);
    ensure(app, "email_events", "occurred_at", OLD);
    ensure(app, "page_views", "timestamp", OLD);
    for (int i = 0; i < 2500; i++) {
      await(app.pool.preparedQuery("""
              INSERT INTO email_events (debtor_id, kind, occurred_at, user_agent, ip_address, label, reason, url)
              VALUES ($1, 'click', $2::date + make_interval(secs => $3 * 61.123456), 'UA "quoted" é', '192.0.2.1',
                      'human', 'browser', 'https://example.com/p?x=1')""")
          .execute(Tuple.of(debtor, OLD.atDay(1), i)));
    }
    await(app.pool.preparedQuery("""
            INSERT INTO page_views (debtor_id, page_type, ip_address, time_on_page, actions_taken, "timestamp")
            VALUES ($1, 'payment', '2001:db8::1', 42, '[{"a": 1.10, "b": "x"}]', $2::date + interval '3 days')""")
        .execute(Tuple.of(debtor, OLD.atDay(1))));
    // A recent event stays.
    await(app.pool.preparedQuery("""
            INSERT INTO email_events (debtor_id, kind, occurred_at, label, reason) VALUES ($1, 'open', now(), 'human', 'b')""")
        .execute(Tuple.of(debtor)));
    List<String> eventsBefore = rows(app, "email_events", OLD);
    List<String> viewsBefore = rows(app, "page_views", OLD);
    assertThat(eventsBefore).hasSize(2500);

    RetentionJob job = new RetentionJob(app.vertx, app.pool, retention(dir));
    RetentionJob.Run run = await(job.runOnce(NOW));

    assertThat(run.ran()).isTrue();
    assertThat(run.archived()).extracting(Archive.Manifest::table).contains("email_events", "page_views");
    String part = "email_events_" + String.format("%04d%02d", OLD.getYear(), OLD.getMonthValue());
    assertThat(exists(app, part)).isFalse();
    assertThat(exists(app, "page_views_" + part.substring("email_events_".length()))).isFalse();
    assertThat(count(app, "SELECT count(*) FROM email_events")).isEqualTo(1);
    // Partitions ahead exist.
    YearMonth ahead = NOW.plusMonths(RetentionJob.MONTHS_AHEAD);
    assertThat(exists(app, "email_events_" + String.format("%04d%02d", ahead.getYear(), ahead.getMonthValue()))).isTrue();

    Path file = dir.resolve(part + ".ndjson.gz");
    JsonObject manifest = new JsonObject(Files.readString(dir.resolve(part + ".manifest.json")));
    assertThat(manifest.getLong("rows")).isEqualTo(2500);
    assertThat(manifest.getString("table")).isEqualTo("email_events");
    assertThat(manifest.getString("month")).isEqualTo(OLD.toString());
    assertThat(Files.readString(dir.resolve(part + ".ndjson.gz.sha256"))).startsWith(manifest.getString("sha256"));
    assertThat(Files.exists(dir.resolve(part + ".ndjson.gz.part"))).isFalse();

    Archive archive = new Archive(app.vertx, app.pool, dir);
    assertThat(await(archive.restore(file))).isEqualTo(2500);
    assertThat(await(archive.restore(dir.resolve("page_views_" + part.substring(13) + ".ndjson.gz")))).isEqualTo(1);
    assertThat(exists(app, part)).isTrue();
    assertThat(rows(app, "email_events", OLD)).isEqualTo(eventsBefore);
    assertThat(rows(app, "page_views", OLD)).isEqualTo(viewsBefore);
    assertThat(viewsBefore.get(0)).contains("1.10");

    // Restoring twice fails as a whole (primary keys) and adds nothing.
    assertThatThrownBy(() -> await(archive.restore(file)));
    assertThat(rows(app, "email_events", OLD)).hasSize(2500);
  }

  @Test
  void aMonthArchivedAgain_keepsItsEarlierArchive(TestApp app, @TempDir Path dir) {
    YearMonth month = NOW.minusMonths(36);
    UUID debtor = monthOfOpens(app, month, 1, 2, 3);
    Archive archive = new Archive(app.vertx, app.pool, dir);
    Archive.Manifest first = await(archive.archive(Archive.Table.EMAIL_EVENTS, month));
    assertThat(first.rows()).isEqualTo(3);

    // A late row of that month lands in the default partition; a backup restore (or an operator) gives the month
    // its partition back, and the next retention run archives it again.
    insertOpen(app, debtor, month, 4);
    ensureEmailEvents(app, month);
    Archive.Manifest second = await(archive.archive(Archive.Table.EMAIL_EVENTS, month));
    assertThat(second.rows()).isEqualTo(1);

    assertThat(second.file()).isNotEqualTo(first.file());
    assertThat(await(archive.restore(dir.resolve(first.file())))).isEqualTo(3);
    assertThat(await(archive.restore(dir.resolve(second.file())))).isEqualTo(1);
    assertThat(rows(app, "email_events", month)).hasSize(4);
  }

  /** A new debtor's opens, one on each of {@code days} of {@code month}, in that month's partition; the debtor. */
  private static UUID monthOfOpens(TestApp app, YearMonth month, int... days) {
    UUID debtor = debtor(app);
    ensureEmailEvents(app, month);
    for (int day : days) {
      insertOpen(app, debtor, month, day);
    }
    return debtor;
  }

  private static void insertOpen(TestApp app, UUID debtor, YearMonth month, int day) {
    await(app.pool.preparedQuery("""
            INSERT INTO email_events (debtor_id, kind, occurred_at, label, reason) VALUES ($1, 'open', $2, 'human', 'b')""")
        .execute(Tuple.of(debtor, month.atDay(day).atStartOfDay().atOffset(ZoneOffset.UTC))));
  }

  @Test
  void timeOnPageBeacons_duringTheArchiveOfAnOldPageViewsPartition_areAnswered_andTheArchiveCompletes(TestApp app,
      @TempDir Path dir) throws Exception {
    UUID debtor = debtor(app);
    YearMonth month = NOW.minusMonths(30);
    String part = Archive.Table.PAGE_VIEWS.partition(month);
    ensure(app, "page_views", "timestamp", month);
    await(app.pool.preparedQuery("""
            INSERT INTO page_views (debtor_id, page_type, time_on_page, "timestamp")
            SELECT $1, 'landing', 5, $2::date + make_interval(secs => g) FROM generate_series(1, 150000) g""")
        .execute(Tuple.of(debtor, month.atDay(1))));
    UUID view = await(app.pool.preparedQuery("""
            INSERT INTO page_views (debtor_id, page_type, "timestamp") VALUES ($1, 'payment', now()) RETURNING id""")
        .execute(Tuple.of(debtor))).iterator().next().getUUID(0);

    Archive archive = new Archive(app.vertx, app.pool, dir);
    var archived = archive.archive(Archive.Table.PAGE_VIEWS, month);
    // While the partition is being exported, the debtor reading today's payment page sends its time on page.
    Awaitility.await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(5)).until(() -> archived.isComplete()
        || await(app.pool.preparedQuery("""
            SELECT count(*) FROM pg_locks l JOIN pg_class c ON c.oid = l.relation
            WHERE c.relname = $1 AND l.mode IN ('ShareLock', 'ExclusiveLock') AND l.granted""").execute(Tuple.of(part)))
        .iterator().next().getLong(0) > 0);
    assertThat(archived.isComplete()).as("the export still runs").isFalse();
    var answer = app.client.post("/t/b").putHeader("Content-Type", "application/json")
        .sendBuffer(Buffer.buffer(new JsonObject().put("token", "tok-archive-0123456789abc")
            .put("pageViewId", view.toString()).put("pageType", "payment").put("timeOnPage", 30).encode()));

    assertThat(await(answer).statusCode()).isEqualTo(204);
    Archive.Manifest m = await(archived);
    assertThat(m.rows()).isEqualTo(150000);
    assertThat(exists(app, part)).isFalse();
    assertThat(count(app, "SELECT count(*) FROM page_views WHERE time_on_page = 30")).isEqualTo(1);
  }

  @Test
  void aPartitionDetachedByAnInterruptedRun_isArchivedAndDroppedByTheNextRun(TestApp app, @TempDir Path dir) {
    YearMonth month = NOW.minusMonths(33);
    String part = Archive.Table.EMAIL_EVENTS.partition(month);
    monthOfOpens(app, month, 1, 2);
    // The process stopped after the detach and before the export.
    await(app.pool.query("ALTER TABLE email_events DETACH PARTITION " + part).execute());

    RetentionJob.Run run = await(new RetentionJob(app.vertx, app.pool, retention(dir)).runOnce(NOW));

    assertThat(run.archived()).anySatisfy(m -> {
      assertThat(m.file()).isEqualTo(part + ".ndjson.gz");
      assertThat(m.rows()).isEqualTo(2);
    });
    assertThat(exists(app, part)).isFalse();
    assertThat(await(new Archive(app.vertx, app.pool, dir).restore(dir.resolve(part + ".ndjson.gz")))).isEqualTo(2);
    assertThat(rows(app, "email_events", month)).hasSize(2);
  }

  @Test
  void aPartitionAheadThatCannotBeCreated_doesNotStopTheArchive(TestApp app, @TempDir Path dir) {
    YearMonth month = NOW.minusMonths(30);
    monthOfOpens(app, month, 1);
    // The last month ahead was created by a session in another time zone (Flyway's JDBC session takes the JVM's,
    // the pool's takes the server's): the next month's bounds overlap it and its creation fails.
    YearMonth last = NOW.plusMonths(RetentionJob.MONTHS_AHEAD);
    String lastPart = Archive.Table.EMAIL_EVENTS.partition(last);
    await(app.pool.withTransaction(conn -> conn.query("DROP TABLE IF EXISTS " + lastPart).execute()
        .compose(v -> conn.query("SET LOCAL TimeZone = 'America/New_York'").execute())
        .compose(v -> conn.preparedQuery("SELECT beacon_ensure_month_partition('email_events', 'occurred_at', $1)")
            .execute(Tuple.of(last.atDay(1))))));
    try {
      RetentionJob.Run run = await(new RetentionJob(app.vertx, app.pool, retention(dir)).runOnce(NOW.plusMonths(1)));

      assertThat(run.archived()).extracting(Archive.Manifest::month).contains(month);
      assertThat(exists(app, Archive.Table.EMAIL_EVENTS.partition(month))).isFalse();
    } finally {
      await(app.pool.query("DROP TABLE IF EXISTS " + lastPart).execute());
      ensure(app, "email_events", "occurred_at", last);
    }
  }

  @Test
  void restore_refusesAFileThatDoesNotMatchItsManifest(TestApp app, @TempDir Path dir) throws Exception {
    YearMonth month = NOW.minusMonths(40);
    monthOfOpens(app, month, 2);
    Archive archive = new Archive(app.vertx, app.pool, dir);
    Archive.Manifest m = await(archive.archive(Archive.Table.EMAIL_EVENTS, month));
    Path file = dir.resolve(m.file());
    // The same rows in a valid gzip stream of other bytes: only the checksum can tell it from the archive.
    byte[] rows;
    try (InputStream in = new GZIPInputStream(Files.newInputStream(file))) {
      rows = in.readAllBytes();
    }
    try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(file)) {
      {
        def.setLevel(Deflater.NO_COMPRESSION);
      }
    }) {
      out.write(rows);
    }

    assertThatThrownBy(() -> await(archive.restore(file))).rootCause().hasMessageContaining("checksum");
    assertThat(count(app, "SELECT count(*) FROM email_events")).isZero();
  }

  @Test
  void aSecondRunner_skipsWhileTheLockIsHeld(TestApp app, @TempDir Path dir) {
    var conn = await(app.pool.getConnection());
    try {
      await(conn.preparedQuery("SELECT pg_advisory_lock($1)").execute(Tuple.of(RETENTION_JOB.id())));
      RetentionJob.Run run = await(new RetentionJob(app.vertx, app.pool, retention(dir)).runOnce(NOW));
      assertThat(run.ran()).isFalse();
      await(conn.preparedQuery("SELECT pg_advisory_unlock($1)").execute(Tuple.of(RETENTION_JOB.id())));
    } finally {
      await(conn.close());
    }
  }

  private static BeaconConfig.Retention retention(Path dir) {
    return BeaconConfig.of(new JsonObject().put("retention", new JsonObject().put("archiveDir", dir.toString())))
        .retention();
  }

  private static UUID debtor(TestApp app) {
    return await(app.pool.query("""
        INSERT INTO debtors (first_name, last_name, unique_token) VALUES ('Ada', 'Doe', 'tok-archive-0123456789abc')
        RETURNING id""").execute()).iterator().next().getUUID(0);
  }

  /** The email_events partition of month {@code m}, created if missing. */
  private static void ensureEmailEvents(TestApp app, YearMonth m) {
    ensure(app, "email_events", "occurred_at", m);
  }

  private static void ensure(TestApp app, String table, String column, YearMonth m) {
    await(app.pool.preparedQuery("SELECT beacon_ensure_month_partition($1::regclass, $2, $3)")
        .execute(Tuple.of(table, column, m.atDay(1))));
  }

  private static boolean exists(TestApp app, String table) {
    return await(app.pool.preparedQuery("SELECT to_regclass($1) IS NOT NULL").execute(Tuple.of(table)))
        .iterator().next().getBoolean(0);
  }

  private static long count(TestApp app, String sql) {
    return await(app.pool.query(sql).execute()).iterator().next().getLong(0);
  }

  /** Every row of the month, as PostgreSQL prints it, in a stable order. */
  private static List<String> rows(TestApp app, String table, YearMonth m) {
    String column = table.equals("email_events") ? "occurred_at" : "\"timestamp\"";
    List<String> out = new ArrayList<>();
    for (Row r : await(app.pool.preparedQuery("SELECT t::text FROM " + table + " t WHERE " + column
        + " >= $1::date AND " + column + " < $2::date ORDER BY id").execute(Tuple.of(m.atDay(1), m.plusMonths(1).atDay(1))))) {
      out.add(r.getString(0));
    }
    return out;
  }
}
