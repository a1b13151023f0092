package dev.beacon.ops;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;

/**
 * A logical backup without pg_dump (the embedded PostgreSQL ships no client tools): every application table
 * (not the Flyway history, not individual partitions) exported from one consistent snapshot (REPEATABLE READ,
 * READ ONLY) to {@code <table>.ndjson.gz}, with {@code manifest.json} naming the schema version, each file's
 * rows and sha256, and each sequence's last value. {@link #restore} loads such a directory into a database
 * migrated to the same schema version (the rows of a monthly table an interrupted archive run left detached go
 * back into their partitioned table).
 */
public final class Backup {
  private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'")
      .withZone(ZoneOffset.UTC);
  static final String TABLES = """
      SELECT c.relname, c.relkind = 'p' AS partitioned FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p') AND NOT c.relispartition
        AND c.relname <> 'flyway_schema_history'
      ORDER BY c.relname""";

  /** Sequences and their last value (null when never used), e.g. the dashboard's data version. */
  static final String SEQUENCES = """
      SELECT sequencename, last_value FROM pg_sequences WHERE schemaname = current_schema() ORDER BY 1""";

  private final Vertx vertx;
  private final Pool pool;
  private final Archive files;

  public Backup(Vertx vertx, Pool pool) {
    this.vertx = vertx;
    this.pool = pool;
    this.files = new Archive(vertx, pool, Path.of("."));
  }

  /** Writes a new backup directory under {@code parent}; answers its manifest. */
  public Future<JsonObject> backup(Path parent, String schemaVersion) {
    Path dir = parent.resolve("beacon-backup-" + STAMP.format(Instant.now()));
    return pool.withConnection(conn -> conn.query("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY").execute()
        .compose(v -> conn.query(TABLES).execute())
        .compose(rows -> {
          List<String> tables = new ArrayList<>();
          rows.forEach(r -> tables.add(r.getString("relname")));
          JsonArray entries = new JsonArray();
          Future<Void> chain = Future.succeededFuture();
          for (String t : tables) {
            Path file = dir.resolve(t + ".ndjson.gz");
            chain = chain.compose(v -> files.export(conn, t, file)).map(w -> {
              entries.add(new JsonObject().put("table", t).put("file", file.getFileName().toString())
                  .put("rows", w.rows()).put("sha256", w.sha256()));
              return null;
            });
          }
          return chain.compose(v -> conn.query(SEQUENCES).execute()).map(seqs -> {
            JsonObject sequences = new JsonObject();
            seqs.forEach(r -> sequences.put(r.getString(0), r.getLong(1)));
            return new JsonObject().put("schemaVersion", schemaVersion)
                .put("createdAt", Instant.now().toString()).put("tables", entries).put("sequences", sequences);
          });
        })
        .eventually(() -> conn.query("COMMIT").execute()))
        .compose(manifest -> vertx.executeBlocking(() -> {
          ArchiveFiles.writeDurably(dir.resolve("manifest.json"), manifest.encodePrettily());
          ArchiveFiles.forceDirectory(dir);
          return manifest.put("dir", dir.toString());
        }));
  }

  /**
   * Loads a backup directory into a fresh database (one without debtors), migrated to the backup's schema
   * version: one transaction, foreign keys and triggers off while loading (session_replication_role,
   * which needs a superuser: the embedded PostgreSQL's user is one). Answers the number of rows loaded.
   */
  public Future<Long> restore(Path dir, String schemaVersion) {
    return vertx.executeBlocking(() -> {
      JsonObject manifest = new JsonObject(Files.readString(dir.resolve("manifest.json")));
      if (!String.valueOf(manifest.getString("schemaVersion")).equals(String.valueOf(schemaVersion))) {
        throw new IOException("The backup is of schema version " + manifest.getString("schemaVersion")
            + ", this database is at " + schemaVersion + ": migrate a fresh database to that version first");
      }
      for (Object o : manifest.getJsonArray("tables")) {
        JsonObject t = (JsonObject) o;
        ArchiveFiles.verify(dir.resolve(t.getString("file")), t.getLong("rows"), t.getString("sha256"), t.getLong("rows"));
      }
      return manifest;
    }).compose(manifest -> pool.withTransaction(conn -> conn.query("SELECT EXISTS (SELECT 1 FROM debtors)").execute()
        .compose(rows -> rows.iterator().next().getBoolean(0)
            ? Future.failedFuture(new IOException("The database already holds debtors: restore into a fresh database"))
            : conn.query("SET LOCAL session_replication_role = replica").execute())
        .compose(v -> conn.query(TABLES).execute())
        .compose(rows -> {
          List<String> present = new ArrayList<>();
          List<String> names = new ArrayList<>();
          List<String> partitioned = new ArrayList<>();
          for (Row r : rows) {
            names.add(r.getString("relname"));
            present.add(Archive.quote(r.getString("relname")));
            if (r.getBoolean("partitioned")) {
              partitioned.add(r.getString("relname"));
            }
          }
          long[] total = {0};
          Future<Void> chain = present.isEmpty() ? Future.succeededFuture()
              : conn.query("TRUNCATE " + String.join(", ", present)).execute().mapEmpty();
          for (Object o : manifest.getJsonArray("tables")) {
            JsonObject t = (JsonObject) o;
            // A monthly table left detached by an interrupted archive run goes back into its table.
            String into = names.contains(t.getString("table")) ? t.getString("table")
                : Archive.Table.ofMonthly(t.getString("table")).map(x -> x.name).orElse(t.getString("table"));
            chain = chain.compose(v -> files.load(conn, into, dir.resolve(t.getString("file"))))
                .compose(n -> n.longValue() == t.getLong("rows").longValue() ? Future.succeededFuture()
                    : Future.failedFuture(new IOException(t.getString("table") + ": loaded " + n + " rows of "
                        + t.getLong("rows"))))
                .map(x -> {
                  total[0] += t.getLong("rows");
                  return null;
                });
          }
          for (String p : partitioned) {
            chain = chain.compose(v -> monthlyPartitions(conn, p));
          }
          // Sequences continue where they were, so values handed out before the backup are not handed out again.
          JsonObject sequences = manifest.getJsonObject("sequences", new JsonObject());
          for (String name : sequences.fieldNames()) {
            Long last = sequences.getLong(name);
            if (last != null) {
              chain = chain.compose(v -> conn.preparedQuery("SELECT setval($1::regclass, $2, true)")
                  .execute(Tuple.of(Archive.quote(name), last)).mapEmpty());
            }
          }
          return chain.map(v -> total[0]);
        })));
  }

  /** Rows of a month-partitioned table that landed in its default partition get their monthly partition back. */
  private static Future<Void> monthlyPartitions(SqlConnection conn, String table) {
    Archive.Table t;
    try {
      t = Archive.Table.of(table);
    } catch (IllegalArgumentException e) {
      return Future.succeededFuture();
    }
    return conn.preparedQuery("SELECT beacon_ensure_month_partition($1::regclass, $2, m::date) FROM (SELECT DISTINCT "
            + "date_trunc('month', " + Archive.quote(t.column) + ") AS m FROM " + Archive.quote(t.name + "_default")
            + ") d")
        .execute(Tuple.of(t.name, t.column)).mapEmpty();
  }
}
