package dev.beacon.tracking;

import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * The event import's SQL (positional parameters): which of a batch's debtors and messages exist, and a batch
 * written in one transaction, through the enricher's statements ({@link EmailEventSql}, {@link PageViewSql}).
 */
final class EventImportRepository {
  private static final String KNOWN = """
      SELECT i.n, d.id IS NOT NULL AS debtor_ok, (i.comm IS NULL OR c.id IS NOT NULL) AS comm_ok
      FROM unnest($1::uuid[], $2::uuid[]) WITH ORDINALITY AS i(debtor, comm, n)
      LEFT JOIN debtors d ON d.id = i.debtor
      LEFT JOIN communications c ON c.id = i.comm AND c.debtor_id = i.debtor
      ORDER BY i.n""";
  /**
   * The imported events' debtors count as edited: their events carry their own (often old) timestamps, which the
   * scoring job's search for activity since its last run cannot see. After the events, in the batch's
   * transaction, so the mark commits with them.
   */
  private static final String TOUCH_DEBTORS = """
      UPDATE debtors d SET updated_at = now() FROM (SELECT DISTINCT unnest($1::uuid[]) AS id) t WHERE d.id = t.id""";

  /** Whether a line's debtor exists, and its communication (when it names one) is one of that debtor's. */
  record Known(boolean debtor, boolean communication) {}

  private final Pool pool;

  EventImportRepository(Pool pool) {
    this.pool = pool;
  }

  /** For each (debtor, communication) pair, in order, what exists. */
  Future<List<Known>> known(UUID[] debtors, UUID[] communications) {
    return pool.preparedQuery(KNOWN).execute(Tuple.tuple().addArrayOfUUID(debtors).addArrayOfUUID(communications))
        .map(rows -> {
          List<Known> known = new ArrayList<>(rows.size());
          for (Row r : rows) {
            known.add(new Known(r.getBoolean("debtor_ok"), r.getBoolean("comm_ok")));
          }
          return known;
        });
  }

  /** The events and the debtors' marks, in one transaction. */
  Future<Void> write(List<EmailEventSql.EmailEvent> emails, List<PageViewSql.NewView> views, UUID[] touched,
                     Duration sendWindow) {
    return pool.withTransaction(conn -> Future.all(
            emails.isEmpty() ? Future.succeededFuture()
                : conn.preparedQuery(EmailEventSql.emailSql(emails)).execute(EmailEventSql.emailTuple(emails, sendWindow)),
            views.isEmpty() ? Future.succeededFuture()
                : conn.preparedQuery(PageViewSql.NEW_VIEW_BY_ID).execute(PageViewSql.newViewTuple(views)))
        .compose(x -> touched.length == 0 ? Future.succeededFuture()
            : conn.preparedQuery(TOUCH_DEBTORS).execute(Tuple.of((Object) touched)))
        .mapEmpty());
  }
}
