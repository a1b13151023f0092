package dev.beacon.scoring;

import dev.beacon.db.Columns;
import dev.beacon.db.Uuids;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;

import java.time.OffsetDateTime;
import java.util.List;
import java.util.UUID;

/** Writes the scoring job's changes back, one statement per chunk: the changed scores and their history rows. */
final class ScoreWriter {
  /**
   * Writes one chunk of changes, decided by the job from each debtor's stored score and latest history row: the
   * debtors whose score changed, and a history row where the score or the model version changed (or there is none).
   * Run with hash and merge joins off (see {@link #write}): the debtors to update are then found by primary key,
   * one index probe per changed score.
   */
  static final String WRITE = """
      WITH s AS (
        SELECT * FROM unnest($1::uuid[], $2::int[], $3::text[], $4::int[], $5::bool[], $6::bool[], $9::uuid[])
          AS s(id, score, factors, previous, update_score, record, history_id)
      ),
      upd AS (
        UPDATE debtors d SET payment_propensity_score = s.score FROM s WHERE s.update_score AND d.id = s.id
        RETURNING d.id
      ),
      ins AS (
        INSERT INTO score_history (id, debtor_id, score, previous_score, model_version, factors, scored_at)
        SELECT history_id, id, score, previous, $7, factors::jsonb, $8::timestamptz FROM s WHERE record
        RETURNING 1
      )
      SELECT (SELECT count(*) FROM upd) AS updated, (SELECT count(*) FROM ins) AS recorded""";

  /** One debtor's new score, with its factors as JSON text, and what to write. */
  record Scored(UUID id, int score, String factors, Integer previous, boolean updateScore, boolean record) {}

  private final Pool pool;

  ScoreWriter(Pool pool) {
    this.pool = pool;
  }

  /** Writes a chunk of changes; answers how many debtors' scores changed. */
  Future<Integer> write(List<Scored> changes, String version, OffsetDateTime at) {
    if (changes.isEmpty()) {
      return Future.succeededFuture(0);
    }
    Tuple columns = Columns.of(changes)
        .add(UUID.class, Scored::id)
        .add(Integer.class, Scored::score)
        .add(String.class, Scored::factors)
        .add(Integer.class, Scored::previous)
        .add(Boolean.class, Scored::updateScore)
        .add(Boolean.class, Scored::record)
        .value(version)
        .value(at)
        // The history rows' ids: time-ordered, so they append to the primary key (V13).
        .add(UUID.class, s -> Uuids.v7())
        .tuple();
    // With a chunk's real size known (a custom plan), the planner hashed the whole debtors table for every chunk
    // (a sequential scan of a million rows per chunk written); with the size unknown (the generic plan of the
    // cached statement, estimated at 10 rows), a nested loop is right. Only nested loops are allowed: one
    // primary key probe per row of the chunk, whatever the estimate.
    return pool.withTransaction(conn -> conn.query("SET LOCAL enable_hashjoin = off; SET LOCAL enable_mergejoin = off")
            .execute()
            .compose(x -> conn.preparedQuery(WRITE)
                .execute(columns)))
        .map(rows -> rows.iterator().next().getLong("updated").intValue());
  }
}
