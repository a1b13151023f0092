package dev.beacon.ops;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Cursor;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.time.YearMonth;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Archives expired monthly partitions of the raw event tables and restores them. An archive is
 * {@code <table>_<YYYYMM>.ndjson.gz} (one {@code row_to_json} object per line, gzip), beside it
 * {@code <table>_<YYYYMM>.manifest.json} (table, month, rows, sha256 of the .gz file) and
 * {@code <table>_<YYYYMM>.ndjson.gz.sha256} (for {@code sha256sum -c}). A month archived again (its partition
 * re-created for rows that came late, or after a restore) gets {@code <table>_<YYYYMM>.1.ndjson.gz} and so on:
 * an archive file is never replaced.
 *
 * <p>Archiving one partition: a short transaction detaches it from its table; then one transaction locks the
 * detached table, counts it, streams it through a cursor ({@value #FETCH} rows at a time) into the file,
 * re-reads the file (rows counted, checksum recomputed), forces the file, its manifest and the directory to disk
 * (fsync), and only then drops the table. Any failure rolls back and keeps the table (a detached table is
 * finished by the next run). Files are written, read and compressed on worker threads only.
 */
public final class Archive {
  private static final Logger LOG = LoggerFactory.getLogger(Archive.class);
  static final int FETCH = 1000;
  static final int RESTORE_BATCH = 500;
  private static final DateTimeFormatter SUFFIX = DateTimeFormatter.ofPattern("yyyyMM");

  /** The month-partitioned tables Beacon archives, with their partition column. */
  public enum Table {
    EMAIL_EVENTS("email_events", "occurred_at"), PAGE_VIEWS("page_views", "timestamp");

    public final String name;
    public final String column;

    Table(String name, String column) {
      this.name = name;
      this.column = column;
    }

    public static Table of(String name) {
      for (Table t : values()) {
        if (t.name.equals(name)) {
          return t;
        }
      }
      throw new IllegalArgumentException("not an archived table: " + name);
    }

    /**
     * The archived table a monthly table belongs to ({@code email_events_202309} → email_events), if it is one:
     * a backup holds a partition an interrupted archive run left detached as a table of its own.
     */
    public static Optional<Table> ofMonthly(String relation) {
      for (Table t : values()) {
        if (relation.matches(Pattern.quote(t.name) + "_[0-9]{6}")) {
          return Optional.of(t);
        }
      }
      return Optional.empty();
    }

    String partition(YearMonth month) {
      return name + "_" + month.format(SUFFIX);
    }
  }

  /** What an archive file holds. */
  public record Manifest(String table, YearMonth month, long rows, String sha256, String file) {
    JsonObject toJson() {
      return new JsonObject().put("table", table).put("month", month.toString())
          .put("from", month.atDay(1).toString()).put("to", month.plusMonths(1).atDay(1).toString())
          .put("rows", rows).put("sha256", sha256).put("file", file)
          .put("format", "gzip NDJSON, one PostgreSQL row_to_json object per line")
          .put("createdAt", Instant.now().toString());
    }

    static Manifest from(JsonObject j) {
      return new Manifest(j.getString("table"), YearMonth.parse(j.getString("month")), j.getLong("rows"),
          j.getString("sha256"), j.getString("file"));
    }
  }

  private final Vertx vertx;
  private final Pool pool;
  private final Path dir;

  public Archive(Vertx vertx, Pool pool, Path dir) {
    this.vertx = vertx;
    this.pool = pool;
    this.dir = dir;
  }

  /**
   * The months of the table's monthly partitions (not the default partition), oldest first, with the monthly
   * tables an earlier archive run detached and did not finish (a crash or an I/O error after the detach).
   */
  public Future<List<YearMonth>> partitions(Table table) {
    return pool.preparedQuery("""
            SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
            WHERE i.inhparent = $1::regclass AND c.relname ~ '_[0-9]{6}$'
            UNION
            SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE n.nspname = current_schema() AND c.relkind = 'r' AND NOT c.relispartition
              AND c.relname ~ ('^' || $2 || '_[0-9]{6}$')
            ORDER BY 1""")
        .execute(Tuple.of(table.name, table.name))
        .map(rows -> {
          List<YearMonth> months = new ArrayList<>();
          for (Row r : rows) {
            String n = r.getString(0);
            months.add(YearMonth.parse(n.substring(n.length() - 6), SUFFIX));
          }
          return months;
        });
  }

  /**
   * Detaches the table's partition for {@code month} (unless an earlier run did), then exports, verifies and
   * drops it. Detaching first, in a short transaction of its own, means no writer can reach the partition while
   * it is exported: rows that arrive late for the month go to the default partition, and statements on the
   * parent that do not prune by time (the page beacon's update by id) neither wait for the export nor deadlock
   * with the detach. The detach waits at most {@value #DETACH_LOCK_TIMEOUT} for the parent's lock (every
   * statement on the table queues behind it) and otherwise fails; the next run tries again.
   */
  public Future<Manifest> archive(Table table, YearMonth month) {
    String part = table.partition(month);
    return detach(table, part).compose(v -> exportAndDrop(table, month, part));
  }

  static final String DETACH_LOCK_TIMEOUT = "2s";

  private Future<Void> detach(Table table, String part) {
    return pool.withTransaction(conn -> conn.preparedQuery("""
            SELECT EXISTS (SELECT 1 FROM pg_inherits WHERE inhparent = $1::regclass AND inhrelid = to_regclass($2))""")
        .execute(Tuple.of(table.name, quote(part)))
        .compose(rows -> !rows.iterator().next().getBoolean(0) ? Future.<Void>succeededFuture()
            : conn.query("SET LOCAL lock_timeout = '" + DETACH_LOCK_TIMEOUT + "'").execute()
                .compose(v -> conn.query("ALTER TABLE " + quote(table.name) + " DETACH PARTITION " + quote(part))
                    .execute())
                .<Void>mapEmpty()));
  }

  /** Exports the detached table of {@code month}, verifies and forces the file to disk, then drops the table. */
  private Future<Manifest> exportAndDrop(Table table, YearMonth month, String part) {
    Path tmp = dir.resolve(part + ArchiveFiles.GZ + ".part");
    // EXCLUSIVE (reads still allowed): a second exporter of the same table (another process that believed it held
    // the job's lock after a lost connection) waits for this one and then finds the table gone.
    return pool.withTransaction(conn -> conn.query("LOCK TABLE " + quote(part) + " IN EXCLUSIVE MODE").execute()
        .compose(v -> conn.query("SELECT count(*) FROM " + quote(part)).execute())
        .map(rows -> rows.iterator().next().getLong(0))
        .compose(count -> export(conn, part, tmp)
            .compose(written -> vertx.executeBlocking(() -> {
              ArchiveFiles.verify(tmp, written.rows(), written.sha256(), count);
              // Never over an earlier archive of the same month (a partition re-created for late rows): beside it.
              String base = ArchiveFiles.freeName(dir, part);
              Path file = dir.resolve(base + ArchiveFiles.GZ);
              Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE);
              Manifest m = new Manifest(table.name, month, written.rows(), written.sha256(), file.getFileName().toString());
              ArchiveFiles.writeDurably(dir.resolve(base + ArchiveFiles.MANIFEST), m.toJson().encodePrettily());
              ArchiveFiles.writeDurably(dir.resolve(base + ArchiveFiles.GZ + ".sha256"), m.sha256() + "  " + m.file() + "\n");
              // The archive, its manifest and their names are on disk before the DROP can commit.
              ArchiveFiles.forceDirectory(dir);
              return m;
            })))
        .compose(m -> conn.query("DROP TABLE " + quote(part)).execute().map(m)))
        .onSuccess(m -> LOG.info("Archived {} ({} rows) to {} and dropped the partition", part, m.rows(),
            dir.resolve(m.file())))
        .onFailure(t -> vertx.executeBlocking(() -> Files.deleteIfExists(tmp)));
  }

  /** Streams a relation through a cursor into a gzip file, writing each fetched chunk on a worker. */
  Future<ArchiveFiles.Written> export(SqlConnection conn, String relation, Path tmp) {
    return vertx.executeBlocking(() -> {
      Files.createDirectories(tmp.getParent());
      return new ArchiveFiles.Sink(tmp);
    }).compose(sink -> conn.prepare("SELECT row_to_json(p)::text FROM " + quote(relation) + " p")
        .compose(ps -> drain(ps.cursor(), sink).eventually(ps::close))
        .compose(v -> vertx.executeBlocking(sink::finish))
        .recover(t -> vertx.executeBlocking(() -> {
          sink.abandon();
          return null;
        }).transform(ignored -> Future.failedFuture(t))));
  }

  private Future<Void> drain(Cursor cursor, ArchiveFiles.Sink sink) {
    return cursor.read(FETCH).compose(rows -> {
      List<String> lines = new ArrayList<>(rows.size());
      rows.forEach(r -> lines.add(r.getString(0)));
      return vertx.executeBlocking(() -> {
        sink.write(lines);
        return null;
      });
    }).compose(v -> cursor.hasMore() ? drain(cursor, sink) : cursor.close());
  }

  /**
   * Reloads an archive file into its table (the month's partition is re-created when missing), in one
   * transaction, after checking the file against its manifest. Answers the number of rows restored.
   */
  public Future<Long> restore(Path file) {
    return vertx.executeBlocking(() -> {
      Manifest m = ArchiveFiles.manifestOf(file);
      ArchiveFiles.verify(file, m.rows(), m.sha256(), m.rows());
      return m;
    }).compose(m -> {
      Table table = Table.of(m.table());
      return pool.withTransaction(conn -> conn.preparedQuery("SELECT beacon_ensure_month_partition($1::regclass, $2, $3)")
              .execute(Tuple.of(table.name, table.column, m.month().atDay(1)))
              .compose(v -> load(conn, table.name, file)))
          .compose(n -> n == m.rows() ? Future.succeededFuture(n)
              : Future.failedFuture(new IOException(file + ": restored " + n + " rows, the manifest says " + m.rows())));
    });
  }

  /** Inserts every line of an NDJSON gzip file into {@code relation}, {@value #RESTORE_BATCH} rows a statement. */
  Future<Long> load(SqlConnection conn, String relation, Path file) {
    return vertx.executeBlocking(() -> new ArchiveFiles.Source(file))
        .compose(src -> load(conn, relation, src, 0).eventually(() -> vertx.executeBlocking(() -> {
          src.close();
          return null;
        })));
  }

  private Future<Long> load(SqlConnection conn, String relation, ArchiveFiles.Source src, long done) {
    return vertx.executeBlocking(() -> src.next(RESTORE_BATCH)).compose(lines -> {
      if (lines.isEmpty()) {
        return Future.succeededFuture(done);
      }
      // The lines are joined as they are (not re-encoded) so that numbers inside jsonb keep their exact text.
      String batch = "[" + String.join(",", lines) + "]";
      return conn.preparedQuery("INSERT INTO " + quote(relation) + " SELECT * FROM json_populate_recordset(NULL::"
              + quote(relation) + ", $1::text::json)")
          .execute(Tuple.of(batch))
          .compose(r -> load(conn, relation, src, done + r.rowCount()));
    });
  }

  static String quote(String identifier) {
    return "\"" + identifier.replace("\"", "\"\"") + "\"";
  }


}
