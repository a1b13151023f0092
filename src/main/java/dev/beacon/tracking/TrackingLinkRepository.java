package dev.beacon.tracking;

import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;

import java.util.UUID;

/** What a tracked link needs from the database: the debtor's token, and whether the message is that debtor's. */
final class TrackingLinkRepository {
  private static final String LOOKUP = """
      SELECT d.unique_token, c.id AS communication_id
      FROM debtors d LEFT JOIN communications c ON c.id = $2 AND c.debtor_id = d.id
      WHERE d.id = $1""";

  /** {@code token} is null when there is no such debtor; {@code communication}: the message is the debtor's. */
  record Found(String token, boolean communication) {}

  private final Pool pool;

  TrackingLinkRepository(Pool pool) {
    this.pool = pool;
  }

  Future<Found> token(UUID debtorId, UUID communicationId) {
    return pool.preparedQuery(LOOKUP).execute(Tuple.of(debtorId, communicationId)).map(rows -> {
      if (rows.size() == 0) {
        return new Found(null, false);
      }
      Row r = rows.iterator().next();
      return new Found(r.getString("unique_token"), r.getUUID("communication_id") != null);
    });
  }
}
