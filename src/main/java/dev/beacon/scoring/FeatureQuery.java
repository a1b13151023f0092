package dev.beacon.scoring;

import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;

import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * The scoring features of one chunk of debtors (an id array, at most {@code scoring.chunkSize}), aggregated in SQL
 * as of any instant from the events before that instant only: what scoring, backtests and fits read.
 */
final class FeatureQuery {
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
   * One debtor's raw features (indexed by {@link Feature#ordinal()}), the backtest label, the stored score and
   * the latest history row's score and model version (null when there is none).
   */
  record Features(UUID id, String status, double[] raw, boolean paidLater, int current, Integer lastScore,
                  String lastModel) {
    double balance() {
      return raw[Feature.BALANCE_OWED.ordinal()];
    }
  }

  private final Pool pool;

  FeatureQuery(Pool pool) {
    this.pool = pool;
  }

  /**
   * The features of a chunk as of {@code asOf}; {@code contiguous}: the chunk is every debtor (that existed at
   * {@code asOf}) between its first and last id.
   */
  Future<List<Features>> read(List<UUID> ids, OffsetDateTime asOf, OffsetDateTime labelUntil,
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
}
