package dev.beacon.ops;

import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;

import java.time.YearMonth;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/** The SQL of the {@link RetentionJob}: partitions ahead, and the records of long-inactive debtors. */
final class RetentionRepository {
  static final String ENSURE_AHEAD = """
      SELECT beacon_ensure_month_partition($1::regclass, $2, (date_trunc('month', $3::date)
             + make_interval(months => m))::date)
      FROM generate_series(0, $4) AS m""";

  /** Lets the append-only triggers of communications and refusals allow this transaction's deletes. */
  static final String MARK_RETENTION = "SET LOCAL beacon.retention = 'on'";

  /** Inactive debtors that still have records to delete (the others would fill every batch for ever). */
  static final String EXPIRED = """
      SELECT a.debtor_id FROM debtor_last_activity a
      WHERE a.at < now() - make_interval(years => $1)
        AND (EXISTS (SELECT 1 FROM communications c WHERE c.debtor_id = a.debtor_id)
          OR EXISTS (SELECT 1 FROM payments p WHERE p.debtor_id = a.debtor_id)
          OR EXISTS (SELECT 1 FROM payment_plans pp WHERE pp.debtor_id = a.debtor_id))
      ORDER BY a.at LIMIT $2""";
  static final String UNLINK_EVENTS = """
      UPDATE email_events SET communication_id = NULL WHERE debtor_id = ANY($1) AND communication_id IS NOT NULL""";
  static final String UNLINK_OPT_OUTS = """
      UPDATE debtor_opt_outs SET communication_id = NULL WHERE debtor_id = ANY($1) AND communication_id IS NOT NULL""";
  static final String DELETE_COMMUNICATIONS = "DELETE FROM communications WHERE debtor_id = ANY($1)";
  static final String DELETE_PAYMENTS = "DELETE FROM payments WHERE debtor_id = ANY($1)";
  static final String DELETE_PLANS = """
      DELETE FROM payment_plans pp WHERE pp.debtor_id = ANY($1)
        AND NOT EXISTS (SELECT 1 FROM payments p WHERE p.plan_id = pp.id)""";

  /** How many rows a purge deleted. */
  record Deleted(long communications, long payments) {}

  private final Pool pool;

  RetentionRepository(Pool pool) {
    this.pool = pool;
  }

  /** Creates the table's monthly partitions from {@code month} to {@code monthsAhead} months later. */
  Future<Void> ensureAhead(Archive.Table t, YearMonth month, int monthsAhead) {
    return pool.preparedQuery(ENSURE_AHEAD).execute(Tuple.of(t.name, t.column, month.atDay(1), monthsAhead))
        .mapEmpty();
  }

  /** Marks the transaction as the retention job's ({@link #MARK_RETENTION}). */
  Future<Void> markRetention(SqlConnection conn) {
    return conn.query(MARK_RETENTION).execute().mapEmpty();
  }

  /** Up to {@code limit} debtors inactive for {@code years} that still have records, least recently active first. */
  Future<List<UUID>> expiredDebtors(SqlConnection conn, int years, int limit) {
    return conn.preparedQuery(EXPIRED).execute(Tuple.of(years, limit)).map(rows -> {
      List<UUID> ids = new ArrayList<>();
      rows.forEach(r -> ids.add(r.getUUID(0)));
      return ids;
    });
  }

  /**
   * Deletes these debtors' communications, payments and plans together; their events and opt-outs stay, unlinked
   * from the deleted messages.
   */
  Future<Deleted> purge(SqlConnection conn, List<UUID> debtorIds) {
    Tuple ids = Tuple.of((Object) debtorIds.toArray(new UUID[0]));
    long[] deleted = new long[2];
    return conn.preparedQuery(UNLINK_EVENTS).execute(ids)
        .compose(x -> conn.preparedQuery(UNLINK_OPT_OUTS).execute(ids))
        .compose(x -> conn.preparedQuery(DELETE_COMMUNICATIONS).execute(ids))
        .compose(r -> {
          deleted[0] = r.rowCount();
          return conn.preparedQuery(DELETE_PAYMENTS).execute(ids);
        })
        .compose(r -> {
          deleted[1] = r.rowCount();
          return conn.preparedQuery(DELETE_PLANS).execute(ids);
        })
        .map(r -> new Deleted(deleted[0], deleted[1]));
  }
}
