package dev.beacon.db;

import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;

import java.util.function.Function;
import java.util.function.Supplier;

/**
 * PostgreSQL advisory locks that keep a fleet of Beacon processes to one runner of a job at a time. Every key Beacon
 * takes is a {@link Key} here, so no two jobs can pick the same number by accident.
 */
public final class AdvisoryLock {
  /** The lock keys: the ASCII bytes of a short name, read as a number. */
  public enum Key {
    /** "beaconP1": the payment plan job. */
    PLAN_JOB(0x626561636f6e5031L),
    /** "beaconR1": the retention job. */
    RETENTION_JOB(0x626561636f6e5231L),
    /** "beaconS1": the scoring job. */
    SCORING_JOB(0x626561636f6e5331L),
    /** "beacon\7": the rollup job (transaction-scoped). */
    ROLLUP_JOB(0x626561636f6e07L),
    /** "beaconJ1": the tracking journal's enricher (transaction-scoped). */
    ENRICHER(0x626561636f6e4a31L);

    private final long id;

    Key(long id) {
      this.id = id;
    }

    public long id() {
      return id;
    }
  }

  static final String TRY_LOCK = "SELECT pg_try_advisory_lock($1) AS ok";
  static final String UNLOCK = "SELECT pg_advisory_unlock($1)";
  static final String TRY_XACT_LOCK = "SELECT pg_try_advisory_xact_lock($1) AS ok";
  static final String XACT_LOCK = "SELECT pg_advisory_xact_lock($1)";

  private AdvisoryLock() {}

  /**
   * Runs {@code work} while this process holds the session lock {@code key} on a connection of its own (passed to
   * the work, which may use it), then unlocks and returns the connection; answers {@code whenHeld} at once when
   * another session holds the lock.
   */
  public static <T> Future<T> tryWith(Pool pool, Key key, Function<SqlConnection, Future<T>> work,
                                      Supplier<T> whenHeld) {
    return pool.getConnection().compose(conn -> conn.preparedQuery(TRY_LOCK).execute(Tuple.of(key.id()))
        .compose(rows -> {
          if (!rows.iterator().next().getBoolean("ok")) {
            return Future.succeededFuture(whenHeld.get());
          }
          return work.apply(conn).eventually(() -> conn.preparedQuery(UNLOCK).execute(Tuple.of(key.id())));
        })
        .eventually(conn::close));
  }

  /** Takes the transaction-scoped lock {@code key} in the caller's transaction, waiting while another holds it. */
  public static Future<Void> inTransaction(SqlConnection conn, Key key) {
    return conn.preparedQuery(XACT_LOCK).execute(Tuple.of(key.id())).mapEmpty();
  }

  /** Takes the transaction-scoped lock {@code key} in the caller's transaction; false when another holds it. */
  public static Future<Boolean> tryInTransaction(SqlConnection conn, Key key) {
    return conn.preparedQuery(TRY_XACT_LOCK).execute(Tuple.of(key.id()))
        .map(rows -> rows.iterator().next().getBoolean("ok"));
  }
}
