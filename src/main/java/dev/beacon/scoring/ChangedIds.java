package dev.beacon.scoring;

import io.vertx.core.Future;
import io.vertx.sqlclient.Cursor;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;

import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * The debtors with activity since an instant ({@link #SQL}), read chunk by chunk through a cursor on
 * a connection that is in a transaction: the union is computed once per run, not once per chunk.
 */
final class ChangedIds {
  /** Debtors with anything new since $1: human engagement, views, payments, plans, contacts, edits. */
  static final String SQL = """
      SELECT id FROM (
        SELECT debtor_id AS id FROM email_events WHERE occurred_at > $1::timestamptz AND label = 'human'
        UNION SELECT debtor_id FROM page_views WHERE "timestamp" > $1::timestamptz AND label = 'human'
        UNION SELECT debtor_id FROM payments WHERE updated_at > $1::timestamptz
        UNION SELECT debtor_id FROM payment_plans WHERE updated_at > $1::timestamptz
        UNION SELECT debtor_id FROM communications WHERE created_at > $1::timestamptz
        UNION SELECT id FROM debtors WHERE updated_at > $1::timestamptz
      ) c ORDER BY id""";

  private final Cursor cursor;
  private boolean exhausted;
  /** The last read asked for: reads are chained, so several pipelines can share the cursor. */
  private Future<List<UUID>> last = Future.succeededFuture(List.of());

  private ChangedIds(Cursor cursor) {
    this.cursor = cursor;
  }

  static Future<ChangedIds> open(SqlConnection conn, OffsetDateTime since) {
    return conn.prepare(SQL).map(statement -> new ChangedIds(statement.cursor(Tuple.of(since))));
  }

  /**
   * The next (at most {@code limit}) ids in id order; empty when there are no more. Calls are served one after
   * the other, in the order they were made (call from one context).
   */
  Future<List<UUID>> next(int limit) {
    last = last.transform(previous -> {
      if (previous.failed()) {
        return Future.failedFuture(previous.cause());
      }
      if (exhausted) {
        return Future.succeededFuture(List.of());
      }
      return cursor.read(limit).map(rows -> {
        exhausted = !cursor.hasMore();
        List<UUID> ids = new ArrayList<>(rows.size());
        rows.forEach(r -> ids.add(r.getUUID(0)));
        return ids;
      });
    });
    return last;
  }

  Future<Void> close() {
    return cursor.close();
  }
}
