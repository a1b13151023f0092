package dev.beacon.scoring;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;

import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * Scoring's SQL around the scores: debtor ids chunk by chunk (keyset), the job's state and watermark, model
 * versions, a debtor's latest score. The features of a chunk are {@link FeatureQuery}'s, the changed debtors
 * {@link ChangedIds}', and the writes {@link ScoreWriter}'s.
 */
final class ScoringRepository {
  static final UUID FIRST = new UUID(0, 0); // PostgreSQL orders uuids as unsigned bytes

  /** Every debtor, in id order (keyset). */
  static final String ALL_IDS = "SELECT id FROM debtors WHERE id > $1 ORDER BY id LIMIT $2";

  /** Every debtor up to an id (inclusive): full runs walk two halves of the id space side by side. */
  static final String ALL_IDS_UP_TO =
      "SELECT id FROM debtors WHERE id > $1 AND id <= $3::uuid ORDER BY id LIMIT $2";

  /** Debtors that existed at an instant (backtests and fits). */
  static final String IDS_AS_OF =
      "SELECT id FROM debtors WHERE id > $1 AND created_at <= $3::timestamptz ORDER BY id LIMIT $2";

  static final String BEGIN = """
      INSERT INTO scoring_state (id) VALUES (1) ON CONFLICT (id) DO NOTHING""";

  /**
   * The job's state, and the instant a run that starts now may record as its watermark: its start, or the
   * request time of the oldest tracking journal row when earlier. Tracking events reach the event tables through
   * the journal with their request's time, so a row still waiting there (an enricher backlog) is enriched after
   * this run reads the event tables and must still count as activity since the watermark for the next run.
   */
  static final String STATE = """
      SELECT now() AS now, least(now(), (SELECT min(at) FROM tracking_journal)) AS watermark,
             last_run_at, last_full_at, active_model
      FROM scoring_state WHERE id = 1""";

  /** Records a run: {@code last_run_at} is its watermark ($1), {@code last_full_at} its start ($2) when full ($3). */
  static final String FINISH = """
      UPDATE scoring_state SET last_run_at = $1, last_full_at = CASE WHEN $3 THEN $2 ELSE last_full_at END,
                               updated_at = now()
      WHERE id = 1""";

  static final String SET_MODEL = """
      INSERT INTO scoring_state (id, active_model) VALUES (1, $1)
      ON CONFLICT (id) DO UPDATE SET active_model = EXCLUDED.active_model, updated_at = now()""";

  static final String STORED_MODEL = "SELECT model FROM scoring_models WHERE version = $1";

  static final String NEXT_VERSION = """
      SELECT 'v' || greatest(1, coalesce(max(substring(version FROM 2)::int), 1)) + 1 AS version FROM scoring_models""";

  static final String INSERT_MODEL = """
      INSERT INTO scoring_models (version, model, fitted_as_of, horizon_days, training_debtors, training_payers, backtest)
      VALUES ($1, $2, $3, $4, $5, $6, $7)""";

  static final String LATEST_SCORE = """
      SELECT d.payment_propensity_score AS current, h.score, h.model_version, h.factors, h.scored_at
      FROM debtors d
      LEFT JOIN LATERAL (SELECT * FROM score_history WHERE debtor_id = d.id
                         ORDER BY scored_at DESC, id DESC LIMIT 1) h ON true
      WHERE d.id = $1""";

  /**
   * The state of the scoring job, read under its lock: {@code lastRunAt} is the last run's watermark (the instant
   * activity is looked for after), {@code watermark} the one this run records.
   */
  record State(OffsetDateTime now, OffsetDateTime watermark, OffsetDateTime lastRunAt, OffsetDateTime lastFullAt,
               String activeModel) {}

  private final Pool pool;

  ScoringRepository(Pool pool) {
    this.pool = pool;
  }

  /** The next chunk of debtor ids after {@code after}, by one of the id queries above. */
  Future<List<UUID>> ids(String query, UUID after, int limit, OffsetDateTime at) {
    Tuple t = query.equals(ALL_IDS) ? Tuple.of(after, limit) : Tuple.of(after, limit, at);
    return pool.preparedQuery(query).execute(t).map(rows -> {
      List<UUID> ids = new ArrayList<>(rows.size());
      rows.forEach(r -> ids.add(r.getUUID(0)));
      return ids;
    });
  }

  /** The next chunk of debtor ids after {@code after} and up to {@code last}. */
  Future<List<UUID>> idsUpTo(UUID after, int limit, UUID last) {
    return pool.preparedQuery(ALL_IDS_UP_TO).execute(Tuple.of(after, limit, last)).map(rows -> {
      List<UUID> ids = new ArrayList<>(rows.size());
      rows.forEach(r -> ids.add(r.getUUID(0)));
      return ids;
    });
  }

  Future<State> state() {
    return pool.query(BEGIN).execute()
        .compose(x -> pool.query(STATE).execute())
        .map(rows -> {
          Row r = rows.iterator().next();
          return new State(r.getOffsetDateTime("now"), r.getOffsetDateTime("watermark"), r.getOffsetDateTime("last_run_at"),
              r.getOffsetDateTime("last_full_at"), r.getString("active_model"));
        });
  }

  Future<Void> finish(OffsetDateTime watermark, OffsetDateTime startedAt, boolean full) {
    return pool.preparedQuery(FINISH).execute(Tuple.of(watermark, startedAt, full)).mapEmpty();
  }

  Future<Void> setActiveModel(String version) {
    return pool.preparedQuery(SET_MODEL).execute(Tuple.of(version)).mapEmpty();
  }

  /** The chosen model version, or null when the configured one applies. */
  Future<String> activeModel() {
    return state().map(State::activeModel);
  }

  Future<JsonObject> storedModel(String version) {
    return pool.preparedQuery(STORED_MODEL).execute(Tuple.of(version))
        .map(rows -> rows.size() == 0 ? null : rows.iterator().next().getJsonObject("model"));
  }

  Future<String> nextVersion() {
    return pool.query(NEXT_VERSION).execute().map(rows -> rows.iterator().next().getString("version"));
  }

  Future<Void> insertModel(PropensityModel model, OffsetDateTime asOf, int horizonDays, long debtors, long payers,
                           JsonObject backtest) {
    return pool.preparedQuery(INSERT_MODEL)
        .execute(Tuple.of(model.version(), model.toJson(), asOf, horizonDays, (int) debtors, (int) payers, backtest))
        .mapEmpty();
  }

  /** The debtor's stored score and latest history row, or null when the debtor does not exist. */
  Future<Row> latestScore(UUID debtorId) {
    return pool.preparedQuery(LATEST_SCORE).execute(Tuple.of(debtorId))
        .map(rows -> rows.size() == 0 ? null : rows.iterator().next());
  }

  static JsonArray factorsOf(Row r) {
    Object f = r.getValue("factors");
    return f instanceof JsonArray a ? a : new JsonArray();
  }
}
