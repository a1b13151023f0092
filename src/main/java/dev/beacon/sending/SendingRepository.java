package dev.beacon.sending;

import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;

import java.math.BigDecimal;
import java.util.Optional;
import java.util.UUID;

/** The SQL of sending: the merge fields a preview reads, the short links an SMS binds. */
final class SendingRepository {
  /** What a message's merge fields need of its debtor. */
  record MergeData(String firstName, BigDecimal balance) {}

  private static final String MERGE_DATA = """
      SELECT first_name, greatest(total_owed - amount_paid, 0) AS balance FROM debtors WHERE id = $1""";
  /** One row per short link; a code that exists already (72 random bits: never in practice) fails the insert. */
  private static final String INSERT_SHORT_LINKS = """
      INSERT INTO short_links (code, debtor_id, communication_id, target)
      SELECT code, $2, $3, target FROM unnest($1::text[], $4::text[]) AS s(code, target)""";

  private SendingRepository() {}

  /** The debtor's merge data, empty when there is no such debtor. */
  static Future<Optional<MergeData>> mergeData(Pool pool, UUID debtorId) {
    return pool.preparedQuery(MERGE_DATA).execute(Tuple.of(debtorId)).map(rows -> rows.size() == 0
        ? Optional.empty()
        : Optional.of(rows.iterator().next()).map(r -> new MergeData(r.getString("first_name"),
            r.getBigDecimal("balance"))));
  }

  /** Stores short links ({@code codes[k]} leads to {@code targets[k]}) in the caller's transaction. */
  static Future<Void> insertShortLinks(SqlClient sql, UUID debtorId, UUID communicationId, String[] codes,
                                       String[] targets) {
    return sql.preparedQuery(INSERT_SHORT_LINKS).execute(Tuple.of(codes, debtorId, communicationId, targets))
        .mapEmpty();
  }
}
