package dev.beacon.tracking;

import dev.beacon.db.Uuids;

import java.time.Duration;
import java.util.UUID;

/**
 * What the event tables' set-based SQL shares ({@link EmailEventSql}, {@link PageViewSql}): one statement per
 * table per batch. Live events are read from the tracking journal inside the statement (the {@link Enricher}
 * passes only the batch's journal ids, the event ids and the verdicts of the batch's distinct request shapes) and
 * resolve the debtor's token by joining {@code debtors} (an unknown token simply matches nothing); imported events
 * come in as arrays through {@code unnest} and carry the debtor id. Human events also set the communication's
 * flags (a click implies an open) and the debtor's last_response_date in the same statement.
 */
final class EventSql {
  private EventSql() {}

  /*
   * last_response_date is kept to the minute: a debtor row is rewritten at most once a minute however many
   * events arrive, so hot debtors do not serialize the writers of every verticle instance on one row lock.
   */
  static final Duration RESPONSE_STEP = Duration.ofMinutes(1);
  static final String RESPONSE_GRANULARITY = "interval '" + RESPONSE_STEP.toSeconds() + " seconds'";
  static final String BY_TOKEN = "d.unique_token = i.debtor";
  /** A classified row's final label: the timing rule's verdict when one fired, else the request's own. */
  static final String FINAL_LABEL = "coalesce(split_part(timing, ':', 1), label)";

  /**
   * An import's UTC hours, for the dashboard's rollup job to recount (a live batch adds to the counts itself:
   * {@link dev.beacon.dashboard.LiveCounts}).
   */
  static String dirtyHours(String source) {
    return """
              dirty AS (
                INSERT INTO rollup_dirty (hour, source) SELECT DISTINCT date_trunc('hour', at, 'UTC'), '%s' FROM classified
              )""".formatted(source);
  }

  /*
   * last_response_date moved up to the batch's latest human row (the request looked human and no timing rule
   * fired). It only ever moves forward, so only the rows that can move it are aggregated, by the value read with
   * them (responded_at); the UPDATE checks again on the rows it locks. (Aggregating every human row of a batch of
   * repeat opens, when almost none changes anything, was a fifth of the statement.)
   */
  static final String LAST_RESPONSE = """
              debtor AS (
                UPDATE debtors d SET last_response_date = h.at
                FROM (SELECT debtor_id, max(at) AS at FROM classified
                      WHERE label = 'human' AND timing IS NULL AND (responded_at IS NULL OR responded_at < at - %1$s)
                      GROUP BY debtor_id) h
                WHERE d.id = h.debtor_id AND (d.last_response_date IS NULL OR d.last_response_date < h.at - %1$s)
                RETURNING d.id
              )""".formatted(RESPONSE_GRANULARITY);

  static final String BY_ID = "d.id = i.debtor";

  /*
   * How a live batch reads the journal: $1 the rows' tuple ids (ctid, as text) in journal-id order (with, for
   * opens and clicks, $2 the event ids made for them), then the verdicts of the batch's request shapes (kind,
   * signals, user agent or '') as arrays: few distinct shapes per batch, so the rows themselves never leave
   * PostgreSQL. Each row is fetched by its tuple id, one page read, where the primary key took an index descent
   * as well. The tuple ids hold for the whole transaction: only the enricher, under its lock, deletes journal
   * rows, and VACUUM never moves a live row. (The OFFSET 0 keeps the planner from turning the lookup into a join
   * over the whole journal.)
   */
  static String journal(String columns, boolean eventIds, String kinds) {
    int v = eventIds ? 3 : 2;
    return """
            SELECT %1$s
            FROM unnest($1::text[]%2$s) WITH ORDINALITY AS x(tid%3$s, n)
            CROSS JOIN LATERAL (SELECT * FROM tracking_journal j WHERE j.ctid = x.tid::tid OFFSET 0) j
            JOIN unnest($%4$d::smallint[], $%5$d::smallint[], $%6$d::text[], $%7$d::text[], $%8$d::text[])
              AS v(kind, signals, user_agent, label, reason)
              ON v.kind = j.kind AND v.signals = j.signals AND v.user_agent = coalesce(j.user_agent, '')
            WHERE j.kind IN (%9$s)""".formatted(columns, eventIds ? ", $2::uuid[]" : "", eventIds ? ", event_id" : "",
        v, v + 1, v + 2, v + 3, v + 4, kinds);
  }

  /** The first parameter after a live batch's journal ids, event ids and verdicts. */
  static final int JOURNAL_EMAIL_NEXT = 8;
  static final int JOURNAL_VIEW_NEXT = 7;

  /*
   * Event ids are made here rather than by the column default: beacon_uuid_v7() is a SQL function evaluated
   * row by row, which measured about 14 µs of PostgreSQL CPU per row, as much as the rest of a settled open.
   */
  static UUID[] eventIds(int n) {
    UUID[] ids = new UUID[n];
    for (int k = 0; k < n; k++) {
      ids[k] = Uuids.v7();
    }
    return ids;
  }
}
