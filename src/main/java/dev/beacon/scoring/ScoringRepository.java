package dev.beacon.scoring;

import dev.beacon.db.Uuids;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Cursor;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;

import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * Scoring's SQL. Features are aggregated in SQL for one chunk of debtors at a time (an id array, at most
 * {@code scoring.chunkSize}), as of any instant, from the events before that instant only; scores are written
 * back with one statement per chunk.
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

  /**
   * Debtors with anything new since $1: human engagement, views, payments, plans, contacts, edits. Read through
   * a cursor chunk by chunk, so the union is computed once per run (not once per chunk) and memory stays bounded.
   */
  static final String CHANGED_IDS = """
      SELECT id FROM (
        SELECT debtor_id AS id FROM email_events WHERE occurred_at > $1::timestamptz AND label = 'human'
        UNION SELECT debtor_id FROM page_views WHERE "timestamp" > $1::timestamptz AND label = 'human'
        UNION SELECT debtor_id FROM payments WHERE updated_at > $1::timestamptz
        UNION SELECT debtor_id FROM payment_plans WHERE updated_at > $1::timestamptz
        UNION SELECT debtor_id FROM communications WHERE created_at > $1::timestamptz
        UNION SELECT id FROM debtors WHERE updated_at > $1::timestamptz
      ) c ORDER BY id""";

  /**
   * The raw features of the debtors in $1 as of $2, and whether each completed a payment in ($2, $3]
   * (the backtest label; pass $3 = $2 when scoring). Recency weights: 1 within 7 days, 0.5 within 30, 0.25
   * within 90. Completed payments are those of every settled status, disputed included (as
   * {@code debtors.amount_paid} counts them): a lost dispute's amount is in {@code amount_refunded}.
   */
  static final String FEATURES = """
      WITH d AS (
        SELECT id, status, total_owed, email_consent, phone_consent, payment_propensity_score
        FROM debtors WHERE id = ANY($1::uuid[])
      ),
      pay AS (
        SELECT debtor_id, count(*) AS payments, max(completed_at) AS last_paid_at,
               sum(amount - CASE WHEN refunded_at <= $2::timestamptz THEN amount_refunded ELSE 0 END) AS paid
        FROM payments
        WHERE debtor_id = ANY($1::uuid[]) AND completed_at <= $2::timestamptz
          AND status IN ('completed', 'partially_refunded', 'refunded', 'disputed')
        GROUP BY debtor_id
      ),
      later AS (
        SELECT DISTINCT debtor_id FROM payments
        WHERE debtor_id = ANY($1::uuid[]) AND completed_at > $2::timestamptz AND completed_at <= $3::timestamptz
          AND status IN ('completed', 'partially_refunded', 'refunded', 'disputed')
      ),
      ee AS (
        SELECT debtor_id, coalesce(sum(w) FILTER (WHERE kind = 'open'), 0) AS opens,
               coalesce(sum(w) FILTER (WHERE kind = 'click'), 0) AS clicks
        FROM (SELECT debtor_id, kind,
                     CASE WHEN occurred_at > $2::timestamptz - interval '7 days' THEN 1.0
                          WHEN occurred_at > $2::timestamptz - interval '30 days' THEN 0.5 ELSE 0.25 END AS w
              FROM email_events
              WHERE debtor_id = ANY($1::uuid[]) AND label = 'human'
                AND occurred_at > $2::timestamptz - interval '90 days' AND occurred_at <= $2::timestamptz) e
        GROUP BY debtor_id
      ),
      pv AS (
        SELECT v.debtor_id,
               sum(CASE WHEN v."timestamp" > $2::timestamptz - interval '7 days' THEN 1.0
                        WHEN v."timestamp" > $2::timestamptz - interval '30 days' THEN 0.5 ELSE 0.25 END) AS views,
               coalesce(sum(least(coalesce(v.time_on_page, 0), 1800)) FILTER (WHERE v.page_type = 'payment'), 0)
                 / 60.0 AS pay_minutes,
               count(*) FILTER (WHERE v.page_type = 'payment'
                                  AND (p.last_paid_at IS NULL OR v."timestamp" > p.last_paid_at)) AS unpaid_visits
        FROM page_views v LEFT JOIN pay p ON p.debtor_id = v.debtor_id
        WHERE v.debtor_id = ANY($1::uuid[]) AND v.label = 'human'
          AND v."timestamp" > $2::timestamptz - interval '90 days' AND v."timestamp" <= $2::timestamptz
        GROUP BY v.debtor_id
      ),
      resp AS (
        SELECT debtor_id, max("timestamp") AS last_response
        FROM communications
        WHERE debtor_id = ANY($1::uuid[]) AND "timestamp" <= $2::timestamptz
          AND (direction = 'inbound' OR call_outcome = 'answered')
        GROUP BY debtor_id
      ),
      unanswered AS (
        SELECT c.debtor_id, count(*) AS contacts
        FROM communications c LEFT JOIN resp r ON r.debtor_id = c.debtor_id
        WHERE c.debtor_id = ANY($1::uuid[]) AND c."timestamp" <= $2::timestamptz AND c.direction = 'outbound'
          AND c.call_outcome IS DISTINCT FROM 'answered'
          AND (r.last_response IS NULL OR c."timestamp" > r.last_response)
        GROUP BY c.debtor_id
      ),
      broken AS (
        SELECT DISTINCT debtor_id FROM payment_plans
        WHERE debtor_id = ANY($1::uuid[]) AND broken_at <= $2::timestamptz
      )
      SELECT d.id, d.status,
             coalesce(ee.opens, 0)::float8 AS human_opens,
             coalesce(ee.clicks, 0)::float8 AS human_clicks,
             coalesce(pv.views, 0)::float8 AS page_views,
             coalesce(pv.pay_minutes, 0)::float8 AS payment_page_minutes,
             coalesce(pv.unpaid_visits, 0)::float8 AS payment_visits_without_payment,
             least(365, coalesce(extract(epoch FROM $2::timestamptz - resp.last_response) / 86400, 365))::float8
               AS days_since_last_response,
             coalesce(unanswered.contacts, 0)::float8 AS unanswered_contacts,
             coalesce(pay.payments, 0)::float8 AS partial_payments,
             (broken.debtor_id IS NOT NULL)::int::float8 AS broken_plan,
             greatest(d.total_owed - coalesce(pay.paid, 0), 0)::float8 AS balance_owed,
             CASE WHEN d.total_owed > 0 THEN least(1, coalesce(pay.paid, 0) / d.total_owed) ELSE 0 END::float8
               AS share_paid,
             (d.email_consent OR d.phone_consent)::int::float8 AS consent,
             (later.debtor_id IS NOT NULL) AS paid_later,
             d.payment_propensity_score AS current_score, h.score AS last_score, h.model_version AS last_model
      FROM d
      LEFT JOIN LATERAL (SELECT score, model_version FROM score_history
                         WHERE debtor_id = d.id ORDER BY scored_at DESC, id DESC LIMIT 1) h ON true
      LEFT JOIN pay ON pay.debtor_id = d.id
      LEFT JOIN later ON later.debtor_id = d.id
      LEFT JOIN ee ON ee.debtor_id = d.id
      LEFT JOIN pv ON pv.debtor_id = d.id
      LEFT JOIN resp ON resp.debtor_id = d.id
      LEFT JOIN unanswered ON unanswered.debtor_id = d.id
      LEFT JOIN broken ON broken.debtor_id = d.id""";

  /**
   * The same for a contiguous chunk of ids from $1 to $4 (keyset order), of debtors that existed at $2: range
   * scans of the (debtor_id, time) indexes instead of one index probe per id and table.
   */
  static final String FEATURES_RANGE = FEATURES
      .replace("id = ANY($1::uuid[])", "id BETWEEN $1::uuid AND $4::uuid")
      .replace("FROM debtors WHERE id BETWEEN $1::uuid AND $4::uuid",
          "FROM debtors WHERE id BETWEEN $1::uuid AND $4::uuid AND created_at <= $2::timestamptz");

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

  /**
   * One debtor's raw features (indexed by {@link Feature#ordinal()}), the backtest label, the stored score and
   * the latest history row's score and model version (null when there is none).
   */
  record Features(UUID id, String status, double[] raw, boolean paidLater, int current, Integer lastScore,
                  String lastModel) {
    double balance() {
      return raw[Feature.BALANCE_OWED.ordinal()];
    }
  }

  /** One debtor's new score, with its factors as JSON text, and what to write. */
  record Scored(UUID id, int score, String factors, Integer previous, boolean updateScore, boolean record) {}

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

  /**
   * The debtors with activity since an instant ({@link #CHANGED_IDS}), read chunk by chunk through a cursor on
   * a connection that is in a transaction: the union is computed once per run, not once per chunk.
   */
  static final class ChangedIds {
    private final Cursor cursor;
    private boolean exhausted;
    /** The last read asked for: reads are chained, so several pipelines can share the cursor. */
    private Future<List<UUID>> last = Future.succeededFuture(List.of());

    private ChangedIds(Cursor cursor) {
      this.cursor = cursor;
    }

    static Future<ChangedIds> open(SqlConnection conn, OffsetDateTime since) {
      return conn.prepare(CHANGED_IDS).map(statement -> new ChangedIds(statement.cursor(Tuple.of(since))));
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

  /**
   * The features of a chunk as of {@code asOf}; {@code contiguous}: the chunk is every debtor (that existed at
   * {@code asOf}) between its first and last id.
   */
  Future<List<Features>> features(List<UUID> ids, OffsetDateTime asOf, OffsetDateTime labelUntil,
                                  boolean contiguous) {
    // Estimates of a chunk's share of each event table can be far too low, and a nested loop over an event
    // aggregate is then quadratic in the chunk; hash joins are right for every size of chunk here (the lateral
    // lookup of the latest history row stays a nested loop, it has no other plan).
    var query = pool.withTransaction(conn -> conn.query("SET LOCAL enable_nestloop = off").execute()
        .compose(x -> contiguous
            ? conn.preparedQuery(FEATURES_RANGE).execute(Tuple.of(ids.get(0), asOf, labelUntil, ids.get(ids.size() - 1)))
            : conn.preparedQuery(FEATURES).execute(Tuple.of(ids.toArray(new UUID[0]), asOf, labelUntil))));
    return query
        .map(rows -> {
          List<Features> out = new ArrayList<>(rows.size());
          for (Row r : rows) {
            double[] raw = new double[Feature.COUNT];
            for (Feature f : Feature.values()) {
              raw[f.ordinal()] = r.getDouble(f.key());
            }
            out.add(new Features(r.getUUID("id"), r.getString("status"), raw, r.getBoolean("paid_later"),
                r.getInteger("current_score"), r.getInteger("last_score"), r.getString("last_model")));
          }
          return out;
        });
  }

  /** Writes a chunk of changes; answers how many debtors' scores changed. */
  Future<Integer> write(List<Scored> changes, String version, OffsetDateTime at) {
    if (changes.isEmpty()) {
      return Future.succeededFuture(0);
    }
    int n = changes.size();
    UUID[] ids = new UUID[n];
    Integer[] scores = new Integer[n];
    String[] factors = new String[n];
    Integer[] previous = new Integer[n];
    Boolean[] update = new Boolean[n];
    Boolean[] record = new Boolean[n];
    // The history rows' ids: time-ordered, so they append to the primary key (V13).
    UUID[] historyIds = new UUID[n];
    for (int i = 0; i < n; i++) {
      Scored s = changes.get(i);
      ids[i] = s.id();
      scores[i] = s.score();
      factors[i] = s.factors();
      previous[i] = s.previous();
      update[i] = s.updateScore();
      record[i] = s.record();
      historyIds[i] = Uuids.v7();
    }
    // With a chunk's real size known (a custom plan), the planner hashed the whole debtors table for every chunk
    // (a sequential scan of a million rows per chunk written); with the size unknown (the generic plan of the
    // cached statement, estimated at 10 rows), a nested loop is right. Only nested loops are allowed: one
    // primary key probe per row of the chunk, whatever the estimate.
    return pool.withTransaction(conn -> conn.query("SET LOCAL enable_hashjoin = off; SET LOCAL enable_mergejoin = off")
            .execute()
            .compose(x -> conn.preparedQuery(WRITE)
                .execute(Tuple.from(
                    new Object[] {ids, scores, factors, previous, update, record, version, at, historyIds}))))
        .map(rows -> rows.iterator().next().getLong("updated").intValue());
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
